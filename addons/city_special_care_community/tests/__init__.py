from . import test_care_visit_request
