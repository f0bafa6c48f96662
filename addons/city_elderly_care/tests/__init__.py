from . import test_provider
from . import test_voucher
from . import test_order
