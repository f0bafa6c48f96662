from . import city_elderly_order, city_request
