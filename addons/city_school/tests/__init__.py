from . import test_school
from . import test_library
from . import test_library_http
from . import test_rewards
from . import test_sync_session
