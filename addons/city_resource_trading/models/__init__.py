from . import city_trading_type
from . import city_trading_rule
from . import city_trading_procedure
from . import city_trading_document
from . import city_trading_question
from . import city_trading_amendment
from . import city_trading_bid
from . import city_trading_bid_file
