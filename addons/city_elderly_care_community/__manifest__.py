{
    "name": "Smart City Elderly Care - Community Requests",
    "summary": "Complaints about elderly-care service orders become community requests",
    "version": "18.0.1.0.0",
    "category": "Smart City",
    "license": "LGPL-3",
    "author": "Smart City Services",
    "website": "https://github.com/smart-city-services/city",
    "depends": ["city_elderly_care", "city_community"],
    "data": [
        "security/ir.model.access.csv",
        "views/city_elderly_order_views.xml",
        "views/city_request_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/city_elderly_order_complaint_wizard_views.xml",
        "views/portal_templates.xml",
    ],
    "demo": ["demo/city_service_item_demo.xml", "demo/ir_config_parameter_demo.xml"],
    "assets": {
        "web.assets_tests": ["city_elderly_care_community/static/tests/tours/**/*"],
    },
    "auto_install": True,
    "installable": True,
}
