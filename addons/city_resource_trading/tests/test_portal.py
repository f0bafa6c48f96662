from freezegun import freeze_time

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import TradingCase


@tagged("post_install", "-at_install")
class TestPortal(TradingCase, HttpCase):
    def csrf_token(self):
        return http.Request.csrf_token(self)

    def test_public_notices(self):
        procedure = self.published_procedure()
        draft = self.make_procedure(name="尚未发布的草稿项目")
        response = self.url_open("/trading/notices")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(draft.name, response.text)
        # Newest first: other published procedures (demo data) may push this one to a later page.
        pages = [self.url_open(f"/trading/notices/page/{page}").text for page in range(1, 6)]
        self.assertTrue(any(procedure.reference in page for page in pages))
        self.assertFalse(any(draft.reference in page for page in pages))
        response = self.url_open("/trading/notices?type=land")
        self.assertNotIn(procedure.reference, response.text)
        response = self.url_open("/trading/notices?type=construction&state=published")
        self.assertIn(procedure.reference, response.text)
        response = self.url_open(f"/trading/notices/{procedure.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(procedure.name, response.text)
        self.assertEqual(self.url_open(f"/trading/notices/{draft.id}").status_code, 404)
        # The "take part" link works without a session too (no bid, no registration shown).
        response = self.url_open(f"/my/trading/{procedure.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(procedure.name, response.text)
        self.assertNotIn("o_trading_bid_form", response.text)

    def test_receipt_verification_page(self):
        procedure = self.published_procedure(bidders=[self.bidder_a])
        bid = self.submit(self.bidder_a, procedure, 4_600_000)
        ok = self.url_open(f"/trading/receipt/verify?reference={bid.reference}&signature={bid.receipt_signature}")
        self.assertIn("o_trading_receipt_valid", ok.text)
        self.assertIn(bid.price_sha256, ok.text)
        self.assertNotIn("4600000", ok.text)
        bad = self.url_open(f"/trading/receipt/verify?reference={bid.reference}&signature={'0' * 64}")
        self.assertIn("o_trading_receipt_invalid", bad.text)

    def test_portal_register_and_bid_over_http(self):
        procedure = self.published_procedure()
        self.bidder_a.password = "t_bidder_a_pw1"
        self.authenticate("t_bidder_a", "t_bidder_a_pw1")
        with freeze_time(self.at(days=1)):
            page = self.url_open(f"/my/trading/{procedure.id}")
        self.assertIn("o_trading_register", page.text)
        with freeze_time(self.at(days=1)):
            self.url_open(f"/my/trading/{procedure.id}/register", data={"csrf_token": self.csrf_token()})
        self.assertTrue(procedure._registration_for(self.company_a))
        with freeze_time(self.at(days=2)):
            response = self.url_open(
                f"/my/trading/{procedure.id}/bid",
                data={"csrf_token": self.csrf_token(), "price": "4321000", "contact_phone": "13904329999"},
                files={"bid_files": ("投标文件.pdf", b"%PDF-1.4 sealed", "application/pdf")},
            )
        self.assertEqual(response.status_code, 200)
        bid = self.env["city.trading.bid"].search([("procedure_id", "=", procedure.id)])
        self.assertEqual(bid.state, "submitted")
        self.assertEqual(bid.file_ids.filename, "投标文件.pdf")
        self.assertFalse(bid.price)
        receipt = self.url_open(f"/my/trading/bid/{bid.id}/receipt?report_type=html")
        self.assertIn(bid.receipt_signature, receipt.text)
        # Bidder B neither sees A's bid nor its receipt.
        self.bidder_b.password = "t_bidder_b_pw1"
        self.authenticate("t_bidder_b", "t_bidder_b_pw1")
        other = self.url_open(f"/my/trading/bid/{bid.id}/receipt?report_type=html")
        self.assertNotIn(bid.receipt_signature, other.text)
        self.assertNotIn(bid.reference, self.url_open(f"/my/trading/{procedure.id}").text)
