from . import city_care_visit, city_request
