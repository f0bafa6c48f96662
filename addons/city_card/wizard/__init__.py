from . import city_card_topup, city_card_subsidy, city_card_state, city_card_terminal_key
