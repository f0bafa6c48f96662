import datetime

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import TradingCase


@tagged("post_install", "-at_install")
class TestBidderTour(TradingCase, HttpCase):
    def test_bidder_tour(self):
        now = fields.Datetime.now()
        procedure = self.make_procedure(
            name="江北污水泵站改造工程",
            bid_deadline=now + datetime.timedelta(days=25),
            opening_at=now + datetime.timedelta(days=25),
        )
        procedure.document_ids = [(0, 0, {"name": "招标文件", "filename": "zbwj.txt", "datas": "5oub5qCH5paH5Lu2"})]
        procedure.with_user(self.officer).action_publish()
        self.bidder_a.password = "t_bidder_a"
        self.start_tour("/my/trading", "city_resource_trading_bidder", login="t_bidder_a")
        self.assertTrue(procedure._registration_for(self.company_a))
        downloads = self.env["city.trading.download"].search([("procedure_id", "=", procedure.id)])
        self.assertEqual(downloads.user_id, self.bidder_a)
        question = procedure.question_ids
        self.assertEqual(question.question, "工期是否包含冬季停工期？")
        self.assertEqual(question.sudo().asker_partner_id, self.company_a)
        bid = procedure.bid_ids
        self.assertEqual((bid.state, bid.bidder_id, bid.contact_phone), ("submitted", self.company_a, "13904328888"))
        self.assertEqual(bid.file_ids.filename, "投标文件.pdf")
        self.assertFalse(bid.price)
        receipt = self.url_open(f"/my/trading/bid/{bid.id}/receipt?report_type=html")
        self.assertIn(bid.receipt_signature, receipt.text)
        self.assertIn(bid.file_ids.sha256, receipt.text)
