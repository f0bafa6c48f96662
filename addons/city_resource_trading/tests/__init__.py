from . import test_rule
from . import test_security
