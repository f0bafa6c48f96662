from . import test_rule
from . import test_security
from . import test_evaluation
