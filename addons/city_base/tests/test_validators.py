import datetime
import hashlib

from freezegun import freeze_time

from odoo.tests import BaseCase, tagged

from ..tools import validators
from ..tools.validators import (
    canonical_json,
    chain_hash,
    is_mobile,
    mask_resident_id,
    normalize_mobile,
    parse_resident_id,
    resident_id_check_char,
    resident_id_error,
    uscc_check_char,
    uscc_error,
)

# Examples printed in GB 11643-1999 (appendix) and GB 32100-2015.
GB11643_FEMALE = "11010519491231002X"
GB11643_MALE = "440524188001010014"
GB32100_EXAMPLE = "91350100M000100Y43"
# Codes of real, registered organisations (public registry data).
USCC_REAL = ("914403001922038216", "91110000100010433L")


def with_check(first17):
    return first17 + resident_id_check_char(first17)


@tagged("post_install", "-at_install")
class TestResidentId(BaseCase):
    def test_official_examples_valid(self):
        self.assertIsNone(resident_id_error(GB11643_FEMALE))
        self.assertIsNone(resident_id_error(GB11643_MALE))
        self.assertEqual(resident_id_check_char(GB11643_FEMALE[:17]), "X")
        self.assertEqual(resident_id_check_char(GB11643_MALE[:17]), "4")

    def test_wrong_check_character(self):
        self.assertEqual(resident_id_error("110105194912310021"), "check")
        self.assertEqual(resident_id_error("440524188001010015"), "check")
        self.assertEqual(resident_id_error("44052418800101001X"), "check")

    def test_length(self):
        self.assertEqual(resident_id_error(GB11643_FEMALE[:17]), "length")
        self.assertEqual(resident_id_error(GB11643_MALE + "1"), "length")
        self.assertEqual(resident_id_error(""), "length")
        self.assertEqual(resident_id_error(None), "length")
        # a 15-digit first-generation number is not accepted
        self.assertEqual(resident_id_error("110105491231002"), "length")

    def test_format(self):
        self.assertEqual(resident_id_error("11010519491231A02X"), "format")
        self.assertEqual(resident_id_error("X10105194912310021"), "format")
        self.assertEqual(resident_id_error("11010519491231002Y"), "format")

    def test_province(self):
        self.assertEqual(resident_id_error(with_check("00010519491231002")), "province")
        self.assertEqual(resident_id_error(with_check("99010519491231002")), "province")
        self.assertIsNone(resident_id_error(with_check("82010519491231002")))  # Macao

    def test_impossible_birth_date(self):
        self.assertEqual(resident_id_error(with_check("11010519490230002")), "birth_date")  # 30 February
        self.assertEqual(resident_id_error(with_check("11010519491301002")), "birth_date")  # month 13
        self.assertEqual(resident_id_error(with_check("11010518491231002")), "birth_date")  # before 1850
        self.assertIsNone(resident_id_error(with_check("11010520000229002")))  # leap day

    def test_future_birth_date(self):
        number = with_check("11010520300101001")
        self.assertEqual(resident_id_error(number, today=datetime.date(2029, 12, 31)), "birth_date")
        self.assertIsNone(resident_id_error(number, today=datetime.date(2030, 1, 1)))
        with freeze_time("2029-12-31"):
            self.assertEqual(resident_id_error(number), "birth_date")
        with freeze_time("2030-01-01"):
            self.assertIsNone(resident_id_error(number))

    def test_lowercase_x_normalised(self):
        self.assertIsNone(resident_id_error("11010519491231002x"))
        self.assertIsNone(resident_id_error(" 110105 19491231 002x "))
        self.assertEqual(validators.normalize_resident_id(" 11010519491231002x "), GB11643_FEMALE)
        self.assertEqual(validators.normalize_resident_id(None), "")

    def test_parse(self):
        self.assertEqual(parse_resident_id(GB11643_FEMALE), (datetime.date(1949, 12, 31), "female"))
        self.assertEqual(parse_resident_id(GB11643_MALE), (datetime.date(1880, 1, 1), "male"))
        self.assertEqual(parse_resident_id("11010519491231002x"), (datetime.date(1949, 12, 31), "female"))

    def test_mask(self):
        self.assertEqual(mask_resident_id(GB11643_FEMALE), "110105********002X")
        self.assertEqual(mask_resident_id("11010519491231002x"), "110105********002X")
        self.assertEqual(mask_resident_id(GB11643_MALE), "440524********0014")
        self.assertEqual(mask_resident_id("12345"), "*****")
        self.assertEqual(mask_resident_id(""), "")
        self.assertEqual(mask_resident_id(None), "")


@tagged("post_install", "-at_install")
class TestUscc(BaseCase):
    def test_valid_codes(self):
        self.assertIsNone(uscc_error(GB32100_EXAMPLE))
        self.assertEqual(uscc_check_char(GB32100_EXAMPLE[:17]), "3")
        for code in USCC_REAL:
            self.assertIsNone(uscc_error(code), code)
            self.assertEqual(uscc_check_char(code[:17]), code[17])
        self.assertIsNone(uscc_error("91110000100010433l"))  # lower case is normalised
        self.assertIsNone(uscc_error(" 91350100M000100Y43 "))

    def test_check_character(self):
        self.assertEqual(uscc_error("91350100M000100Y44"), "check")
        self.assertEqual(uscc_error("914403001922038217"), "check")
        self.assertEqual(uscc_error("91110000100010433M"), "check")

    def test_format(self):
        # I, O, Z, S and V are not part of the GB 32100 character set
        for char in "IOZSV":
            self.assertEqual(uscc_error(f"91350100M000100{char}43"), "format", char)
        self.assertEqual(uscc_error("91350100M000100Y4I"), "format")
        self.assertEqual(uscc_error("9135010AM000100Y43"), "format")  # administrative code must be digits
        self.assertEqual(uscc_error("91350100M00010-Y43"), "format")

    def test_length(self):
        self.assertEqual(uscc_error(GB32100_EXAMPLE[:17]), "length")
        self.assertEqual(uscc_error(GB32100_EXAMPLE + "0"), "length")
        self.assertEqual(uscc_error(""), "length")
        self.assertEqual(uscc_error(None), "length")


@tagged("post_install", "-at_install")
class TestMobile(BaseCase):
    def test_valid(self):
        self.assertTrue(is_mobile("13904321234"))
        self.assertTrue(is_mobile("+86 139-0432-1234"))
        self.assertTrue(is_mobile("0086 13904321234"))
        self.assertTrue(is_mobile("8613904321234"))
        self.assertTrue(is_mobile("19912345678"))
        self.assertEqual(normalize_mobile("+86 139-0432-1234"), "13904321234")
        self.assertEqual(normalize_mobile("(139) 0432 1234"), "13904321234")

    def test_invalid(self):
        self.assertFalse(is_mobile("12345678901"))  # 12x is not a mobile prefix
        self.assertFalse(is_mobile("1390432123"))  # 10 digits
        self.assertFalse(is_mobile("139043212345"))  # 12 digits
        self.assertFalse(is_mobile("043262345678"))  # landline
        self.assertFalse(is_mobile(""))
        self.assertFalse(is_mobile(None))


@tagged("post_install", "-at_install")
class TestHashing(BaseCase):
    def test_canonical_json(self):
        self.assertEqual(canonical_json({"b": 1, "a": {"d": 2, "c": 3}}), '{"a":{"c":3,"d":2},"b":1}')
        self.assertEqual(
            canonical_json({"a": 1, "b": [1, 2], "c": "x"}), canonical_json({"c": "x", "b": [1, 2], "a": 1})
        )
        self.assertEqual(canonical_json({"名": "张桂兰"}), '{"名":"张桂兰"}')
        self.assertEqual(canonical_json({"d": datetime.date(2025, 10, 1)}), '{"d":"2025-10-01"}')
        # list order is significant
        self.assertNotEqual(canonical_json({"a": [1, 2]}), canonical_json({"a": [2, 1]}))

    def test_chain_hash(self):
        data = {"event": "credit.revoke", "sequence": 1}
        digest = chain_hash(None, data)
        self.assertEqual(digest, hashlib.sha256(canonical_json(data).encode()).hexdigest())
        self.assertEqual(len(digest), 64)
        # deterministic, independent of key order, None and '' mean "no predecessor"
        self.assertEqual(chain_hash(None, {"sequence": 1, "event": "credit.revoke"}), digest)
        self.assertEqual(chain_hash("", data), digest)
        # sensitive to the previous hash and to every value
        self.assertNotEqual(chain_hash("0" * 64, data), digest)
        self.assertNotEqual(chain_hash(None, dict(data, sequence=2)), digest)
        self.assertNotEqual(chain_hash(None, dict(data, extra=None)), digest)
        linked = chain_hash(digest, data)
        self.assertEqual(linked, hashlib.sha256((digest + canonical_json(data)).encode()).hexdigest())
