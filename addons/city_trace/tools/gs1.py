"""GS1 identification keys and GS1 Digital Link URIs (GS1 General Specifications, Digital Link 1.x).

Pure Python, no Odoo import, so the same checks serve models, controllers and scripts.
"""

import re
from urllib.parse import quote, unquote, urlsplit

GTIN_LENGTHS = (8, 12, 13, 14)
# Application identifiers of the Digital Link path in their mandatory order after the primary key.
DL_QUALIFIERS = {"01": ("22", "10", "21")}
DL_AI_NAMES = {"01": "gtin", "22": "cpv", "10": "lot", "21": "serial"}
ALPHANUMERIC_20 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")  # GS1 AI encodable set 82


class DigitalLinkError(ValueError):
    """A Digital Link URI that does not follow the standard; ``code`` is stable for the API."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def check_digit(body):
    """The GS1 mod-10 check digit of the digits ``body`` (the key without its last digit)."""
    if not body.isdigit():
        raise ValueError("digits only")
    total = 0
    for index, digit in enumerate(reversed(body)):
        total += int(digit) * (3 if index % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def _valid_key(value, lengths):
    return isinstance(value, str) and value.isdigit() and len(value) in lengths and check_digit(value[:-1]) == value[-1]


def is_valid_gtin(value):
    """GTIN-8, -12, -13 or -14 with a correct check digit."""
    return _valid_key(value, GTIN_LENGTHS)


def is_valid_sscc(value):
    """18-digit serial shipping container code with a correct check digit."""
    return _valid_key(value, (18,))


def is_valid_gln(value):
    """13-digit global location number with a correct check digit."""
    return _valid_key(value, (13,))


def gtin14(value):
    """The 14-digit form of a GTIN (left-padded with zeros), as Digital Link uses it."""
    return value.zfill(14)


def is_valid_ai_text(value):
    """Lot and serial numbers: 1 to 20 characters of the GS1 AI encodable character set 82."""
    return isinstance(value, str) and bool(ALPHANUMERIC_20.match(value))


def build_digital_link(domain, gtin, lot=None, serial=None):
    """``https://<domain>/01/<gtin14>[/10/<lot>][/21/<serial>]`` (qualifiers in the standard order)."""
    if not is_valid_gtin(gtin):
        raise DigitalLinkError("gtin", f"{gtin} is not a valid GTIN")
    path = f"/01/{gtin14(gtin)}"
    for ai, value in (("10", lot), ("21", serial)):
        if value:
            if not is_valid_ai_text(value):
                raise DigitalLinkError(DL_AI_NAMES[ai], f"{value!r} is not a valid value for AI ({ai})")
            path += f"/{ai}/{quote(value, safe='')}"
    return f"https://{domain.strip('/')}{path}"


def parse_digital_link(uri_or_path):
    """Parse a Digital Link URI or path into ``{"gtin", "lot", "serial", "cpv"}``.

    Raises :class:`DigitalLinkError` on a missing or invalid GTIN, an unknown or repeated
    qualifier, qualifiers out of the standard order, or an invalid value.
    """
    path = urlsplit(uri_or_path).path if "://" in uri_or_path else uri_or_path.split("?")[0]
    parts = [unquote(part) for part in path.strip("/").split("/") if part]
    # A Digital Link may have a path prefix before the primary key: find "01".
    try:
        start = parts.index("01")
    except ValueError as error:
        raise DigitalLinkError("gtin", "no GTIN (01) in the path") from error
    parts = parts[start:]
    if len(parts) % 2:
        raise DigitalLinkError("format", "every application identifier needs a value")
    pairs = list(zip(parts[0::2], parts[1::2], strict=True))
    gtin = pairs[0][1]
    if not is_valid_gtin(gtin):
        raise DigitalLinkError("gtin", f"{gtin} is not a valid GTIN (length or check digit)")
    result = {"gtin": gtin14(gtin), "lot": None, "serial": None, "cpv": None}
    order = DL_QUALIFIERS["01"]
    last = -1
    for ai, value in pairs[1:]:
        if ai not in order:
            raise DigitalLinkError("qualifier", f"({ai}) is not a qualifier of a GTIN")
        position = order.index(ai)
        if position <= last:
            raise DigitalLinkError("order", f"({ai}) is repeated or out of the order {'/'.join(order)}")
        last = position
        if not is_valid_ai_text(value):
            raise DigitalLinkError(DL_AI_NAMES[ai], f"{value!r} is not a valid value for AI ({ai})")
        result[DL_AI_NAMES[ai]] = value
    return result
