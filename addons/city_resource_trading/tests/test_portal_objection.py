import datetime

from odoo import http
from odoo.tests import HttpCase, tagged

from .evaluation_common import EvaluationCase


@tagged("post_install", "-at_install")
class TestPortalObjection(EvaluationCase, HttpCase):
    def csrf_token(self):
        return http.Request.csrf_token(self)

    def test_portal_file_follow_and_complain(self):
        procedure = self.opened_procedure(
            state="publicity", publicity_end=datetime.datetime.now() + datetime.timedelta(days=3)
        )
        self.authenticate("t_bidder_b", "t_bidder_b")
        page = self.url_open(f"/my/trading/objections/new?procedure_id={procedure.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_trading_objection_form", page.text)
        response = self.url_open(
            "/my/trading/objections/new",
            data={"procedure_id": procedure.id, "text": "候选人业绩证明材料造假。", "csrf_token": self.csrf_token()},
        )
        objection = self.env["city.trading.objection"].search([("procedure_id", "=", procedure.id)])
        self.assertEqual(len(objection), 1)
        self.assertIn(f"/my/trading/objections/{objection.id}", response.url)
        self.assertIn("候选人业绩证明材料造假", response.text)
        listing = self.url_open("/my/trading/objections")
        self.assertIn(objection.reference, listing.text)
        objection.with_user(self.officer).action_answer("经核实，业绩证明真实有效。")
        detail = self.url_open(f"/my/trading/objections/{objection.id}")
        self.assertIn("经核实", detail.text)
        self.assertIn("o_trading_complaint_form", detail.text)
        response = self.url_open(
            f"/my/trading/objections/{objection.id}/complaint",
            data={"text": "答复未附核查材料。", "csrf_token": self.csrf_token()},
        )
        complaint = objection.complaint_ids
        self.assertEqual(len(complaint), 1)
        self.assertIn(f"/my/trading/complaints/{complaint.id}", response.url)
        self.assertIn(complaint.reference, self.url_open("/my/trading/complaints").text)
        # Another bidder neither sees the objection nor the complaint.
        self.authenticate("t_bidder_a", "t_bidder_a")
        self.assertNotIn(objection.reference, self.url_open("/my/trading/objections").text)
        other = self.url_open(f"/my/trading/objections/{objection.id}")
        self.assertNotIn("候选人业绩证明材料造假", other.text)
        self.assertNotIn(complaint.reference, self.url_open(f"/my/trading/complaints/{complaint.id}").text)

    def test_portal_refuses_non_participant(self):
        procedure = self.opened_procedure(
            prices=(4_500_000, 4_700_000),
            state="publicity",
            publicity_end=datetime.datetime.now() + datetime.timedelta(days=3),
        )
        self.authenticate("t_bidder_c", "t_bidder_c")
        response = self.url_open(
            "/my/trading/objections/new",
            data={"procedure_id": procedure.id, "text": "未投标也来异议", "csrf_token": self.csrf_token()},
        )
        self.assertIn("error=", response.url)
        self.assertFalse(self.env["city.trading.objection"].search([("procedure_id", "=", procedure.id)]))

    def test_objection_tour(self):
        procedure = self.opened_procedure(
            state="publicity", publicity_end=datetime.datetime.now() + datetime.timedelta(days=3)
        )
        self.start_tour(f"/my/trading/{procedure.id}", "city_trading_objection_tour", login="t_bidder_a")
        objection = self.env["city.trading.objection"].search([("procedure_id", "=", procedure.id)])
        self.assertEqual(objection.bidder_id, self.company_a)
        self.assertIn("在建工程", objection.text)

    def test_candidates_published(self):
        procedure = self.opened_procedure(
            prices=(4_500_000, 4_700_000),
            state="publicity",
            publicity_end=datetime.datetime.now() + datetime.timedelta(days=3),
        )
        bids = procedure.sudo().bid_ids.filtered(lambda bid: bid.state in ("opened", "valid")).sorted("id")
        for rank, bid in enumerate(bids, start=1):
            bid.sudo().write({"rank": rank, "score": 100 - rank})
        procedure.sudo().with_context(city_trading_internal=True).write({"winner_bid_id": bids[0].id})
        # The public reads the candidates without logging in.
        self.authenticate(None, None)
        page = self.url_open(f"/trading/notices/{procedure.id}").text
        self.assertIn("o_trading_candidates", page)
        self.assertIn(bids[0].bidder_id.name, page)
        # A participant is offered the objection; a bidder that did not take part is not.
        self.authenticate("t_bidder_a", "t_bidder_a")
        self.assertIn("o_trading_new_objection", self.url_open(f"/my/trading/{procedure.id}").text)
        self.authenticate("t_bidder_c", "t_bidder_c")
        self.assertNotIn("o_trading_new_objection", self.url_open(f"/my/trading/{procedure.id}").text)
