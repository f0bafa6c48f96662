from . import city_care_visit_request_wizard
