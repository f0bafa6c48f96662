"""Card numbers, card keys and MACs of the resident one-card.

* Card numbers are 19 digits: the issuer prefix, a running number and a Luhn check digit
  (ISO/IEC 7812), so a mistyped digit or two swapped neighbours are caught at once.
* Every card has its own key, diversified from the issuer master key with HMAC-SHA256 over the
  card number (the way transit cards derive per-card keys from a master key in the terminal's
  secure module). The master key never enters the database: it comes from ``odoo.conf``
  (``city_card_master_key``) or the environment (``CITY_CARD_MASTER_KEY``).
* An offline tap record carries a MAC: HMAC-SHA256 with the card key over the record's fields
  in a fixed order, truncated to 16 hex digits.
* Terminal API keys are stored as an HMAC digest under a pepper from the configuration
  (``city_card_terminal_pepper`` / ``CITY_CARD_TERMINAL_PEPPER``), never in clear.
"""

import hashlib
import hmac
import logging
import os

from odoo.tools import config

_logger = logging.getLogger(__name__)

# Development defaults, used only when the configuration has no key (logged once as a warning).
DEV_MASTER_KEY = "city-card-development-master-key-not-for-production"
DEV_TERMINAL_PEPPER = "city-card-development-terminal-pepper-not-for-production"
MAC_LENGTH = 16
_warned = set()


def _secret(option, variable, default):
    value = config.get(option) or os.environ.get(variable)
    if not value:
        if option not in _warned:
            _warned.add(option)
            _logger.warning("%s is not configured: using the development default (never in production)", option)
        value = default
    return value.encode("utf-8")


def master_key():
    return _secret("city_card_master_key", "CITY_CARD_MASTER_KEY", DEV_MASTER_KEY)


def terminal_pepper():
    return _secret("city_card_terminal_pepper", "CITY_CARD_TERMINAL_PEPPER", DEV_TERMINAL_PEPPER)


def luhn_check_digit(digits):
    """The Luhn check digit for ``digits`` (a string of digits without the check digit)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def card_number_error(number):
    """None when ``number`` is a well-formed card number, else a short reason code."""
    if not number or not number.isdigit():
        return "digits"
    if len(number) != 19:
        return "length"
    if luhn_check_digit(number[:-1]) != number[-1]:
        return "check_digit"
    return None


def card_key(number, master=None):
    """The card's own key, diversified from the master key."""
    return hmac.new(master or master_key(), b"city-card-key|" + number.encode("ascii"), hashlib.sha256).digest()


def record_message(card_number, amount, tapped_at, terminal_code, serial, counter):
    """The bytes a tap record's MAC covers, in a fixed order."""
    return f"{card_number}|{amount}|{tapped_at}|{terminal_code}|{serial}|{counter}".encode()


def record_mac(key, card_number, amount, tapped_at, terminal_code, serial, counter):
    message = record_message(card_number, amount, tapped_at, terminal_code, serial, counter)
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:MAC_LENGTH]


def verify_mac(key, mac, *fields):
    return isinstance(mac, str) and hmac.compare_digest(record_mac(key, *fields), mac.lower())


def terminal_key_digest(key):
    return hmac.new(terminal_pepper(), key.encode("utf-8"), hashlib.sha256).hexdigest()
