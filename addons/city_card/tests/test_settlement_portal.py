from urllib.parse import urlparse

from odoo.tests import HttpCase, tagged

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementPortal(SettlementCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ops = cls.env["city.card.operation"].sudo()
        with cls.at(cls.day, 10):
            payment = ops._pay(cls.card_a, cls.canteen, 4200)[0]
            ops._pay(cls.card_b, cls.canteen, 800)
            ops._pay(cls.card_b, cls.bus, 300)
        with cls.at(cls.day, 19):
            payment._refund(200)
        settlements = cls.env["city.card.settlement"]._settle(cls.day)
        cls.settlement = cls.of(settlements, cls.canteen)
        cls.bus_settlement = cls.of(settlements, cls.bus)

    def test_tour_list_detail_pdf(self):
        self.start_tour("/my", "city_card_settlement_tour", login="t_canteen_portal")

    def test_list_shows_own_settlements_only(self):
        self.authenticate("t_canteen_portal", "t_canteen_portal")
        response = self.url_open("/my/card-settlements")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.settlement.name, response.text)
        self.assertNotIn(self.bus_settlement.name, response.text)
        self.assertIn("47.71", response.text, "4,800 fen less a 28.8 fen fee, in yuan")
        response = self.url_open("/my/card-settlements?sortby=net")
        self.assertEqual(response.status_code, 200)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["card_settlement_count"]})
        self.assertEqual(counters, {"card_settlement_count": 1})

    def test_detail_and_pdf(self):
        self.authenticate("t_canteen_portal", "t_canteen_portal")
        response = self.url_open(f"/my/card-settlements/{self.settlement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_card_settlement_summary", response.text)
        self.assertIn(f"/my/card-settlements/{self.settlement.id}?report_type=pdf", response.text)
        pdf = self.url_open(f"/my/card-settlements/{self.settlement.id}?report_type=pdf&download=true")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn("attachment", pdf.headers.get("Content-Disposition", ""))
        # the test mode renders the statement's HTML in place of the PDF
        self.assertIn(self.settlement.name, pdf.content.decode())
        self.assertIn("6217 0000 1111 2222", pdf.content.decode())

    def test_other_merchant_redirected(self):
        self.authenticate("t_bus_portal", "t_bus_portal")
        # (a user whose language is not the site's default first gets the language prefix)
        for url in (
            f"/my/card-settlements/{self.settlement.id}",
            f"/my/card-settlements/{self.settlement.id}?report_type=pdf",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(urlparse(response.url).path.endswith("/my"), response.url)
            self.assertNotIn(self.settlement.name, response.text)
        response = self.url_open("/my/card-settlements")
        self.assertIn(self.bus_settlement.name, response.text)
        self.assertNotIn(self.settlement.name, response.text)

    def test_resident_has_no_settlements(self):
        self.authenticate("t_resident", "t_resident")
        response = self.url_open("/my/card-settlements")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.settlement.name, response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["card_settlement_count"]})
        self.assertEqual(counters, {"card_settlement_count": 0})
