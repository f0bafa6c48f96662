from . import dates, validators
