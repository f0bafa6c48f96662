from . import test_enrolment, test_facility, test_growth, test_indicator, test_portal, test_school
