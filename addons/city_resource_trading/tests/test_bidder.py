from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import TradingCase


@tagged("post_install", "-at_install")
class TestBidder(TradingCase, TransactionCase):
    def blacklist(self, partner, valid_from="2026-01-01"):
        return self.env["city.credit.record"].create(
            {
                "partner_id": partner.id,
                "kind": "blacklist",
                "source": "信用中国（吉林）",
                "reason": "围标串标",
                "valid_from": valid_from,
            }
        )

    def test_registration_requires_valid_unblacklisted_organisation(self):
        procedure = self.published_procedure()
        with freeze_time(self.at(days=1)):
            registration = procedure.with_user(self.bidder_a)._register_bidder()
            self.assertEqual(registration.partner_id, self.company_a)
            # Registering twice returns the same registration.
            self.assertEqual(procedure.with_user(self.bidder_a)._register_bidder(), registration)
            self.blacklist(self.company_b)
            with self.assertRaisesRegex(UserError, "blacklist"):
                procedure.with_user(self.bidder_b)._register_bidder()
            loose = self.env["res.partner"].create({"name": "无代码商行", "is_company": True})
            loose_user = self.bidder_user("t_bidder_loose", loose, "钱老板")
            with self.assertRaisesRegex(UserError, "social credit code"):
                procedure.with_user(loose_user)._register_bidder()
        with freeze_time(self.at(days=25)):
            with self.assertRaises(UserError):
                procedure.with_user(self.bidder_c)._register_bidder()
        draft = self.make_procedure()
        with self.assertRaises(AccessError):
            draft.with_user(self.bidder_c)._register_bidder()
        # A bidder sees its own registration only.
        procedure.with_user(self.bidder_c).invalidate_recordset()
        self.assertFalse(self.env["city.trading.registration"].with_user(self.bidder_c).search([]))

    def test_documents_for_registered_bidders_and_logged(self):
        procedure = self.published_procedure(bidders=[self.bidder_a])
        document = procedure.document_ids
        # The file itself is not readable through the ORM by bidders or the public.
        with self.assertRaises(AccessError):
            document.with_user(self.bidder_a).read(["datas"])
        with self.assertRaises(AccessError):
            document.with_user(self.bidder_b)._download("10.0.0.2")
        with freeze_time(self.at(days=2)):
            filename, content = document.with_user(self.bidder_a)._download("10.0.0.1")
        self.assertEqual(filename, "zbwj.pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        log = self.env["city.trading.download"].with_user(self.officer).search([("document_id", "=", document.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.partner_id, log.user_id, log.ip, log.downloaded_at),
            (self.company_a, self.bidder_a, "10.0.0.1", self.at(days=2)),
        )
        with self.assertRaises(AccessError):
            self.env["city.trading.download"].with_user(self.bidder_a).search([])
        self.assertEqual(document.download_count, 1)

    def test_anonymous_questions(self):
        procedure = self.published_procedure(bidders=[self.bidder_a, self.bidder_b])
        with freeze_time(self.at(days=3)):
            question = procedure.with_user(self.bidder_a)._ask_question("工期能否延长至180天？")
        with self.assertRaises(AccessError):
            procedure.with_user(self.bidder_c)._ask_question("未报名也想问")
        # The asker is stored for the auditor only.
        self.assertEqual(question.with_user(self.auditor).asker_partner_id, self.company_a)
        for user in (self.officer, self.trd_supervisor, self.trd_manager, self.bidder_a, self.bidder_b):
            with self.assertRaises(AccessError, msg=user.login):
                question.with_user(user).read(["asker_partner_id"])
            with self.assertRaises(AccessError, msg=user.login):
                question.with_user(user).read(["asker_user_id"])
        # Other bidders do not see an unanswered question; officers answer it.
        self.assertFalse(
            self.env["city.trading.question"].with_user(self.bidder_b).search([("procedure_id", "=", procedure.id)])
        )
        self.assertCanRead(self.officer, question, ["question"])
        question.with_user(self.officer).answer = "工期不变，仍为150日历天。"
        question.with_user(self.officer).action_answer()
        self.assertEqual(question.state, "answered")
        public = self.env.ref("base.public_user")
        for user in (self.bidder_b, public):
            self.assertEqual(
                self.env["city.trading.question"].with_user(user).search([("procedure_id", "=", procedure.id)]),
                question,
            )
        with self.assertRaises(UserError):
            question.with_user(self.officer).answer = "改口"
        # The audit trail of the question does not name the asker either.
        ask = self.env["city.audit.log"].search(
            [("chain", "=", "trading"), ("event", "=", "trading.ask"), ("res_id", "=", procedure.id)]
        )
        self.assertEqual(len(ask), 1)
        self.assertNotEqual(ask.user_id, self.bidder_a)
        self.assertNotIn(str(self.company_a.id), ask.payload.replace(f'"question": {question.id}', ""))
        # Questions close at the clarification deadline.
        with freeze_time(self.at(days=10)):
            self.env["city.trading.procedure"]._cron_advance()
            with self.assertRaisesRegex(UserError, "clarification period is over"):
                procedure.with_user(self.bidder_b)._ask_question("截止后提问")

    def test_amendment_requires_reconfirmation(self):
        procedure = self.published_procedure(bidders=[self.bidder_a, self.bidder_b, self.bidder_c])
        bid_a = self.submit(self.bidder_a, procedure, 4_600_000)
        bid_b = self.submit(self.bidder_b, procedure, 4_700_000)
        bid_c = self.submit(self.bidder_c, procedure, 4_800_000)
        with freeze_time(self.at(days=12)):
            amendment = (
                self.env["city.trading.amendment"]
                .with_user(self.officer)
                .create(
                    {
                        "procedure_id": procedure.id,
                        "name": "关于工程量清单的更正",
                        "body": "<p>第3章清单第12项更正。</p>",
                    }
                )
            )
            amendment.action_publish()
        self.assertEqual(amendment.reconfirm_count, 3)
        self.assertTrue(all((bid_a | bid_b | bid_c).mapped("reconfirm_required")))
        with freeze_time(self.at(days=13)):
            bid_a.with_user(self.bidder_a).action_reconfirm()
            bid_b.with_user(self.bidder_b).action_reconfirm()
            with self.assertRaises(AccessError):
                bid_c.with_user(self.bidder_a).action_reconfirm()
        self.assertFalse(bid_a.reconfirm_required)
        self.advance(self.at(days=25))
        self.assertEqual(bid_c.state, "disqualified")
        self.assertIn("reconfirmed", bid_c.disqualification_reason)
        self.assertEqual((bid_a.state, bid_b.state), ("opened", "opened"))
        # Two valid bids, the rule asks for three.
        self.assertEqual(procedure.state, "unsuccessful")
        public = self.env.ref("base.public_user")
        self.assertEqual(
            self.env["city.trading.amendment"].with_user(public).search([("procedure_id", "=", procedure.id)]),
            amendment,
        )
