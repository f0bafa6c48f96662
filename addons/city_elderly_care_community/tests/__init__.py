from . import test_elderly_complaint
