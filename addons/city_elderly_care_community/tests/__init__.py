from . import test_elderly_complaint
from . import test_portal_complaint
