from . import test_rule
from . import test_security
from . import test_lifecycle
from . import test_bidder
from . import test_sealed
from . import test_portal
from . import test_tour
