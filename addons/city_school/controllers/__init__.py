from . import library
from . import main
from . import portal
