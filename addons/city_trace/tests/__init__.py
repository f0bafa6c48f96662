from . import test_events, test_gs1, test_models, test_security
