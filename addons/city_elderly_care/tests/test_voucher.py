import datetime

import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.city_special_care.tests.common import CareCase

NOV = datetime.date(2026, 11, 1)
OCT = datetime.date(2026, 10, 1)


@tagged("post_install", "-at_install")
class TestVoucher(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Policy = env["city.elderly.subsidy.policy"]
        cls.policy_80 = Policy.create(
            {
                "name": "高龄津贴",
                "category_ids": [(6, 0, cls.category("elderly_80").ids)],
                "monthly_fen": 10000,
                "valid_months": 3,
                "date_start": "2024-01-01",
            }
        )
        cls.policy_severe = Policy.create(
            {"name": "重度失能护理补贴", "care_level": "severe", "monthly_fen": 30000, "date_start": "2024-01-01"}
        )
        cls.policy_semi = Policy.create(
            {
                "name": "半失能护理补贴",
                "category_ids": [(6, 0, cls.category("disabled_semi").ids)],
                "monthly_fen": 15000,
                "date_start": "2024-01-01",
            }
        )
        cls.policies = cls.policy_80 | cls.policy_severe | cls.policy_semi
        with cls.at(datetime.datetime(2026, 11, 2, 2, 0)):
            cls.old = cls.make_recipient("孙玉珍", "19400315", "062")
            cls.old_severe = cls.make_recipient("周德福", "19380620", "071")
            assessment = cls.make_assessment(cls.old_severe, 20)
            assessment.action_confirm()
            cls.young_semi = cls.make_recipient("吴建国", "19650909", "081", grid=cls.grid_b)
            assessment = cls.make_assessment(cls.young_semi, 55)
            assessment.action_confirm()
            cls.young = cls.make_recipient("郑小红", "19700101", "092")
        cls.Voucher = env["city.elderly.voucher"]
        cls.service = env["city.elderly.service"].search([], limit=1) if "city.elderly.service" in env else None

    def issue(self, month=NOV):
        return self.Voucher._issue_month(month, policies=self.policies)

    def vouchers(self, recipient):
        return self.Voucher.search([("recipient_id", "=", recipient.id), ("policy_id", "in", self.policies.ids)])

    def make_order(self, recipient):
        Order = self.env["city.elderly.order"]
        vals = {"recipient_id": recipient.id}
        if "service_id" in Order._fields and self.service:
            vals["service_id"] = self.service.id
        return Order.create(vals)

    def assert_ledger(self, recipient):
        for voucher in self.vouchers(recipient):
            self.assertEqual(voucher.balance_fen, sum(voucher.move_ids.mapped("amount_fen")), voucher.month)

    def test_issue_matches_policies_once(self):
        self.assertEqual(self.old_severe.care_level, "severe")
        self.assertEqual(self.young_semi.care_level, "moderate")
        issued = self.issue()
        self.assertEqual(self.vouchers(self.old).policy_id, self.policy_80, "80+: allowance only")
        self.assertEqual(self.vouchers(self.old_severe).policy_id, self.policy_80 | self.policy_severe)
        self.assertEqual(self.vouchers(self.young_semi).policy_id, self.policy_semi, "moderate: 半失能 category")
        self.assertFalse(self.vouchers(self.young), "nothing matches")
        voucher = self.vouchers(self.old)
        self.assertEqual((voucher.amount_fen, voucher.balance_fen, voucher.state), (10000, 10000, "active"))
        self.assertEqual(voucher.month, NOV)
        self.assertEqual(voucher.expires_on, datetime.date(2027, 1, 31), "valid 3 months: Nov, Dec, Jan")
        self.assertEqual(
            self.vouchers(self.old_severe).filtered("policy_id.care_level").expires_on, NOV.replace(day=30)
        )
        self.assertEqual(voucher.move_ids.mapped("kind"), ["issue"])
        self.assertGreaterEqual(issued, 4)
        # the cron runs every day: the second run of the month issues nothing more
        self.assertEqual(self.issue(), 0)
        self.assertEqual(self.Voucher._issue_month(NOV.replace(day=20), policies=self.policies), 0)
        self.assertEqual(len(self.vouchers(self.old_severe)), 2)
        self.assertEqual(len(self.vouchers(self.old).move_ids), 1)

    def test_cron_issue_twice(self):
        with self.at(datetime.datetime(2026, 11, 5, 1, 0)):
            self.Voucher._cron_issue()
            self.assertEqual(self.Voucher._cron_issue(), 0)
        self.assertEqual(len(self.vouchers(self.old)), 1)

    def test_policy_period_and_archive(self):
        self.policy_severe.date_end = "2026-10-31"
        self.policy_semi.active = False
        self.issue()
        self.assertEqual(self.vouchers(self.old_severe).policy_id, self.policy_80)
        self.assertFalse(self.vouchers(self.young_semi))

    def test_spend_earliest_expiry_first_and_never_more(self):
        self.issue(OCT)
        self.issue(NOV)
        october, november = self.vouchers(self.old).sorted("month")
        order = self.make_order(self.old)
        with self.at(datetime.datetime(2026, 11, 10, 2, 0)):
            self.assertEqual(self.Voucher._balance(self.old)[self.old.id], 20000)
            self.assertEqual(self.Voucher._spend(order, 12000), 12000)
            self.assertEqual((october.balance_fen, october.state), (0, "exhausted"), "earliest expiry first")
            self.assertEqual(november.balance_fen, 8000)
            self.assertEqual(self.Voucher._spend(order, 9000), 8000, "short balance: only what is left")
            self.assertEqual(self.Voucher._balance(self.old)[self.old.id], 0)
            self.assertEqual(self.Voucher._spend(order, 500), 0)
            self.assertEqual(self.Voucher._balance(self.young), {self.young.id: 0})
            spends = self.env["city.elderly.voucher.move"].search([("order_id", "=", order.id)])
            self.assertEqual(sum(spends.mapped("amount_fen")), -20000)
            self.assertEqual(set(spends.mapped("kind")), {"spend"})
            self.assert_ledger(self.old)
            # refund: back to the same vouchers, once
            self.assertEqual(self.Voucher._refund(order), 20000)
            self.assertEqual((october.balance_fen, october.state), (10000, "active"))
            self.assertEqual(november.balance_fen, 10000)
            self.assertEqual(self.Voucher._refund(order), 0, "refunding twice gives nothing more")
            self.assert_ledger(self.old)

    def test_expiry_sweep(self):
        self.issue(OCT)
        voucher = self.vouchers(self.old)
        order = self.make_order(self.old)
        with self.at(datetime.datetime(2026, 12, 10, 2, 0)):
            self.assertEqual(self.Voucher._spend(order, 3000), 3000)
        with self.at(datetime.datetime(2026, 12, 31, 10, 0)):  # last day, city time: still valid
            self.Voucher._cron_expire()
            self.assertEqual(voucher.state, "active")
        with self.at(datetime.datetime(2027, 1, 1, 2, 0)):
            self.Voucher._cron_expire()
            self.assertEqual((voucher.balance_fen, voucher.state), (0, "expired"))
            self.assertEqual(voucher.move_ids.filtered(lambda m: m.kind == "expire").amount_fen, -7000)
            self.assert_ledger(self.old)
            self.assertEqual(self.Voucher._balance(self.old)[self.old.id], 0)
            self.assertEqual(self.Voucher._spend(order, 1000), 0, "an expired voucher cannot be spent")
            # a refund to an expired voucher expires again at once
            self.assertEqual(self.Voucher._refund(order), 3000)
            self.assertEqual((voucher.balance_fen, voucher.state), (0, "expired"))
            self.assertEqual(voucher.move_ids.sorted("id").mapped("kind")[-2:], ["refund", "expire"])
            self.assert_ledger(self.old)
            self.Voucher._cron_expire()
            self.assertEqual(len(voucher.move_ids), 5, "issue, spend, expire, refund, expire: nothing more")

    def test_balance_never_negative(self):
        self.issue()
        voucher = self.vouchers(self.old)
        with self.assertRaises(UserError):
            voucher.write({"balance_fen": -100})
        with self.assertRaises(UserError):
            voucher.write({"balance_fen": 5})
        with self.assertRaises(psycopg2.errors.CheckViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE city_elderly_voucher SET balance_fen = -1 WHERE id = %s", [voucher.id])
        with self.assertRaises(psycopg2.errors.CheckViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE city_elderly_voucher SET balance_fen = 10001 WHERE id = %s", [voucher.id])

    def test_ledger_immutable(self):
        self.issue()
        voucher = self.vouchers(self.old)
        move = voucher.move_ids
        with self.assertRaises(UserError):
            voucher.unlink()
        with self.assertRaises(UserError):
            move.write({"amount_fen": 1})
        with self.assertRaises(UserError):
            move.unlink()
        with self.assertRaises(UserError):
            self.env["city.elderly.voucher.move"].create({"voucher_id": voucher.id, "kind": "issue", "amount_fen": 5})
        self.assertEqual(voucher.balance_fen, 10000)

    def test_manual_voucher_has_issue_move(self):
        voucher = self.Voucher.create({"recipient_id": self.young.id, "policy_id": self.policy_80.id, "month": NOV})
        self.assertEqual((voucher.amount_fen, voucher.balance_fen), (10000, 10000))
        self.assertEqual(voucher.move_ids.mapped("amount_fen"), [10000])

    def test_access(self):
        self.issue()
        worker = new_test_user(
            self.env, login="t_eld_worker_a", groups="city_elderly_care.group_city_elderly_care_worker"
        )
        worker.city_division_ids = self.community_a
        Voucher = self.Voucher.with_user(worker)
        seen = Voucher.search([("policy_id", "in", self.policies.ids)]).recipient_id
        self.assertIn(self.old, seen)
        self.assertNotIn(self.young_semi, seen, "grid B is not the worker's")
        with self.assertRaises(AccessError):
            self.vouchers(self.young_semi).with_user(worker).read(["balance_fen"])
        # the family portal: a relative with consent sees the elder's vouchers, nobody else's
        self.Voucher.create({"recipient_id": self.recipient_a.id, "policy_id": self.policy_80.id, "month": NOV})
        family = self.Voucher.with_user(self.family_user).search([])
        self.assertEqual(family.recipient_id, self.recipient_a)
        self.assertTrue(self.env["city.elderly.voucher.move"].with_user(self.family_user).search([]))

    def test_report(self):
        self.issue()
        order = self.make_order(self.old)
        with self.at(datetime.datetime(2026, 11, 10, 2, 0)):
            self.Voucher._spend(order, 2500)
            wizard = self.env["city.elderly.subsidy.report"].create({"month_from": NOV, "month_to": NOV})
            rows = wizard._rows()
            mine = [row for row in rows if row[1] == self.old.community_id.id]
            self.assertEqual(sum(row[3] for row in mine), 2500)
            action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(wizard.file_data)
