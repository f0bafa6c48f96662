from . import test_gs1, test_models, test_security
