from . import test_provider
from . import test_voucher
from . import test_order
from . import test_meal
from . import test_institution
from . import test_portal
from . import test_statement
from . import test_alarm_link
