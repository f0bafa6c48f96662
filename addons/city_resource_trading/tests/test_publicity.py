import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .evaluation_common import EvaluationCase

START = datetime.datetime(2026, 3, 28, 2, 0)
END = datetime.datetime(2026, 3, 31, 16, 0)


@tagged("post_install", "-at_install")
class TestPublicity(EvaluationCase, TransactionCase):
    def in_publicity(self):
        procedure = self.opened_procedure(state="publicity", publicity_end=END, award_amount=4_500_000)
        winner = procedure.bid_ids.sorted("price")[0]
        procedure.with_context(city_trading_internal=True).write({"winner_bid_id": winner.id})
        return procedure

    @freeze_time(START)
    def test_objection_flow_blocks_publicity(self):
        procedure = self.in_publicity()
        self.assertTrue(procedure._can_leave_publicity())
        Objection = self.env["city.trading.objection"]
        with self.assertRaises(UserError):
            Objection.with_user(self.bidder_b)._file(procedure, "  ")
        objection = Objection.with_user(self.bidder_b)._file(procedure, "第一中标候选人项目经理存在在建项目。")
        self.assertEqual(objection.bidder_id, self.company_b)
        self.assertFalse(procedure._can_leave_publicity())
        # Bidders read only their own organisation's objections.
        self.assertFalse(Objection.with_user(self.bidder_a).search([("id", "=", objection.id)]))
        with self.assertRaises(AccessError):
            objection.with_user(self.bidder_a).read(["text"])
        # Only officers answer.
        with self.assertRaises(AccessError):
            objection.with_user(self.bidder_b).action_answer("自己回答")
        with self.assertRaises(AccessError):
            objection.with_user(self.officer_other).action_answer("无权回答")
        objection.with_user(self.officer).action_answer("经核查，项目经理已办理变更，异议不成立。")
        self.assertEqual(objection.state, "answered")
        self.assertTrue(procedure._can_leave_publicity())
        with self.assertRaises(UserError):
            objection.with_user(self.officer).action_answer("再答一次")
        objection.with_user(self.bidder_b).action_close()
        self.assertEqual(objection.state, "closed")
        events = self.env["city.audit.log"].search([("chain", "=", "trading"), ("res_id", "=", procedure.id)])
        self.assertIn("trading.objection.answer", events.mapped("event"))

    @freeze_time(START)
    def test_objection_only_by_participants_during_publicity(self):
        procedure = self.opened_procedure(prices=(4_500_000, 4_700_000), state="publicity", publicity_end=END)
        with self.assertRaises(AccessError):
            self.env["city.trading.objection"].with_user(self.bidder_c)._file(procedure, "我没有投标")
        with freeze_time(END + datetime.timedelta(minutes=1)), self.assertRaises(UserError):
            self.env["city.trading.objection"].with_user(self.bidder_b)._file(procedure, "公示期已过")
        evaluation_state = self.opened_procedure(state="evaluation")
        with self.assertRaises(UserError):
            self.env["city.trading.objection"].with_user(self.bidder_b)._file(evaluation_state, "尚未公示")

    def test_complaint_dismissed_resumes_with_extension(self):
        with freeze_time(START):
            procedure = self.in_publicity()
            objection = self.env["city.trading.objection"].with_user(self.bidder_b)._file(procedure, "评分有误")
            objection.with_user(self.officer).action_answer("评分无误")
            complaint = self.env["city.trading.complaint"].with_user(self.bidder_b)._file(objection, "对答复不满意")
            with self.assertRaises(AccessError):
                self.env["city.trading.complaint"].with_user(self.bidder_a)._file(objection, "冒名投诉")
            with self.assertRaises(UserError):
                self.env["city.trading.complaint"].with_user(self.bidder_b)._file(objection, "重复投诉")
            self.assertFalse(procedure._can_leave_publicity())
            with self.assertRaises(AccessError):
                complaint.with_user(self.officer).action_accept()
            complaint.with_user(self.trd_supervisor).action_accept()
            self.assertEqual(procedure.state, "suspended")
            self.assertEqual(procedure.suspended_state, "publicity")
        with freeze_time(START + datetime.timedelta(days=2)):
            with self.assertRaises(UserError):
                complaint.with_user(self.trd_supervisor).action_decide("dismissed", "")
            complaint.with_user(self.trd_supervisor).action_decide("dismissed", "投诉缺乏事实依据，驳回。")
        self.assertEqual(complaint.state, "decided")
        self.assertEqual(procedure.state, "publicity")
        self.assertEqual(procedure.publicity_end, END + datetime.timedelta(days=2))
        self.assertTrue(procedure._can_leave_publicity())

    def test_complaint_upheld_back_to_evaluation(self):
        with freeze_time(START):
            procedure = self.opened_procedure()
            evaluation = self.env["city.trading.evaluation"].create(
                {"procedure_id": procedure.id, "specialty_ids": [(6, 0, self.road.ids)], "expert_count": 3}
            )
            evaluation.action_draw()
            for member in evaluation.member_ids.filtered(lambda m: m.state == "invited"):
                member.with_user(member.user_id).action_confirm()
            evaluation.action_rank()
            evaluation.action_confirm_report()
            objection = self.env["city.trading.objection"].with_user(self.bidder_c)._file(procedure, "价格计算错误")
            objection.with_user(self.officer).action_answer("计算无误")
            complaint = self.env["city.trading.complaint"].with_user(self.bidder_c)._file(objection, "坚持投诉")
            complaint.with_user(self.trd_supervisor).action_accept()
            complaint.with_user(self.trd_supervisor).action_decide("upheld", "投诉成立，责令重新评审。")
        self.assertEqual(procedure.state, "evaluation")
        self.assertFalse(procedure.winner_bid_id)
        self.assertEqual(evaluation.state, "scoring")

    def test_complaint_window_and_rejection(self):
        with freeze_time(START):
            procedure = self.in_publicity()
            objection = self.env["city.trading.objection"].with_user(self.bidder_b)._file(procedure, "异议")
            objection.with_user(self.officer).action_answer("答复")
        with freeze_time(START + datetime.timedelta(days=self.rule.complaint_window_days + 1)):
            with self.assertRaises(UserError):
                self.env["city.trading.complaint"].with_user(self.bidder_b)._file(objection, "超期投诉")
        with freeze_time(START + datetime.timedelta(days=1)):
            complaint = self.env["city.trading.complaint"].with_user(self.bidder_b)._file(objection, "投诉")
            complaint.with_user(self.trd_supervisor).action_reject("投诉事项与异议不一致，不予受理。")
        self.assertEqual(complaint.state, "rejected")
        self.assertEqual(procedure.state, "publicity")
        self.assertTrue(procedure._can_leave_publicity())

    def test_contract_recording(self):
        procedure = self.in_publicity()
        with self.assertRaises(UserError):
            procedure.with_user(self.officer).action_record_contract()
        procedure.with_context(city_trading_internal=True).write({"state": "awarded"})
        with self.assertRaises(UserError):
            procedure.with_user(self.officer).action_record_contract()
        procedure.with_user(self.officer).write(
            {"contract_reference": "JLHT-2026-018", "contract_date": "2026-04-10", "contract_amount": 4_500_000}
        )
        with self.assertRaises(AccessError):
            procedure.with_user(self.officer_other).action_record_contract()
        procedure.with_user(self.officer).action_record_contract()
        self.assertEqual(procedure.state, "contracted")
        self.assertTrue(
            self.env["city.audit.log"].search([("event", "=", "trading.contract"), ("res_id", "=", procedure.id)])
        )
