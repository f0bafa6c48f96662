from . import dates, labels, validators
