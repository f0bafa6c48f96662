"""Pure validation helpers for Chinese identifiers (no ORM, importable anywhere).

* GB 11643-1999 citizen identity number (18 characters, ISO 7064 MOD 11-2 check character)
* GB 32100-2015 unified social credit code (18 characters, MOD 31 check character)
* GB/T 2260 style administrative division codes (12 digits)
* mainland mobile numbers
"""

import datetime
import hashlib
import json
import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# GB/T 2260 province-level codes (first two digits of an identity number).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
DIVISION_CODE_RE = re.compile(r"^\d{12}$")


def normalize_resident_id(value):
    """Strip blanks and upper-case the check character; return '' for empty input."""
    return re.sub(r"\s+", "", value or "").upper()


def resident_id_check_char(first17):
    """Return the GB 11643 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def resident_id_error(value, today=None):
    """Return None when ``value`` is a valid 18-character identity number, else an error key.

    Error keys: ``length``, ``format``, ``province``, ``birth_date``, ``check``.
    """
    number = normalize_resident_id(value)
    if len(number) != 18:
        return "length"
    if not re.match(r"^\d{17}[\dX]$", number):
        return "format"
    if number[:2] not in PROVINCE_CODES:
        return "province"
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if birth.year < 1850 or birth > (today or datetime.date.today()):
        return "birth_date"
    if resident_id_check_char(number[:17]) != number[17]:
        return "check"
    return None


def parse_resident_id(value):
    """Return (birth_date, gender) of a valid identity number; gender is 'male' or 'female'."""
    number = normalize_resident_id(value)
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    gender = "male" if int(number[16]) % 2 else "female"
    return birth, gender


def mask_resident_id(value):
    """220202199001011234 -> 220202********1234 (anything else is masked completely)."""
    number = normalize_resident_id(value)
    if not number:
        return ""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def uscc_check_char(first17):
    total = sum(USCC_CHARSET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_uscc(value):
    return re.sub(r"\s+", "", value or "").upper()


def uscc_error(value):
    """Return None when ``value`` is a valid GB 32100 unified social credit code, else an error key.

    Error keys: ``length``, ``format``, ``check``.
    """
    code = normalize_uscc(value)
    if len(code) != 18:
        return "length"
    if not USCC_RE.match(code):
        return "format"
    if uscc_check_char(code[:17]) != code[17]:
        return "check"
    return None


def normalize_mobile(value):
    """Keep the 11 digits of a mainland mobile number (drops blanks, dashes and +86/0086)."""
    number = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    return number


def is_mobile(value):
    return bool(MOBILE_RE.match(normalize_mobile(value)))


def canonical_json(data):
    """Deterministic JSON: sorted keys, no blanks, UTF-8 kept (used for hashing)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(previous_hash, data):
    """SHA-256 of the previous hash followed by the canonical JSON of ``data`` (hex)."""
    payload = (previous_hash or "") + canonical_json(data)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
