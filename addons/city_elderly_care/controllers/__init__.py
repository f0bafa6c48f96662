from . import portal
from . import statement_portal
from . import meal_portal
