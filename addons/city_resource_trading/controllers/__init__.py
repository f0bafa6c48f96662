from . import portal_objection
from . import ocds
