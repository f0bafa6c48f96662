from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import CardCase


@tagged("post_install", "-at_install")
class TestCardSecurity(CardCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topup_a = cls.env["city.card.operation"].sudo()._topup(cls.card_a, 5000, desk=cls.desk)[0]
        cls.topup_b = cls.env["city.card.operation"].sudo()._topup(cls.card_b, 5000, desk=cls.desk)[0]

    def test_operator_sees_only_cards_of_own_divisions(self):
        Card = self.env["city.card"].with_user(self.operator)
        self.assertEqual(Card.search([("id", "in", (self.card_a | self.card_b).ids)]), self.card_a)
        self.assertCanRead(self.operator, self.card_a)
        self.assertCannotRead(self.operator, self.card_b)
        self.assertCannotRead(self.operator, self.topup_b)
        self.assertCannotRead(self.operator, self.topup_b.entry_ids)
        self.assertCanRead(self.operator, self.topup_a.entry_ids)

    def test_operator_desk_work(self):
        resident = self.make_resident("吴新卡", sequence="121")
        card = (
            self.env["city.card"]
            .with_user(self.operator)
            .create({"partner_id": resident.id, "type_id": self.standard.id})
        )
        card.action_issue()
        card.action_activate()
        wizard = (
            self.env["city.card.topup"]
            .with_user(self.operator)
            .create({"card_id": card.id, "desk_id": self.desk.id, "amount_yuan": 50.5})
        )
        wizard.action_confirm()
        wizard.action_confirm()  # a double click posts once
        self.assertEqual(card._balances()["cash"], 5050)
        state = (
            self.env["city.card.state"]
            .with_user(self.operator)
            .create({"card_id": card.id, "action": "lost", "reason": "遗失"})
        )
        state.action_confirm()
        self.assertEqual(card.state, "lost")

    def test_operator_cannot_touch_other_divisions_or_configuration(self):
        wizard = (
            self.env["city.card.topup"]
            .with_user(self.operator)
            .create({"card_id": self.card_b.id, "desk_id": self.desk.id, "amount_yuan": 10})
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertCannotCreate(
            self.operator, "city.card.merchant", {"name": "X", "code": "X1", "partner_id": self.canteen_org.id}
        )
        self.assertCannotWrite(self.operator, self.canteen, {"fee_rate": 1})
        with self.assertRaises(AccessError):
            self.env["city.card.subsidy"].with_user(self.operator).create(
                {"card_ids": [(6, 0, self.card_a.ids)], "amount_yuan": 10, "expires_on": "2099-01-01", "name": "x"}
            )
        settlement = (
            self.env["city.card.settlement"]
            .sudo()
            .create({"merchant_id": self.canteen.id, "date": "2026-01-01", "cutoff_at": "2026-01-01 16:00:00"})
        )
        self.assertCannotRead(self.operator, settlement)

    def test_terminal_key_never_readable(self):
        self.assertTrue(self.canteen_terminal.has_key)
        with self.assertRaises(AccessError):
            self.canteen_terminal.with_user(self.card_manager).read(["key_digest"])
        self.assertNotIn(self.canteen_key, str(self.canteen_terminal.sudo().key_digest))
        self.assertEqual(self.env["city.card.terminal"]._authenticate(self.canteen_key), self.canteen_terminal)
        self.assertFalse(self.env["city.card.terminal"]._authenticate(self.canteen_key + "x"))
        self.canteen_terminal.action_revoke_key()
        self.assertFalse(self.env["city.card.terminal"]._authenticate(self.canteen_key))

    def test_manager_sees_all_and_credits_subsidies(self):
        Card = self.env["city.card"].with_user(self.card_manager)
        self.assertEqual(Card.search([("id", "in", (self.card_a | self.card_b).ids)]), self.card_a | self.card_b)
        wizard = (
            self.env["city.card.subsidy"]
            .with_user(self.card_manager)
            .create(
                {
                    "card_ids": [(6, 0, (self.card_a | self.card_b).ids)],
                    "amount_yuan": 100,
                    "expires_on": "2099-01-31",
                    "name": "高龄津贴",
                }
            )
        )
        wizard.action_confirm()
        wizard.action_confirm()
        self.assertEqual(self.card_b._balances()["subsidy"], 10000, "credited once per card")

    def test_supervisor_reads_everything_writes_nothing(self):
        self.assertCanRead(self.supervisor, self.card_a | self.card_b)
        self.assertCanRead(self.supervisor, self.topup_b | self.topup_b.entry_ids.operation_id)
        self.assertCannotWrite(self.supervisor, self.card_b, {"function_ids": [(5, 0, 0)]})
        with self.assertRaises(AccessError):
            self.card_b.with_user(self.supervisor).action_freeze()

    def test_portal_holder_sees_only_own_card(self):
        portal = self.portal_resident
        self.assertCanRead(portal, self.card_a)
        self.assertCanRead(portal, self.topup_a.entry_ids.filtered("card_id"))
        self.assertCannotRead(portal, self.card_b)
        self.assertCannotRead(portal, self.topup_b)
        clearing = self.env.ref("city_card.account_clearing")
        self.assertCannotRead(portal, clearing)
        with self.assertRaises(AccessError):
            self.card_a.with_user(portal).write({"function_ids": [(5, 0, 0)]})
        with self.assertRaises(UserError):  # AccessError is a UserError
            self.env["city.card.operation"].with_user(portal).create({"kind": "topup", "amount": 100})
