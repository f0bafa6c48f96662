from . import test_enrolment, test_portal, test_school
