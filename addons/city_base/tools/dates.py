"""The city's calendar day: validity dates (credit records, consents…) are days in the city."""

import datetime

import pytz

CITY_TZ = "Asia/Shanghai"


def city_today():
    """Today in the city (Asia/Shanghai), whatever the time zone of the user or the server."""
    return datetime.datetime.now(pytz.timezone(CITY_TZ)).date()
