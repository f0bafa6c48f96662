from . import geo, imei
