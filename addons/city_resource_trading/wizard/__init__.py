from . import city_trading_suspend_wizard
