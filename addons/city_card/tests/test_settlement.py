import datetime

import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlement(SettlementCase, TransactionCase):
    def test_amounts_and_posting(self):
        with self.at(self.day, 8, 10):
            first = self.pay(self.card_a, 1250)[0]
            self.pay(self.card_b, 3000)
            hold = self.pay(self.card_a, 2000, hold=True)[0]
            capture = hold._capture(1500)[0]
            self.pay(self.card_a, 200, merchant=self.bus)
        with self.at(self.day, 18, 30):
            refund = first._refund(500)[0]
            self.pay(self.card_b, 400, merchant=self.bus)
        settlements = self.settle(self.day)
        canteen = self.of(settlements, self.canteen)
        self.assertEqual(len(canteen), 1)
        self.assertEqual(
            (canteen.payment_count, canteen.payment_amount, canteen.refund_count, canteen.refund_amount),
            (3, 5750, 1, 500),
            "payments and captures count as payments, holds do not",
        )
        # 5,250 fen × 0.60 % = 31.5 fen: rounded half up
        self.assertEqual((canteen.fee_amount, canteen.net_amount), (32, 5218))
        self.assertEqual(canteen.net_amount_yuan, 52.18)
        self.assertEqual(canteen.date, self.day)
        self.assertTrue(canteen.name.startswith("JS" + self.day.strftime("%Y%m%d")), canteen.name)
        self.assertIn(capture, canteen.settled_operation_ids)
        self.assertIn(refund, canteen.settled_operation_ids)
        self.assertNotIn(hold, canteen.settled_operation_ids)
        posting = canteen.operation_id
        self.assertEqual((posting.kind, posting.amount, posting.merchant_id), ("settlement", 5250, self.canteen))
        lines = {entry.account_id.kind: entry.amount for entry in posting.entry_ids}
        self.assertEqual(lines, {"clearing": -5250, "merchant": 5218, "fee_income": 32})
        self.assertEqual(self.payable_balance(self.canteen), 5218)
        bus = self.of(settlements, self.bus)
        # 600 fen × 0.30 % = 1.8 fen: 2 fen
        self.assertEqual((bus.payment_count, bus.payment_amount, bus.fee_amount, bus.net_amount), (2, 600, 2, 598))
        self.assertEqual(bus.state, "posted")
        self.assertLedgerSound()
        audit = self.env["city.audit.log"].search(
            [("chain", "=", "card"), ("event", "=", "card.settlement"), ("res_id", "=", canteen.id)]
        )
        self.assertEqual(len(audit), 1)

    def test_fee_rounding(self):
        self.assertEqual(self.canteen._fee(8250), 50, "49.5 fen rounds up")
        self.assertEqual(self.canteen._fee(8249), 49, "49.494 fen rounds down")
        self.assertEqual(self.canteen._fee(1), 0)
        self.assertEqual(self.canteen._fee(0), 0)
        self.assertEqual(self.canteen._fee(-500), 0, "no fee when refunds exceed payments")
        with self.at(self.day, 12):
            self.pay(self.card_a, 8250)
        with self.at(self.next_day, 12):
            self.pay(self.card_a, 8249)
        first = self.of(self.settle(self.day), self.canteen)
        second = self.of(self.settle(self.next_day), self.canteen)
        self.assertEqual((first.fee_amount, first.net_amount), (50, 8200))
        self.assertEqual((second.fee_amount, second.net_amount), (49, 8200))

    def test_refund_after_settlement_netted_next_day(self):
        with self.at(self.day, 9):
            payment = self.pay(self.card_a, 10000)[0]
        first = self.of(self.settle(self.day), self.canteen)
        self.assertEqual(first.net_amount, 10000 - 60)
        with self.at(self.next_day, 9):
            refund = payment._refund(3000)[0]
            self.pay(self.card_b, 1000)
        self.assertFalse(refund.settlement_id, "a refund after the settlement waits for the next one")
        second = self.of(self.settle(self.next_day), self.canteen)
        self.assertEqual(refund.settlement_id, second)
        self.assertEqual(payment.settlement_id, first, "the payment stays in its own settlement")
        self.assertEqual(
            (second.payment_amount, second.refund_amount, second.fee_amount, second.net_amount), (1000, 3000, 0, -2000)
        )
        # more refunded than paid: the difference goes back from the merchant's account to clearing
        lines = {entry.account_id.kind: entry.amount for entry in second.operation_id.entry_ids}
        self.assertEqual(lines, {"clearing": 2000, "merchant": -2000})
        self.assertEqual(self.clearing_balance(), 0)
        self.assertEqual(self.payable_balance(self.canteen), 9940 - 2000)
        # a merchant owing money is not paid alone; paid with the earlier day it nets
        with self.assertRaises(UserError):
            second.with_user(self.card_manager).action_mark_paid()
        (first | second).with_user(self.card_manager).action_mark_paid()
        self.assertEqual(first.payout_operation_id, second.payout_operation_id)
        self.assertEqual(first.payout_operation_id.amount, 7940)
        self.assertEqual(self.payable_balance(self.canteen), 0)
        self.assertLedgerSound()

    def test_no_double_settlement(self):
        with self.at(self.day, 10):
            payment = self.pay(self.card_a, 700)[0]
        first = self.of(self.settle(self.day), self.canteen)
        self.assertEqual(payment.settlement_id, first)
        self.assertFalse(self.of(self.settle(self.day), self.canteen), "a day is settled once per merchant")
        self.assertFalse(self.of(self.settle(self.next_day), self.canteen), "nothing new to settle")
        self.assertEqual(payment.settlement_id, first)
        # a payment posted late but stamped before the day's cut-off goes into the next settlement
        with self.at(self.day, 23, 59):
            late = self.pay(self.card_a, 300)[0]
        self.assertFalse(self.of(self.settle(self.day), self.canteen))
        second = self.of(self.settle(self.next_day), self.canteen)
        self.assertEqual(late.settlement_id, second)
        self.assertEqual((second.payment_count, second.payment_amount), (1, 300))
        self.env.cr.execute(
            "SELECT COUNT(*) FROM city_card_operation WHERE id = ANY(%s) AND settlement_id IS NOT NULL",
            [[payment.id, late.id]],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 2)
        self.assertEqual(first.payment_amount + second.payment_amount, 1000, "each posting counted once")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            self.env["city.card.settlement"].sudo().create(
                {"merchant_id": self.canteen.id, "date": self.day, "cutoff_at": first.cutoff_at}
            )
            self.env.flush_all()

    def test_clearing_back_to_zero(self):
        with self.at(self.day, 0, 1):
            early = self.pay(self.card_a, 1000)[0]
        with self.at(self.day, 23, 59):
            self.pay(self.card_b, 2000, merchant=self.bus)
            early._refund(300)
        with self.at(self.next_day, 0, 0):
            after = self.pay(self.card_a, 450)[0]
        with self.at(self.next_day, 0, 1):
            self.pay(self.card_b, 50, merchant=self.bus)
        settlements = self.settle(self.day)
        self.assertEqual(self.of(settlements, self.canteen).payment_amount, 1000)
        self.assertEqual(self.of(settlements, self.bus).payment_amount, 2000)
        self.assertFalse(after.settlement_id, "midnight belongs to the next business day")
        self.assertEqual(self.clearing_balance(), 500, "clearing holds only what was posted after the cut-off")
        self.settle(self.next_day)
        self.assertEqual(self.clearing_balance(), 0)
        self.assertLedgerSound()

    def test_cutoff_is_configurable(self):
        self.env["ir.config_parameter"].sudo().set_param("city_card.settlement_cutoff_hour", "22")
        Settlement = self.env["city.card.settlement"]
        self.assertEqual(
            Settlement._cutoff_at(self.day),
            datetime.datetime.combine(self.day, datetime.time(14, 0)),
            "22:00 Beijing time is 14:00 UTC",
        )
        with self.at(self.day, 21, 59):
            before = self.pay(self.card_a, 100)[0]
        with self.at(self.day, 22, 0):
            after = self.pay(self.card_a, 200)[0]
        self.settle(self.day)
        self.assertTrue(before.settlement_id)
        self.assertFalse(after.settlement_id)
        self.assertEqual(self.settle(self.next_day).settled_operation_ids & after, after)

    def test_daily_job_settles_the_closed_day(self):
        with self.at(self.day, 15):
            payment = self.pay(self.card_a, 990)[0]
        Settlement = self.env["city.card.settlement"]
        with self.at(self.day, 23, 30):
            self.assertEqual(Settlement._last_closed_day(), self.day - datetime.timedelta(days=1))
        with self.at(self.next_day, 0, 30):
            self.assertEqual(Settlement._last_closed_day(), self.day)
            settlements = Settlement._cron_settle()
        self.assertEqual(payment.settlement_id, self.of(settlements, self.canteen))
        self.assertEqual(payment.settlement_id.date, self.day)

    def test_zero_net_posts_nothing(self):
        with self.at(self.day, 11):
            payment = self.pay(self.card_a, 1000)[0]
            payment._refund()
        settlement = self.of(self.settle(self.day), self.canteen)
        self.assertEqual((settlement.payment_count, settlement.refund_count, settlement.net_amount), (1, 1, 0))
        self.assertFalse(settlement.operation_id)
        settlement.with_user(self.card_manager).action_mark_paid()
        self.assertEqual(settlement.state, "paid")
        self.assertFalse(settlement.payout_operation_id)
        self.assertLedgerSound()

    def test_payout(self):
        with self.at(self.day, 9):
            self.pay(self.card_a, 5000)
        settlement = self.of(self.settle(self.day), self.canteen)
        self.assertEqual(settlement.net_amount, 4970)
        settlement.with_user(self.card_manager).action_mark_paid()
        self.assertEqual(settlement.state, "paid")
        self.assertEqual(settlement.paid_by_id, self.card_manager)
        payout = settlement.payout_operation_id
        self.assertEqual((payout.kind, payout.amount, payout.merchant_id), ("payout", 4970, self.canteen))
        lines = {entry.account_id.kind: entry.amount for entry in payout.entry_ids}
        self.assertEqual(lines, {"merchant": -4970, "payout": 4970})
        self.assertEqual(self.payable_balance(self.canteen), 0)
        with self.assertRaises(UserError):
            settlement.with_user(self.card_manager).action_mark_paid()
        audit = self.env["city.audit.log"].search(
            [("chain", "=", "card"), ("event", "=", "card.payout"), ("res_id", "=", settlement.id)]
        )
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit.user_id, self.card_manager)
        self.assertTrue(self.env["city.audit.log"].verify(["card"])["ok"])
        self.assertLedgerSound()

    def test_access(self):
        with self.at(self.day, 9):
            self.pay(self.card_a, 5000)
        settlement = self.of(self.settle(self.day), self.canteen)
        # desk operators never see settlements
        self.assertCannotRead(self.operator, settlement)
        with self.assertRaises(AccessError):
            settlement.with_user(self.operator).action_mark_paid()
        with self.assertRaises(AccessError):
            self.env["city.card.settlement"].with_user(self.operator).action_settle_last_day()
        # supervisors read but neither write nor pay out
        self.assertCanRead(self.supervisor, settlement)
        self.assertCannotWrite(self.supervisor, settlement, {"net_amount": 1})
        with self.assertRaises(AccessError):
            settlement.with_user(self.supervisor).action_mark_paid()
        # managers read, pay out, but do not edit amounts by hand
        self.assertCanRead(self.card_manager, settlement)
        self.assertCannotWrite(self.card_manager, settlement, {"net_amount": 1})
        # the merchant's business users see their settlements, other merchants' users do not
        self.assertCanRead(self.canteen_user, settlement)
        self.assertCannotRead(self.bus_user, settlement)
        self.assertCannotRead(self.portal_resident, settlement)
        Settlement = self.env["city.card.settlement"]
        self.assertFalse(Settlement.with_user(self.bus_user).search([("id", "=", settlement.id)]))
        self.assertEqual(Settlement.with_user(self.canteen_user).search([("id", "=", settlement.id)]), settlement)
        with self.assertRaises(AccessError):
            settlement.with_user(self.canteen_user).action_mark_paid()
        self.assertEqual(settlement.state, "posted")

    def test_statement_summary_and_pdf(self):
        with self.at(self.day, 9):
            payment = self.pay(self.card_a, 1200)[0]
            self.pay(self.card_b, 800)
        with self.at(self.day, 20):
            payment._refund(200)
        with self.at(self.day - datetime.timedelta(days=1), 20):
            self.pay(self.card_b, 300)
        settlement = self.of(self.settle(self.day), self.canteen)
        summary = [
            (line["day"], line["kind"], line["count"], line["amount"]) for line in settlement._statement_summary()
        ]
        self.assertEqual(
            summary,
            [
                (self.day - datetime.timedelta(days=1), "payment", 1, 300),
                (self.day, "payment", 2, 2000),
                (self.day, "refund", 1, 200),
            ],
            "summed by local day and kind",
        )
        html, report_format = self.env["ir.actions.report"]._render_qweb_pdf(
            "city_card.city_card_settlement_action_report", settlement.ids
        )
        self.assertEqual(report_format, "html", "test mode renders the PDF's HTML")
        content = html.decode()
        self.assertIn(settlement.name, content)
        self.assertIn("6217 0000 1111 2222", content, "the merchant's bank account")
        self.assertIn(self.canteen.name, content)
        self.assertIn("23.00", content, "payments in yuan")
        self.assertIn("-2.00", content, "refunds in yuan")
        self.assertEqual((settlement.fee_amount, settlement.net_amount), (13, 2087), "2,100 fen × 0.60 % = 12.6 fen")
        self.assertIn("-0.13", content, "the fee")
        self.assertIn("20.87", content, "the net amount")
