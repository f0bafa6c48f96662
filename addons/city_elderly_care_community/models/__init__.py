from . import city_elderly_order, city_request
from . import res_config_settings
