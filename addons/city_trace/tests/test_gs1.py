from odoo.tests import TransactionCase, tagged

from ..tools import gs1


@tagged("post_install", "-at_install")
class TestGs1(TransactionCase):
    def test_check_digit_of_official_examples(self):
        # GS1 General Specifications examples
        self.assertEqual(gs1.check_digit("629104150021"), "3")  # GTIN-13 6291041500213
        self.assertEqual(gs1.check_digit("1061414100041"), "5")  # GTIN-14 10614141000415
        self.assertTrue(gs1.is_valid_gtin("6291041500213"))
        self.assertTrue(gs1.is_valid_gtin("96385074"))  # GTIN-8
        self.assertTrue(gs1.is_valid_gtin("036000291452"))  # GTIN-12 (UPC-A)
        self.assertTrue(gs1.is_valid_gtin("10614141000415"))  # GTIN-14
        self.assertTrue(gs1.is_valid_sscc("106141411234567897"))
        self.assertTrue(gs1.is_valid_gln("0614141000012"))

    def test_near_misses_are_rejected(self):
        self.assertFalse(gs1.is_valid_gtin("6291041500214"))  # wrong check digit
        self.assertFalse(gs1.is_valid_gtin("629104150021"))  # 12 digits, wrong check
        self.assertFalse(gs1.is_valid_gtin("62910415002133"[:11]))  # 11 digits
        self.assertFalse(gs1.is_valid_gtin("629104150021A"))
        self.assertFalse(gs1.is_valid_gtin(""))
        self.assertFalse(gs1.is_valid_sscc("106141411234567898"))
        self.assertFalse(gs1.is_valid_sscc("10614141123456789"))
        self.assertFalse(gs1.is_valid_gln("0614141000013"))

    def test_digital_link_round_trip(self):
        uri = gs1.build_digital_link("trace.example.cn", "6291041500213", lot="2025A01", serial="S001")
        self.assertEqual(uri, "https://trace.example.cn/01/06291041500213/10/2025A01/21/S001")
        self.assertEqual(
            gs1.parse_digital_link(uri), {"gtin": "06291041500213", "lot": "2025A01", "serial": "S001", "cpv": None}
        )
        # a path prefix and a query string are allowed
        parsed = gs1.parse_digital_link("https://x.cn/scan/01/6291041500213/10/B%2F7?linkType=all")
        self.assertEqual(parsed["lot"], "B/7")
        # the URI-encoded lot survives the round trip
        self.assertEqual(gs1.parse_digital_link(gs1.build_digital_link("x.cn", "96385074", lot="B/7"))["lot"], "B/7")

    def test_digital_link_errors(self):
        cases = {
            "https://x.cn/01/6291041500214/10/A1": "gtin",  # wrong check digit
            "https://x.cn/01/06291041500213/21/S1/10/A1": "order",  # serial before lot
            "https://x.cn/01/06291041500213/10/A1/10/A2": "order",  # repeated
            "https://x.cn/01/06291041500213/17/251231": "qualifier",  # not a path qualifier
            "https://x.cn/01/06291041500213/10": "format",
            "https://x.cn/10/A1": "gtin",
            "https://x.cn/01/06291041500213/10/批号一": "lot",
        }
        for uri, code in cases.items():
            with self.assertRaises(gs1.DigitalLinkError, msg=uri) as caught:
                gs1.parse_digital_link(uri)
            self.assertEqual(caught.exception.code, code, uri)
        with self.assertRaises(gs1.DigitalLinkError):
            gs1.build_digital_link("x.cn", "6291041500214")
        with self.assertRaises(gs1.DigitalLinkError):
            gs1.build_digital_link("x.cn", "6291041500213", lot="x" * 21)
