from . import city_elderly_order
from . import city_elderly_provider
from . import city_elderly_carer
from . import city_elderly_service
from . import city_elderly_price
from . import city_elderly_subsidy_policy
from . import city_elderly_voucher
from . import city_elderly_voucher_move
