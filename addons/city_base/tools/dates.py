"""The city's calendar day: validity dates (credit records, consents…) are days in the city."""

import datetime

import pytz

CITY_TZ = "Asia/Shanghai"


def city_local_text(moment, tz=CITY_TZ):
    """A naive UTC datetime as wall-clock text in ``tz`` (the city's by default): YYYY-MM-DD HH:MM."""
    if not moment:
        return ""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(tz)).strftime("%Y-%m-%d %H:%M")


def city_today():
    """Today in the city (Asia/Shanghai), whatever the time zone of the user or the server."""
    return datetime.datetime.now(pytz.timezone(CITY_TZ)).date()
