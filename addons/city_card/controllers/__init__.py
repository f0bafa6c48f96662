from . import api
from . import batch
from . import portal
from . import portal_settlement
