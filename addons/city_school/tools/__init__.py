from . import lottery
