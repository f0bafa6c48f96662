from . import validators
