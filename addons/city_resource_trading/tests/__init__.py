from . import test_rule
from . import test_security
from . import test_evaluation
from . import test_publicity
from . import test_portal_objection
from . import test_red_flag
from . import test_ocds
