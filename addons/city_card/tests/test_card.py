from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from ..tools.card_crypto import card_number_error, luhn_check_digit
from .common import CardCase


@tagged("post_install", "-at_install")
class TestCardLifecycle(CardCase, TransactionCase):
    def test_number_has_luhn_check_digit(self):
        number = self.card_a.number
        self.assertEqual(len(number), 19)
        self.assertTrue(number.startswith("2202"))
        self.assertIsNone(card_number_error(number))
        self.assertEqual(luhn_check_digit("7992739871"), "3")  # the textbook example
        wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
        self.assertEqual(card_number_error(wrong), "check_digit")
        swapped = number[:5] + number[6] + number[5] + number[7:]
        if swapped != number:
            self.assertEqual(card_number_error(swapped), "check_digit")
        self.assertEqual(card_number_error("22020000"), "length")
        self.assertEqual(card_number_error("2202x00000000000001"), "digits")

    def test_application_to_active(self):
        resident = self.make_resident("王新", sequence="071")
        card = self.env["city.card"].create({"partner_id": resident.id, "type_id": self.standard.id})
        self.assertEqual(card.state, "applied")
        self.assertFalse(card.number)
        self.assertEqual(card.function_ids, self.standard.function_ids, "the type's functions are enabled")
        with self.assertRaises(UserError):
            card.action_activate()  # not issued yet
        card.action_issue()
        self.assertEqual(card.state, "issued")
        self.assertTrue(card.account_ids.filtered(lambda a: a.kind == "purse_cash"))
        card.action_activate()
        self.assertEqual(card.state, "active")

    def test_state_only_through_lifecycle(self):
        with self.assertRaises(UserError):
            self.card_a.write({"state": "cancelled"})
        with self.assertRaises(UserError):
            self.card_a.write({"type_id": self.env.ref("city_card.type_student").id})

    def test_one_open_card_per_resident(self):
        with self.assertRaises(ValidationError):
            self.env["city.card"].create({"partner_id": self.resident_a.id, "type_id": self.standard.id})

    def test_holder_must_be_resident(self):
        with self.assertRaises(ValidationError):
            self.env["city.card"].create({"partner_id": self.canteen_org.id, "type_id": self.standard.id})

    def test_type_age_rule(self):
        young = self.make_resident("赵小年", birth="19900101", sequence="081")
        with self.assertRaises(ValidationError):
            self.env["city.card"].create({"partner_id": young.id, "type_id": self.env.ref("city_card.type_senior").id})

    def test_lost_hotlists_and_unblock(self):
        hotlist = self.env["city.card.hotlist"]
        self.card_b.action_report_lost()  # a terminal that already holds one version
        before = hotlist._current_version()
        self.assertTrue(before)
        self.card_a.action_report_lost("钱包丢失")
        self.assertEqual(self.card_a.state, "lost")
        self.assertTrue(self.card_a.hotlisted)
        delta = hotlist._delta(before)
        self.assertEqual([(e["card"], e["action"]) for e in delta["entries"]], [(self.card_a.number, "block")])
        with self.assertRaises(UserError):
            self.topup(self.card_a, 100)
        self.card_a.action_unblock()
        self.assertEqual(self.card_a.state, "active")
        delta = hotlist._delta(before)
        self.assertEqual([(e["card"], e["action"]) for e in delta["entries"]], [(self.card_a.number, "unblock")])
        self.assertNotIn(self.card_a.number, [e["card"] for e in hotlist._delta(0)["entries"]])

    def test_illegal_moves_refused(self):
        self.card_a.action_freeze("核查")
        with self.assertRaises(UserError):
            self.card_a.action_report_lost()
        self.card_a.action_cancel(desk=self.desk)
        for action in ("action_activate", "action_unblock", "action_freeze", "action_replace"):
            with self.assertRaises(UserError, msg=action):
                getattr(self.card_a, action)()

    def test_replace_moves_every_balance(self):
        self.topup(self.card_a, 12345)
        self.ops._credit_subsidy(self.card_a, 5000, "2099-12-31")
        self.card_a.action_report_lost()
        new_card = self.card_a.action_replace("挂失补卡")
        self.assertEqual(self.card_a.state, "replaced")
        self.assertEqual(self.card_a.replacement_card_id, new_card)
        self.assertEqual(new_card.previous_card_id, self.card_a)
        self.assertEqual(new_card.partner_id, self.resident_a)
        self.assertNotEqual(new_card.number, self.card_a.number)
        self.assertEqual(self.card_a._balances(), {"cash": 0, "subsidy": 0, "total": 0})
        self.assertEqual(new_card._balances(), {"cash": 12345, "subsidy": 5000, "total": 17345})
        subsidy = new_card.account_ids.filtered(lambda a: a.kind == "purse_subsidy")
        self.assertEqual(str(subsidy.expires_on), "2099-12-31", "a subsidy keeps its expiry on the new card")
        self.assertEqual(new_card.state, "issued")
        new_card.action_activate()
        self.assertLedgerSound()
        # the old card stays blocked on terminals
        blocked = {e["card"] for e in self.env["city.card.hotlist"]._delta(0)["entries"]}
        self.assertIn(self.card_a.number, blocked)

    def test_replace_releases_holds_and_later_refunds_reach_the_new_card(self):
        self.topup(self.card_a, 10000)
        self.ops._credit_subsidy(self.card_a, 1000, "2099-12-31")
        payment = self.pay(self.card_a, 3000)[0]  # 1000 subsidy + 2000 cash
        hold = self.pay(self.card_a, 500, hold=True)[0]
        new_card = self.card_a.action_replace("换卡")
        self.assertEqual(hold.hold_state, "voided", "a pending hold is released before the balances move")
        self.assertEqual(new_card._balances(), {"cash": 8000, "subsidy": 0, "total": 8000})
        refund = payment._refund()[0]
        self.assertEqual(refund.card_id, new_card)
        self.assertEqual(new_card._balances(), {"cash": 10000, "subsidy": 1000, "total": 11000})
        self.assertEqual(self.card_a._balances()["total"], 0)
        self.assertLedgerSound()

    def test_refund_to_cancelled_card_refused(self):
        self.topup(self.card_a, 1000)
        payment = self.pay(self.card_a, 500)[0]
        self.card_a.action_cancel(desk=self.desk)
        with self.assertRaises(UserError) as caught:
            payment._refund()
        self.assertEqual(caught.exception.code, "card_not_active")

    def test_cancel_refunds_cash_and_returns_subsidy(self):
        self.topup(self.card_a, 8000)
        self.ops._credit_subsidy(self.card_a, 3000, "2099-12-31")
        with self.assertRaises(UserError):
            self.card_a.action_cancel()  # cash on the card needs the paying desk
        desk_account = self.desk.account_id
        before = desk_account._derived_balances().get(desk_account.id, 0)
        fund = self.env.ref("city_card.account_subsidy_fund")
        fund_before = fund._derived_balances().get(fund.id, 0)
        self.card_a.action_cancel(desk=self.desk, reason="迁出本市")
        self.assertEqual(self.card_a.state, "cancelled")
        self.assertEqual(self.card_a._balances()["total"], 0)
        self.assertEqual(desk_account._derived_balances()[desk_account.id] - before, 8000, "cash paid out at the desk")
        self.assertEqual(fund._derived_balances()[fund.id] - fund_before, 3000, "subsidy back to the fund")
        self.assertLedgerSound()

    def test_every_change_audited(self):
        log = self.env["city.audit.log"].sudo()
        self.card_a.action_freeze("核查")
        self.card_a.action_unblock()
        events = log.search([("chain", "=", "card"), ("model", "=", "city.card"), ("res_id", "=", self.card_a.id)])
        self.assertEqual(
            events.sorted("sequence").mapped("event"),
            ["card.apply", "card.issued", "card.active", "card.frozen", "card.active"],
        )
        self.assertTrue(log.verify(chains=["card"])["ok"])

    @freeze_time("2030-01-01")
    def test_expired_card_refused(self):
        self.card_a.sudo().with_context(city_card_transition=True).write({"expires_on": "2029-12-31"})
        with self.assertRaises(UserError) as caught:
            self.pay(self.card_a, 100)
        self.assertEqual(caught.exception.code, "card_expired")

    def test_coverage_per_division(self):
        coverage = self.env["city.card.coverage"]
        row_a = coverage.search([("division_id", "=", self.community_a.id)])
        self.assertEqual((row_a.resident_count, row_a.card_count), (1, 1))
        self.assertEqual(row_a.coverage, 100.0)
        self.assertTrue(row_a.meets_target)
        self.make_resident("钱多", sequence="091")
        row_a.invalidate_recordset()
        row_a = coverage.search([("division_id", "=", self.community_a.id)])
        self.assertEqual((row_a.resident_count, row_a.card_count, row_a.coverage), (2, 1, 50.0))
        self.assertFalse(row_a.meets_target)
        street = coverage.search([("division_id", "=", self.street.id)])
        self.assertEqual((street.resident_count, street.card_count), (3, 2), "a division counts everything under it")
