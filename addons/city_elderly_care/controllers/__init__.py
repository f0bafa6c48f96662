from . import portal
from . import statement_portal
