{
    "name": "Smart City Special Care - Community Requests",
    "summary": "Care visit findings open a community service request for the recipient",
    "version": "18.0.1.0.0",
    "category": "Smart City",
    "license": "LGPL-3",
    "author": "Smart City Services",
    "website": "https://github.com/smart-city-services/city",
    "depends": ["city_special_care", "city_community"],
    "data": [
        "security/ir.model.access.csv",
        "views/city_care_visit_views.xml",
        "views/city_request_views.xml",
        "wizard/city_care_visit_request_wizard_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
