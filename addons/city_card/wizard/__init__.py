from . import city_card_topup, city_card_subsidy, city_card_state, city_card_terminal_key
from . import city_card_settlement_export
from . import city_card_offline_writeoff
