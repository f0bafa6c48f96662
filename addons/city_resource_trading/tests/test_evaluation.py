import datetime
import json

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, tagged

from ..models.city_trading_evaluation import draw_order
from .evaluation_common import EvaluationCase

NOW = datetime.datetime(2026, 3, 28, 2, 0)


@tagged("post_install", "-at_install")
class TestEvaluation(EvaluationCase, TransactionCase):
    def new_evaluation(self, procedure, count=3):
        return (
            self.env["city.trading.evaluation"]
            .with_user(self.officer)
            .create(
                {"procedure_id": procedure.id, "specialty_ids": [Command.set(self.road.ids)], "expert_count": count}
            )
        )

    def seat_all(self, evaluation):
        for member in evaluation.member_ids.filtered(lambda m: m.state == "invited"):
            member.with_user(member.user_id).action_confirm()

    def test_draw_excludes_ties_and_is_reproducible(self):
        procedure = self.opened_procedure()
        tied_bidder, tied_buyer = self.experts[0], self.experts[1]
        tied_bidder.employer_id = self.company_b
        tied_buyer.tie_partner_ids = self.buyer
        self.experts[2].blacklisted = True
        evaluation = self.new_evaluation(procedure)
        evaluation.action_draw()
        self.assertTrue(evaluation.seed)
        self.assertTrue(evaluation.verify_draw())
        pool = json.loads(evaluation.draw_pool)
        self.assertNotIn(self.experts[2].id, pool, "a blacklisted expert is never drawn")
        self.assertEqual(evaluation.member_ids.sorted("draw_position").expert_id.ids, draw_order(evaluation.seed, pool))
        by_expert = {member.expert_id: member for member in evaluation.member_ids}
        self.assertEqual(by_expert[tied_bidder].state, "excluded")
        self.assertIn(self.company_b.name, by_expert[tied_bidder].exclusion_reason)
        self.assertEqual(by_expert[tied_buyer].state, "excluded")
        self.assertIn(self.buyer.name, by_expert[tied_buyer].exclusion_reason)
        self.assertEqual(len(evaluation.member_ids.filtered(lambda m: m.state == "invited")), 3)
        self.assertEqual(len(evaluation.member_ids.filtered(lambda m: m.state == "reserve")), 1)
        # Tampering with the recorded order is detected.
        evaluation.member_ids.sorted("draw_position")[0].sudo().draw_position = 99
        self.assertFalse(evaluation.verify_draw())

    def test_open_evaluation_from_procedure(self):
        procedure = self.opened_procedure()
        action = procedure.with_user(self.officer).action_open_evaluation()
        self.assertEqual(action["context"]["default_procedure_id"], procedure.id)
        self.assertNotIn("res_id", action)
        evaluation = self.new_evaluation(procedure)
        self.assertEqual(procedure.with_user(self.officer).action_open_evaluation()["res_id"], evaluation.id)

    def test_draw_refused_without_enough_experts(self):
        procedure = self.opened_procedure()
        (self.experts[:5]).write({"employer_id": self.company_a.id})
        evaluation = self.new_evaluation(procedure)
        with self.assertRaises(UserError):
            evaluation.action_draw()

    def test_draw_only_in_evaluation(self):
        procedure = self.opened_procedure(state="bidding")
        with self.assertRaises(UserError):
            self.new_evaluation(procedure)

    def test_recusal_invites_next_and_expert_visibility(self):
        procedure = self.opened_procedure()
        evaluation = self.new_evaluation(procedure)
        evaluation.action_draw()
        invited = evaluation.member_ids.filtered(lambda m: m.state == "invited").sorted("draw_position")
        reserve = evaluation.member_ids.filtered(lambda m: m.state == "reserve").sorted("draw_position")
        first = invited[0]
        expert_user = first.user_id
        # Before confirming, the expert sees the invitation (and the parties to check) but not the procedure.
        self.assertIn(self.company_a.name, first.with_user(expert_user).conflict_check)
        with self.assertRaises(AccessError):
            procedure.with_user(expert_user).read(["name"])
        with self.assertRaises(AccessError):
            first.with_user(invited[1].user_id).action_confirm()
        first.with_user(expert_user).action_confirm()
        self.assertEqual(procedure.with_user(expert_user).name, procedure.name)
        self.assertEqual(len(procedure.with_user(expert_user).bid_ids), 3)
        # An expert of another committee sees nothing.
        outsider = reserve[-1].user_id
        with self.assertRaises(AccessError):
            procedure.with_user(outsider).read(["name"])
        # Recusal: the seat goes to the first reserve in draw order.
        with self.assertRaises(UserError):
            invited[1].with_user(invited[1].user_id).action_recuse("")
        invited[1].with_user(invited[1].user_id).action_recuse("曾参与投标人甲的项目咨询")
        self.assertEqual(invited[1].state, "recused")
        self.assertEqual(reserve[0].state, "invited")
        # Bidders never see the committee.
        with self.assertRaises(AccessError):
            self.env["city.trading.evaluation.member"].with_user(self.bidder_a).search([])
        with self.assertRaises(AccessError):
            evaluation.with_user(self.bidder_a).read(["seed"])
        self.assertTrue(
            self.env["city.audit.log"].search([("chain", "=", "trading"), ("event", "=", "trading.evaluation.recuse")])
        )

    @freeze_time(NOW)
    def test_price_only_lowest_wins_and_publicity(self):
        procedure = self.opened_procedure(prices=(4_700_000, 4_500_000, 4_900_000))
        evaluation = self.new_evaluation(procedure)
        evaluation.action_draw()
        with self.assertRaises(UserError):
            evaluation.action_rank()
        self.seat_all(evaluation)
        self.assertEqual(evaluation.state, "scoring")
        evaluation.action_rank()
        rows = evaluation._ranking_rows()
        self.assertEqual(
            [row["bidder"] for row in rows], [self.company_b.name, self.company_a.name, self.company_c.name]
        )
        self.assertEqual(rows[0]["total"], 100.0)
        pdf, _type = self.env["ir.actions.report"]._render_qweb_html(
            "city_resource_trading.city_trading_evaluation_report", evaluation.ids
        )
        self.assertIn(self.company_b.name, pdf.decode())
        evaluation.action_confirm_report()
        self.assertEqual(procedure.state, "publicity")
        self.assertEqual(procedure.winner_bid_id.bidder_id, self.company_b)
        self.assertEqual(procedure.award_amount, 4_500_000)
        # 3 full city days: 2026-03-28 10:00 Beijing -> ends 2026-04-01 00:00 Beijing (03-31 16:00 UTC).
        self.assertEqual(procedure.publicity_end, datetime.datetime(2026, 3, 31, 16, 0))
        candidates = procedure._publicity_candidates()
        self.assertEqual([c["rank"] for c in candidates], [1, 2, 3])
        self.assertTrue(candidates[0]["winner"])
        with self.assertRaises(UserError):
            evaluation.action_confirm_report()

    def test_disqualify_bid_during_evaluation(self):
        procedure = self.opened_procedure(prices=(4_700_000, 4_500_000, 4_900_000))
        evaluation = self.new_evaluation(procedure)
        evaluation.action_draw()
        self.seat_all(evaluation)
        evaluation.action_rank()
        lowest = procedure.bid_ids.sorted("price")[0]
        expert = evaluation.member_ids.filtered(lambda m: m.state == "confirmed")[0].user_id
        with self.assertRaises(AccessError):
            evaluation.with_user(expert).action_disqualify_bid()
        action = evaluation.action_disqualify_bid()
        Wizard = self.env[action["res_model"]].with_user(self.officer).with_context(**action["context"])
        with Form(Wizard) as wizard:
            wizard.bid_id = lowest
            wizard.reason = "报价低于成本，未按要求作出说明"
            form = wizard.save()
        form.action_confirm()
        self.assertEqual(lowest.state, "disqualified")
        self.assertEqual(lowest.disqualification_reason, "报价低于成本，未按要求作出说明")
        self.assertEqual(evaluation.state, "scoring")
        evaluation.action_rank()
        self.assertEqual(
            [row["bidder"] for row in evaluation._ranking_rows()], [self.company_a.name, self.company_c.name]
        )
        # a reason is required, and the bid must be a valid one of this procedure
        other = procedure.bid_ids.sorted("price")[1]
        with self.assertRaises(UserError):
            Wizard.create({"bid_id": other.id, "reason": "   "}).action_confirm()
        with self.assertRaises(UserError):
            Wizard.create({"bid_id": lowest.id, "reason": "再次取消资格"}).action_confirm()
        evaluation.action_confirm_report()
        with self.assertRaises(UserError):
            Wizard.create({"bid_id": other.id, "reason": "评审结束后"}).action_confirm()

    def test_transfer_highest_price_wins(self):
        # Land-use rights and state property are sold: the highest valid price is the best.
        land = self.env.ref("city_resource_trading.city_trading_type_land")
        procedure = self.opened_procedure(prices=(68_000_000, 71_500_000, 69_800_000), type_id=land.id)
        evaluation = self.new_evaluation(procedure)
        evaluation.action_draw()
        self.seat_all(evaluation)
        evaluation.action_rank()
        rows = evaluation._ranking_rows()
        self.assertEqual(
            [row["bidder"] for row in rows], [self.company_b.name, self.company_c.name, self.company_a.name]
        )
        self.assertEqual(rows[0]["total"], 100.0)
        self.assertLess(rows[2]["total"], rows[1]["total"])

    def test_comprehensive_scores(self):
        procedure = self.opened_procedure(prices=(4_000_000, 5_000_000), criterion="comprehensive", price_weight=60)
        Criterion = self.env["city.trading.criterion"].with_user(self.officer)
        plan = Criterion.create({"procedure_id": procedure.id, "name": "施工组织设计", "max_points": 25})
        team = Criterion.create({"procedure_id": procedure.id, "name": "项目管理班子", "max_points": 15})
        evaluation = self.new_evaluation(procedure, count=2)
        evaluation.action_draw()
        self.seat_all(evaluation)
        bid_a, bid_b = procedure.bid_ids.sorted("price")
        members = evaluation.member_ids.filtered(lambda m: m.state == "confirmed")
        Score = self.env["city.trading.score"]
        points = {bid_a: (10, 5), bid_b: (25, 15)}
        for member in members:
            for bid, (p_plan, p_team) in points.items():
                Score.with_user(member.user_id)._enter(evaluation, bid, plan, p_plan)
                Score.with_user(member.user_id)._enter(evaluation, bid, team, p_team)
        with self.assertRaises(ValidationError):
            Score.with_user(members[0].user_id)._enter(evaluation, bid_a, team, 16)
        with self.assertRaises(AccessError):
            Score.with_user(self.officer)._enter(evaluation, bid_a, team, 10)
        # An expert reads only its own scores.
        self.assertEqual(len(Score.with_user(members[0].user_id).search([])), 4)
        evaluation.action_rank()
        rows = evaluation._ranking_rows()
        # a: 60 × 4.0/4.0 + 15 = 75; b: 60 × 4.0/5.0 + 40 = 88.
        self.assertEqual(
            [(row["bidder"], row["total"]) for row in rows], [(self.company_b.name, 88.0), (self.company_a.name, 75.0)]
        )
        self.assertEqual(bid_b.rank, 1)

    def test_comprehensive_incomplete_refused(self):
        procedure = self.opened_procedure(prices=(4_000_000, 5_000_000), criterion="comprehensive", price_weight=60)
        self.env["city.trading.criterion"].create(
            {"procedure_id": procedure.id, "name": "施工组织设计", "max_points": 40}
        )
        evaluation = self.new_evaluation(procedure, count=2)
        evaluation.action_draw()
        self.seat_all(evaluation)
        with self.assertRaises(UserError):
            evaluation.action_rank()

    def test_officer_of_other_division_cannot_draw(self):
        procedure = self.opened_procedure(division_id=self.community_a.id)
        evaluation = self.env["city.trading.evaluation"].create(
            {"procedure_id": procedure.id, "specialty_ids": [Command.set(self.road.ids)], "expert_count": 3}
        )
        with self.assertRaises(AccessError):
            evaluation.with_user(self.officer_other).action_draw()
