import datetime

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestReconciliation(SettlementCase, TransactionCase):
    """A sound ledger reconciles; each invariant broken on purpose (raw SQL in the test transaction)
    is reported by its check, with the offending records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ops = cls.env["city.card.operation"].sudo()
        with cls.at(cls.day, 9):
            cls.payment = ops._pay(cls.card_a, cls.canteen, 3000)[0]
            cls.payment._refund(1000)
            hold = ops._pay(cls.card_a, cls.canteen, 500, hold=True)[0]
            hold._capture(400)
            ops._pay(cls.card_b, cls.bus, 200)
        settlements = cls.env["city.card.settlement"]._settle(cls.day)
        cls.settlement = cls.of(settlements, cls.canteen)
        cls.bus_settlement = cls.of(settlements, cls.bus)
        with cls.at(cls.next_day, 9):
            cls.later = ops._pay(cls.card_b, cls.canteen, 700)[0]
            cls.pending = ops._pay(cls.card_b, cls.canteen, 250, hold=True, hold_minutes=60 * 24)[0]

    def run_checks(self):
        self.env.flush_all()
        self.env.invalidate_all()
        run = self.env["city.card.reconciliation"].with_user(self.card_manager).action_run()
        return self.env["city.card.reconciliation"].browse(run["res_id"])

    def line(self, run, check):
        return run.line_ids.filtered(lambda line: line.check == check)

    def assertBroken(self, run, check, offending=None):
        line = self.line(run, check)
        self.assertEqual(line.status, "broken", f"{check} should be broken: {line.details}")
        self.assertEqual(run.result, "broken")
        if offending is not None:
            self.assertIn(offending.id, line._offending_id_list(line.offending_ids))
            self.assertEqual(line.res_model, offending._name)
            action = line.action_open_offending()
            self.assertIn(offending, self.env[action["res_model"]].search(action["domain"]))
        activity = run.activity_ids.filtered(lambda activity: activity.user_id == self.card_manager)
        self.assertTrue(activity, "the card managers are told")
        return line

    def sql(self, query, params=None):
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    def test_sound_ledger_reconciles(self):
        run = self.run_checks()
        broken = run.line_ids.filtered(lambda line: line.status == "broken")
        self.assertFalse(broken, [(line.check, line.details) for line in broken])
        self.assertEqual(run.result, "ok")
        self.assertEqual(run.check_count, 11)
        self.assertEqual(run.user_id, self.card_manager)
        self.assertFalse(run.activity_ids)
        self.assertIn("700", self.line(run, "clearing").details, "clearing holds the payment after the cut-off")
        self.assertIn("250", self.line(run, "holds").details, "the hold account holds the pending hold")

    def test_access(self):
        with self.assertRaises(AccessError):
            self.env["city.card.reconciliation"].with_user(self.operator).action_run()
        with self.assertRaises(AccessError):
            self.env["city.card.reconciliation"].with_user(self.supervisor).action_run()
        run = self.env["city.card.reconciliation"]._cron_run()
        self.assertCanRead(self.supervisor, run)
        self.assertCanRead(self.supervisor, run.line_ids)
        self.assertCannotRead(self.operator, run)
        self.assertCannotWrite(self.supervisor, run, {"result": "ok"})

    def test_conservation_broken(self):
        clearing = self.env["city.card.account"]._system_account("clearing")
        self.sql(
            "INSERT INTO city_card_entry (operation_id, account_id, kind, amount, posted_at) "
            "VALUES (%s, %s, 'payment', 7, now() at time zone 'utc')",
            [self.later.id, clearing.id],
        )
        run = self.run_checks()
        self.assertBroken(run, "conservation")
        self.assertBroken(run, "balanced", self.later)
        self.assertBroken(run, "clearing")

    def test_operation_without_entries(self):
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO city_card_operation (kind, channel, amount, posted_at, refunded_amount) "
            "VALUES ('topup', 'system', 100, now() at time zone 'utc', 0) RETURNING id"
        )
        orphan = self.env["city.card.operation"].browse(self.env.cr.fetchone()[0])
        run = self.run_checks()
        self.assertBroken(run, "balanced", orphan)
        self.assertEqual(self.line(run, "conservation").status, "ok")

    def test_derivation_broken(self):
        purse = self.card_a._cash_purse()
        self.sql("UPDATE city_card_account SET cached_balance = cached_balance + 1 WHERE id = %s", [purse.id])
        run = self.run_checks()
        self.assertBroken(run, "derivation", purse)
        self.assertEqual(self.line(run, "negative_purse").status, "ok")

    def test_negative_purse(self):
        purse = self.card_b._cash_purse()
        desk_cash = self.desk._cash_account()
        overdraw = purse.cached_balance + 100
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO city_card_operation (kind, channel, amount, posted_at, refunded_amount) "
            "VALUES ('transfer', 'system', %s, now() at time zone 'utc', 0) RETURNING id",
            [overdraw],
        )
        operation_id = self.env.cr.fetchone()[0]
        self.sql(
            "INSERT INTO city_card_entry (operation_id, account_id, kind, amount, posted_at) VALUES "
            "(%(op)s, %(purse)s, 'transfer', %(minus)s, now() at time zone 'utc'), "
            "(%(op)s, %(desk)s, 'transfer', %(plus)s, now() at time zone 'utc')",
            {"op": operation_id, "purse": purse.id, "desk": desk_cash.id, "minus": -overdraw, "plus": overdraw},
        )
        run = self.run_checks()
        self.assertBroken(run, "negative_purse", purse)
        self.assertBroken(run, "derivation", purse)
        self.assertEqual(self.line(run, "conservation").status, "ok")
        self.assertEqual(self.line(run, "balanced").status, "ok")

    def test_holds_broken(self):
        self.sql("UPDATE city_card_operation SET hold_state = 'voided' WHERE id = %s", [self.pending.id])
        run = self.run_checks()
        line = self.assertBroken(run, "holds")
        self.assertIn("250", line.details)

    def test_clearing_broken(self):
        self.sql("UPDATE city_card_operation SET amount = amount + 1 WHERE id = %s", [self.later.id])
        run = self.run_checks()
        self.assertBroken(run, "clearing", self.later)

    def test_settlement_links_broken(self):
        bus_payment = self.bus_settlement.settled_operation_ids
        self.assertTrue(bus_payment)
        self.sql(
            "UPDATE city_card_operation SET settlement_id = %s WHERE id = %s", [self.settlement.id, bus_payment.id]
        )
        run = self.run_checks()
        self.assertBroken(run, "settlement_links", bus_payment)
        self.assertBroken(run, "settlement_totals", self.settlement)

    def test_settlement_missed(self):
        # an operation that existed well before the settlement and was stamped before its cut-off, left out
        before_cutoff = self.settlement.cutoff_at - datetime.timedelta(hours=1)
        self.sql(
            "UPDATE city_card_operation SET posted_at = %s, create_date = create_date - interval '1 hour' "
            "WHERE id = %s",
            [before_cutoff, self.later.id],
        )
        run = self.run_checks()
        self.assertBroken(run, "settlement_missed", self.later)
        self.assertEqual(self.line(run, "clearing").status, "ok")

    def test_settlement_totals_broken(self):
        self.sql(
            "UPDATE city_card_settlement SET payment_amount = payment_amount + 1 WHERE id = %s", [self.settlement.id]
        )
        run = self.run_checks()
        self.assertBroken(run, "settlement_totals", self.settlement)

    def test_settlement_posting_shared(self):
        self.sql(
            "UPDATE city_card_settlement SET operation_id = %s WHERE id = %s",
            [self.settlement.operation_id.id, self.bus_settlement.id],
        )
        run = self.run_checks()
        self.assertBroken(run, "settlement_totals", self.bus_settlement)

    def test_merchant_payable_broken(self):
        self.sql("UPDATE city_card_settlement SET state = 'paid' WHERE id = %s", [self.settlement.id])
        run = self.run_checks()
        self.assertBroken(run, "merchant_payable", self.canteen)

    def test_refunded_amount_broken(self):
        self.sql("UPDATE city_card_operation SET refunded_amount = 0 WHERE id = %s", [self.payment.id])
        run = self.run_checks()
        self.assertBroken(run, "refunded", self.payment)

    def test_entries_immutable_trigger_can_be_lifted_in_a_test(self):
        entry = self.later.entry_ids.filtered(lambda e: e.account_id.kind == "clearing")
        self.sql("ALTER TABLE city_card_entry DISABLE TRIGGER city_card_entry_immutable")
        self.sql("UPDATE city_card_entry SET amount = amount - 1 WHERE id = %s", [entry.id])
        self.sql("ALTER TABLE city_card_entry ENABLE TRIGGER city_card_entry_immutable")
        run = self.run_checks()
        self.assertBroken(run, "conservation")
        self.assertBroken(run, "balanced", self.later)
        self.assertBroken(run, "clearing", self.later)
