"""Shared fixtures of the one-card tests: card users per role, a desk, merchants, terminals, cards."""

from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import CityCase, make_resident_id, make_uscc


class CardCase(CityCase):
    """City fixture plus: desk operator (community A), card manager, a desk, a canteen accepting
    subsidies, a bus operator (transit), a terminal with a known key per merchant, and an active
    standard card for ``resident_a`` and ``resident_b``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, login="t_card_operator", groups="city_card.group_city_card_operator", name="窗口操作员"
        )
        cls.operator.city_division_ids = cls.community_a
        cls.card_manager = new_test_user(
            cls.env, login="t_card_manager", groups="city_card.group_city_card_manager", name="一卡通主管"
        )
        cls.desk = cls.env["city.card.desk"].create(
            {
                "name": "测试服务网点",
                "code": "TD01",
                "division_id": cls.street.id,
                "user_ids": [(6, 0, cls.operator.ids)],
            }
        )
        Partner = cls.env["res.partner"]
        cls.canteen_org = Partner.create(
            {"name": "测试社区食堂有限公司", "is_company": True, "uscc": make_uscc("91220204MA0CD0001")}
        )
        cls.bus_org = Partner.create(
            {"name": "测试公交集团有限公司", "is_company": True, "uscc": make_uscc("91220204MA0CD0002")}
        )
        Merchant = cls.env["city.card.merchant"]
        cls.canteen = Merchant.create(
            {
                "name": "测试社区食堂",
                "code": "T0001",
                "partner_id": cls.canteen_org.id,
                "function_id": cls.env.ref("city_card.function_merchant").id,
                "accepts_subsidy": True,
                "fee_rate": 60,
            }
        )
        cls.bus = Merchant.create(
            {
                "name": "测试公交",
                "code": "T0002",
                "partner_id": cls.bus_org.id,
                "function_id": cls.env.ref("city_card.function_transit").id,
                "is_transit": True,
                "fee_rate": 30,
            }
        )
        Terminal = cls.env["city.card.terminal"]
        cls.canteen_terminal = Terminal.create({"code": "TPOS0001", "kind": "pos", "merchant_id": cls.canteen.id})
        cls.bus_terminal = Terminal.create({"code": "TBUS0001", "kind": "validator", "merchant_id": cls.bus.id})
        cls.canteen_key = cls.canteen_terminal._generate_key()
        cls.bus_key = cls.bus_terminal._generate_key()
        # The tests read English messages and pages; the database may have only Chinese active.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env["res.users"].search([("login", "=like", "t\\_%")]).write({"lang": "en_US"})
        cls.standard = cls.env.ref("city_card.type_standard")
        cls.card_a = cls.make_card(cls.resident_a)
        cls.card_b = cls.make_card(cls.resident_b)

    @classmethod
    def make_card(cls, partner, card_type=None, active=True):
        card = cls.env["city.card"].create({"partner_id": partner.id, "type_id": (card_type or cls.standard).id})
        card.action_issue()
        if active:
            card.action_activate()
        return card

    @classmethod
    def make_resident(cls, name, birth="19850101", sequence="051", grid=None):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_resident": True,
                "resident_id_number": make_resident_id("220204", birth, sequence),
                "city_division_id": (grid or cls.grid_a).id,
            }
        )

    @property
    def ops(self):
        return self.env["city.card.operation"].sudo()

    def topup(self, card, amount, key=None):
        return self.ops._topup(card, amount, desk=self.desk, key=key)[0]

    def pay(self, card, amount, merchant=None, **kwargs):
        return self.ops._pay(card, merchant or self.canteen, amount, **kwargs)

    def assertLedgerSound(self):
        """Conservation, balanced operations, cached = derived purse balances, no negative purse."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SELECT COALESCE(SUM(amount), 0) FROM city_card_entry")
        self.assertEqual(cr.fetchone()[0], 0, "the ledger does not sum to zero")
        cr.execute("SELECT operation_id FROM city_card_entry GROUP BY operation_id HAVING SUM(amount) <> 0 LIMIT 1")
        self.assertFalse(cr.fetchall(), "an operation does not balance")
        cr.execute(
            """SELECT a.id FROM city_card_account a LEFT JOIN city_card_entry e ON e.account_id = a.id
                WHERE a.is_purse GROUP BY a.id HAVING a.cached_balance <> COALESCE(SUM(e.amount), 0) LIMIT 1"""
        )
        self.assertFalse(cr.fetchall(), "a purse's cached balance differs from its entries")
        cr.execute("SELECT id FROM city_card_account WHERE is_purse AND cached_balance < 0 LIMIT 1")
        self.assertFalse(cr.fetchall(), "a purse is negative")
