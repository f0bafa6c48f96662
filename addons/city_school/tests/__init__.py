from . import test_school
