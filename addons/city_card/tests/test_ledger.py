import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CardCase


@tagged("post_install", "-at_install")
class TestLedger(CardCase, TransactionCase):
    def test_topup_and_payment_balance(self):
        self.topup(self.card_a, 10000)
        operation, response, replayed = self.pay(self.card_a, 2550)
        self.assertFalse(replayed)
        self.assertEqual(response["balance"], {"cash": 7450, "subsidy": 0, "total": 7450})
        self.assertEqual(sorted(operation.entry_ids.mapped("amount")), [-2550, 2550])
        purse_line = operation.entry_ids.filtered(lambda e: e.account_id.is_purse)
        self.assertEqual(purse_line.balance_after, 7450)
        self.assertEqual(purse_line.card_id, self.card_a)
        self.assertLedgerSound()

    def test_insufficient_funds_posts_nothing(self):
        self.topup(self.card_a, 1000)
        count = self.env["city.card.entry"].search_count([])
        with self.assertRaises(UserError) as caught:
            self.pay(self.card_a, 1001)
        self.assertEqual(caught.exception.code, "insufficient_funds")
        self.assertEqual(self.env["city.card.entry"].search_count([]), count)
        self.assertEqual(self.card_a._balances()["cash"], 1000)

    def test_purse_never_negative_in_database(self):
        self.topup(self.card_a, 100)
        purse = self.card_a._cash_purse()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.CheckViolation), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE city_card_account SET cached_balance = -1 WHERE id = %s", [purse.id])

    def test_entries_and_operations_immutable(self):
        operation = self.topup(self.card_a, 500)
        entry = operation.entry_ids[0]
        with self.assertRaises(UserError):
            entry.write({"amount": 1})
        with self.assertRaises(UserError):
            entry.unlink()
        with self.assertRaises(AccessError):
            self.env["city.card.entry"].create({"operation_id": operation.id})
        with self.assertRaises(UserError):
            operation.write({"amount": 1})
        with self.assertRaises(UserError):
            operation.unlink()
        with self.assertRaises(UserError):
            self.env["city.card.operation"].create({"kind": "topup", "amount": 1})
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE city_card_entry SET amount = amount + 1 WHERE id = %s", [entry.id])
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
            self.env.cr.execute("DELETE FROM city_card_entry WHERE id = %s", [entry.id])

    def test_unbalanced_posting_refused(self):
        purse = self.card_a._cash_purse()
        with self.assertRaises(UserError):
            self.ops._post([{"vals": {"kind": "topup", "amount": 5}, "lines": [(purse.id, 5)]}])
        with self.assertRaises(UserError):
            self.ops._post([{"vals": {"kind": "topup", "amount": 5}, "lines": [(purse.id, 5.0), (purse.id, -5.0)]}])

    def test_idempotent_retry_and_conflict(self):
        self.topup(self.card_a, 5000)
        first = self.pay(self.card_a, 1200, key="pos-1")
        again = self.pay(self.card_a, 1200, key="pos-1")
        self.assertEqual(first[0], again[0])
        self.assertTrue(again[2], "the retry is reported as a replay")
        self.assertEqual(first[1], again[1], "the retry returns the original result")
        self.assertEqual(self.card_a._balances()["cash"], 3800, "charged once")
        with self.assertRaises(UserError) as caught:
            self.pay(self.card_a, 1300, key="pos-1")
        self.assertEqual((caught.exception.code, caught.exception.status), ("idempotency_conflict", 409))
        # the same key in another scope is another request
        self.ops._topup(self.card_a, 100, desk=self.desk, key="pos-1", scope="desk:other")
        self.assertLedgerSound()

    def test_subsidy_first_then_cash_and_only_where_accepted(self):
        self.topup(self.card_a, 1000)
        self.ops._credit_subsidy(self.card_a, 300, "2099-06-30")
        self.ops._credit_subsidy(self.card_a, 200, "2099-01-31")
        operation = self.pay(self.card_a, 600)[0]  # canteen accepts subsidies
        taken = {
            e.account_id.expires_on and str(e.account_id.expires_on) or "cash": -e.amount
            for e in operation.entry_ids
            if e.account_id.is_purse
        }
        self.assertEqual(taken, {"2099-01-31": 200, "2099-06-30": 300, "cash": 100}, "earliest expiry first")
        self.ops._credit_subsidy(self.card_a, 500, "2099-01-31")
        self.bus.accepts_subsidy = False
        operation = self.pay(self.card_a, 200, merchant=self.bus)[0]
        purses = operation.entry_ids.filtered(lambda e: e.account_id.is_purse).account_id
        self.assertEqual(purses.mapped("kind"), ["purse_cash"], "the bus takes cash only")
        self.assertLedgerSound()

    def test_refund_returns_to_the_purses_it_came_from(self):
        self.topup(self.card_a, 1000)
        self.ops._credit_subsidy(self.card_a, 300, "2099-06-30")
        payment = self.pay(self.card_a, 800)[0]  # 300 subsidy + 500 cash
        payment._refund(400)  # cash first
        self.assertEqual(self.card_a._balances(), {"cash": 900, "subsidy": 0, "total": 900})
        payment._refund()  # the rest: 100 cash, 300 subsidy
        self.assertEqual(self.card_a._balances(), {"cash": 1000, "subsidy": 300, "total": 1300})
        self.assertEqual(payment.refunded_amount, 800)
        with self.assertRaises(UserError) as caught:
            payment._refund(1)
        self.assertEqual(caught.exception.code, "refund_exceeds")
        self.assertLedgerSound()

    def test_refund_only_payments(self):
        topup = self.topup(self.card_a, 1000)
        with self.assertRaises(UserError) as caught:
            topup._refund(100)
        self.assertEqual(caught.exception.code, "not_refundable")

    def test_hold_capture_partial_releases_rest(self):
        self.topup(self.card_a, 1000)
        hold, response, _replayed = self.pay(self.card_a, 600, hold=True, hold_minutes=15)
        self.assertEqual(response["hold_state"], "pending")
        self.assertEqual(self.card_a._balances()["cash"], 400, "held money cannot be spent")
        capture = hold._capture(450)[0]
        self.assertEqual(hold.hold_state, "captured")
        self.assertEqual(capture.amount, 450)
        self.assertEqual(self.card_a._balances()["cash"], 550)
        with self.assertRaises(UserError) as caught:
            hold._capture(10)
        self.assertEqual(caught.exception.code, "hold_not_pending")
        with self.assertRaises(UserError):
            hold._void()
        capture._refund(450)
        self.assertEqual(self.card_a._balances()["cash"], 1000)
        self.assertLedgerSound()

    def test_capture_more_than_held_refused(self):
        self.topup(self.card_a, 1000)
        hold = self.pay(self.card_a, 300, hold=True)[0]
        with self.assertRaises(UserError) as caught:
            hold._capture(301)
        self.assertEqual(caught.exception.code, "capture_exceeds")

    def test_void_and_expiry(self):
        self.topup(self.card_a, 1000)
        hold = self.pay(self.card_a, 300, hold=True)[0]
        hold._void()
        self.assertEqual(hold.hold_state, "voided")
        self.assertEqual(self.card_a._balances()["cash"], 1000)
        with freeze_time("2026-01-01 08:00:00"):
            late = self.pay(self.card_a, 200, hold=True, hold_minutes=10)[0]
        with freeze_time("2026-01-01 08:30:00"):
            with self.assertRaises(UserError) as caught:
                late._capture()
            self.assertEqual(caught.exception.code, "hold_expired")
            self.ops._expire_holds()
        self.assertEqual(late.hold_state, "expired")
        self.assertEqual(self.card_a._balances()["cash"], 1000)
        self.assertLedgerSound()

    def test_subsidy_expiry_sweep(self):
        with freeze_time("2026-03-01"):
            self.ops._credit_subsidy(self.card_a, 500, "2026-03-31")
            self.pay(self.card_a, 200)
        with freeze_time("2026-03-31"):
            self.assertFalse(self.ops._expire_subsidies(), "valid through its last day")
            self.assertEqual(self.card_a._balances()["subsidy"], 300)
        with freeze_time("2026-04-01"):
            self.assertEqual(self.card_a._balances()["subsidy"], 0, "an expired subsidy is not spendable")
            with self.assertRaises(UserError):
                self.pay(self.card_a, 100)
            swept = self.ops._expire_subsidies()
            self.assertEqual(swept.mapped("amount"), [300])
            self.assertFalse(self.ops._expire_subsidies(), "the sweep runs once")
        self.assertLedgerSound()

    def test_subsidy_in_the_past_refused(self):
        with self.assertRaises(UserError):
            self.ops._credit_subsidy(self.card_a, 500, "2000-01-01")

    def test_cash_purse_limit(self):
        self.env["ir.config_parameter"].sudo().set_param("city_card.max_cash_balance", "10000")
        self.topup(self.card_a, 9000)
        with self.assertRaises(UserError) as caught:
            self.topup(self.card_a, 1001)
        self.assertEqual(caught.exception.code, "balance_limit")

    def test_function_and_merchant_checks(self):
        self.topup(self.card_a, 1000)
        self.card_a.function_ids -= self.env.ref("city_card.function_transit")
        with self.assertRaises(UserError) as caught:
            self.pay(self.card_a, 100, merchant=self.bus)
        self.assertEqual(caught.exception.code, "function_disabled")
        self.canteen.state = "suspended"
        with self.assertRaises(UserError) as caught:
            self.pay(self.card_a, 100)
        self.assertEqual(caught.exception.code, "merchant_inactive")

    def test_transit_fares_per_card_type(self):
        senior = self.make_card(
            self.make_resident("孙奶奶", birth="19480101", sequence="102"),
            card_type=self.env.ref("city_card.type_senior"),
        )
        student = self.make_card(
            self.make_resident("周同学", birth="20100101", sequence="112"),
            card_type=self.env.ref("city_card.type_student"),
        )
        for card in (self.card_a, senior, student):
            self.topup(card, 1000)
        self.assertEqual(self.pay(self.card_a, None, merchant=self.bus, full_fare=200)[1]["amount"], 200)
        self.assertEqual(self.pay(student, None, merchant=self.bus, full_fare=200)[1]["amount"], 100)
        free = self.pay(senior, None, merchant=self.bus, full_fare=200)[1]
        self.assertTrue(free["free_ride"])
        self.assertEqual(senior._balances()["cash"], 1000)
        with self.assertRaises(UserError):
            self.pay(self.card_a, None, full_fare=200)  # the canteen is no transit operator

    def test_amount_validation(self):
        for amount in (0, -5, 1.5, "100", True):
            with self.assertRaises(UserError, msg=repr(amount)):
                self.topup(self.card_a, amount)

    def test_blocked_card_cannot_pay_but_can_be_refunded(self):
        self.topup(self.card_a, 1000)
        payment = self.pay(self.card_a, 500)[0]
        self.card_a.action_report_lost()
        with self.assertRaises(UserError) as caught:
            self.pay(self.card_a, 100)
        self.assertEqual(caught.exception.code, "card_not_active")
        payment._refund()
        self.assertEqual(self.card_a._balances()["cash"], 1000, "a refund reaches a lost card's purse")
        self.assertLedgerSound()
