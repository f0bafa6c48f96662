import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.city_trading_evaluation import publicity_end_after
from .common import TradingCase


@tagged("post_install", "-at_install")
class TestLifecycle(TradingCase, TransactionCase):
    def test_publish_checks_the_rule_in_force(self):
        with freeze_time(self.T0):
            short = self.make_procedure(bid_deadline=self.at(days=19), opening_at=self.at(days=19))
            with self.assertRaisesRegex(UserError, "at least 20"):
                short.with_user(self.officer).action_publish()
            self.assertEqual(short.state, "draft")
            procedure = self.make_procedure()
            procedure.with_user(self.officer).action_publish()
        rule = self.env.ref("city_resource_trading.city_trading_rule_construction_2024")
        self.assertEqual(procedure.state, "published")
        self.assertEqual(procedure.rule_id, rule)
        self.assertEqual(procedure.published_at, self.T0)
        self.assertEqual(procedure.clarification_deadline, procedure.bid_deadline - datetime.timedelta(days=15))
        self.assertEqual(procedure.clarification_start, self.at(days=5))
        self.assertTrue(procedure.seal_public_key)
        self.assertTrue(procedure.is_public)
        log = self.env["city.audit.log"].search(
            [("chain", "=", "trading"), ("event", "=", "trading.publish"), ("res_id", "=", procedure.id)]
        )
        self.assertEqual(len(log), 1)
        # The timetable and the rule are fixed by the publication.
        with self.assertRaises(UserError):
            procedure.with_user(self.officer).bid_deadline = self.at(days=30)
        with self.assertRaises(UserError):
            procedure.with_user(self.officer).write({"state": "bidding"})
        with self.assertRaises(UserError):
            procedure.with_user(self.trd_manager).write({"rule_id": False})

    def test_notice_days_counted_in_city_calendar_days(self):
        # 2026-03-01 16:30 UTC is already 2 March 00:30 in the city.
        with freeze_time(datetime.datetime(2026, 3, 1, 16, 30)):
            # 21 March 23:00 in the city: 19 city days (20 UTC days would wrongly pass).
            late_evening = datetime.datetime(2026, 3, 21, 15, 0)
            refused = self.make_procedure(bid_deadline=late_evening, opening_at=late_evening)
            with self.assertRaises(UserError):
                refused.action_publish()
            # 22 March 00:00 in the city: 20 city days.
            midnight = datetime.datetime(2026, 3, 21, 16, 0)
            accepted = self.make_procedure(bid_deadline=midnight, opening_at=midnight)
            accepted.action_publish()
        self.assertEqual((refused.state, accepted.state), ("draft", "published"))

    def test_clock_moves_states_at_deadlines(self):
        procedure = self.published_procedure()
        self.advance(self.at(days=4, hours=23))
        self.assertEqual(procedure.state, "published")
        self.advance(self.at(days=5))
        self.assertEqual(procedure.state, "clarification")
        self.advance(self.at(days=5, hours=1))  # idempotent
        self.assertEqual(procedure.state, "clarification")
        self.advance(self.at(days=10) - datetime.timedelta(seconds=1))
        self.assertEqual(procedure.state, "clarification")
        self.advance(self.at(days=10))
        self.assertEqual(procedure.state, "bidding")
        self.advance(self.at(days=25))
        # No bid: fewer valid bids than the rule's minimum of 3.
        self.assertEqual(procedure.state, "unsuccessful")
        self.assertTrue(procedure.key_released_at)
        events = (
            self.env["city.audit.log"]
            .search([("chain", "=", "trading"), ("res_id", "=", procedure.id), ("model", "=", procedure._name)])
            .mapped("event")
        )
        self.assertIn("trading.open", events)
        self.assertEqual(events.count("trading.state"), 2)

    def test_clock_catches_up_after_downtime(self):
        procedure = self.published_procedure()
        self.advance(self.at(days=40))
        self.assertEqual(procedure.state, "unsuccessful")

    def test_publicity_then_awarded(self):
        procedure = self.published_procedure()
        procedure._write_internal({"state": "evaluation"})
        with freeze_time(self.at(days=30)):
            procedure._start_publicity()
        # Full city calendar days: from the midnight (city time) after the publication.
        end = publicity_end_after(self.at(days=30), procedure.rule_id.publicity_days)
        self.assertEqual(procedure.publicity_end, end)
        self.assertGreaterEqual(end - self.at(days=30), datetime.timedelta(days=procedure.rule_id.publicity_days))
        self.advance(end - datetime.timedelta(minutes=1))
        self.assertEqual(procedure.state, "publicity")
        self.advance(end)
        self.assertEqual(procedure.state, "awarded")

    def test_suspension_extends_deadlines(self):
        procedure = self.published_procedure()
        self.advance(self.at(days=11))
        self.assertEqual(procedure.state, "bidding")
        clarification_deadline = procedure.clarification_deadline
        with freeze_time(self.at(days=12)):
            wizard = (
                self.env["city.trading.suspend.wizard"]
                .with_user(self.trd_supervisor)
                .create({"procedure_id": procedure.id, "reason": "投诉审查中"})
            )
            wizard.action_confirm()
        self.assertEqual(procedure.state, "suspended")
        self.assertEqual(procedure.suspended_state, "bidding")
        # The clock ignores a suspended procedure, even past its deadlines.
        self.advance(self.at(days=26))
        self.assertEqual(procedure.state, "suspended")
        self.assertFalse(procedure.key_released_at)
        with freeze_time(self.at(days=15, hours=6)):
            procedure.with_user(self.officer).action_resume()
        self.assertEqual(procedure.state, "bidding")
        delta = datetime.timedelta(days=3, hours=6)
        self.assertEqual(procedure.bid_deadline, self.at(days=25) + delta)
        self.assertEqual(procedure.opening_at, self.at(days=25) + delta)
        # The clarification deadline had already passed: it does not move.
        self.assertEqual(procedure.clarification_deadline, clarification_deadline)
        self.advance(self.at(days=25, hours=6))
        self.assertEqual(procedure.state, "bidding")
        events = self.env["city.audit.log"].search([("chain", "=", "trading"), ("res_id", "=", procedure.id)])
        self.assertTrue({"trading.suspend", "trading.resume"} <= set(events.mapped("event")))

    def test_termination(self):
        procedure = self.published_procedure()
        self.advance(self.at(days=11))
        # Nobody but an officer of the procedure's division terminates it, and never without a reason.
        for user in (self.bidder_a, self.auditor, self.officer_other, self.trd_supervisor):
            with self.assertRaises(AccessError):
                procedure.with_user(user)._cancel("无权终止")
        with self.assertRaises(UserError):
            procedure.with_user(self.officer)._cancel("  ")
        with freeze_time(self.at(days=12)):
            wizard = (
                self.env["city.trading.suspend.wizard"]
                .with_user(self.officer)
                .create({"procedure_id": procedure.id, "mode": "cancel", "reason": "采购需求发生重大变化"})
            )
            wizard.action_confirm()
        self.assertEqual((procedure.state, procedure.cancel_reason), ("cancelled", "采购需求发生重大变化"))
        self.assertEqual(procedure.cancelled_at, self.at(days=12))
        # Final: the clock leaves it alone, it cannot be terminated, suspended or resumed again.
        self.advance(self.at(days=26))
        self.assertEqual(procedure.state, "cancelled")
        self.assertFalse(procedure.key_released_at, "bids that were not opened stay sealed")
        with self.assertRaises(UserError):
            procedure.with_user(self.officer)._cancel("again")
        with self.assertRaises(UserError):
            procedure.with_user(self.officer)._suspend("again")
        events = self.env["city.audit.log"].search([("chain", "=", "trading"), ("res_id", "=", procedure.id)])
        self.assertIn("trading.cancel", events.mapped("event"))
        # A draft is deleted, not terminated.
        draft = (
            self.env["city.trading.procedure"]
            .with_user(self.officer)
            .create({"name": "草稿项目", "type_id": procedure.type_id.id, "buyer_id": procedure.buyer_id.id})
        )
        with self.assertRaises(UserError):
            draft._cancel("草稿")

    def test_who_may_suspend(self):
        procedure = self.published_procedure()
        for user in (self.bidder_a, self.auditor, self.officer_other):
            with self.assertRaises(AccessError):
                procedure.with_user(user)._suspend("无权暂停")
        with self.assertRaises(UserError):
            procedure.with_user(self.officer)._suspend(" ")
        procedure.with_user(self.officer)._suspend("招标文件需修改")
        with self.assertRaises(UserError):
            procedure.with_user(self.officer)._suspend("again")
        draft = self.make_procedure()
        with self.assertRaises(UserError):
            draft.with_user(self.officer)._suspend("草稿")

    def test_one_failing_opening_does_not_block_the_others(self):
        broken = self.published_procedure()
        sound = self.published_procedure(name="另一个项目")
        Procedure = type(broken)
        original = Procedure._open_bids

        def open_or_fail(procedure):
            if procedure == broken:
                procedure._write_internal({"state": "opening", "key_released_at": fields.Datetime.now()})
                raise ValueError("master key missing")
            return original(procedure)

        with (
            patch.object(Procedure, "_open_bids", open_or_fail),
            mute_logger("odoo.addons.city_resource_trading.models.city_trading_procedure"),
        ):
            self.advance(self.at(days=25))
        self.assertEqual(sound.state, "unsuccessful")
        # The failed opening was rolled back entirely and is retried by the next run.
        self.assertEqual(broken.state, "bidding")
        self.assertFalse(broken.key_released_at)
        self.advance(self.at(days=25, hours=1))
        self.assertEqual(broken.state, "unsuccessful")
