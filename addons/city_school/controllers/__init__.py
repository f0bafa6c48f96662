from . import library
