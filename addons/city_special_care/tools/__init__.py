from . import demo, geo, imei
