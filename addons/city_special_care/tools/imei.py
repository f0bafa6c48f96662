"""IMEI (3GPP TS 23.003): 14 digits and a Luhn check digit."""


def luhn_check_digit(body):
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def normalize_imei(value):
    return "".join((value or "").split()).replace("-", "")


def imei_error(value):
    """None when ``value`` is a valid 15-digit IMEI, else a short reason code."""
    if len(value) != 15:
        return "length"
    if not value.isdigit():
        return "format"
    if luhn_check_digit(value[:14]) != value[14]:
        return "check"
    return None
