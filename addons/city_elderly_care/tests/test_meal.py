from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase

DAY = date(2026, 3, 16)
# 10:00 in Asia/Shanghai is 02:00 UTC.
BEFORE_CUTOFF = datetime(2026, 3, 16, 1, 59)
AFTER_CUTOFF = datetime(2026, 3, 16, 2, 0)


@tagged("post_install", "-at_install")
class TestElderlyMeal(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        cls.org_meal = Partner.create(
            {"name": "甲助餐公司", "is_company": True, "uscc": make_uscc("91220204MA0ME0001")}
        )
        cls.org_other = Partner.create(
            {"name": "乙助餐公司", "is_company": True, "uscc": make_uscc("91220204MA0ME0002")}
        )
        Provider = env["city.elderly.provider"]
        cls.provider = Provider.create({"partner_id": cls.org_meal.id, "kind": "meal"})
        cls.provider_other = Provider.create({"partner_id": cls.org_other.id, "kind": "meal"})
        Canteen = env["city.elderly.canteen"]
        cls.canteen = Canteen.create(
            {"name": "甲社区老年食堂", "provider_id": cls.provider.id, "delivery": True, "daily_capacity": 50}
        )
        cls.canteen_pickup = Canteen.create({"name": "乙社区老年食堂", "provider_id": cls.provider_other.id})
        Menu = env["city.elderly.menu"]
        cls.lunch = Menu.create(
            {
                "canteen_id": cls.canteen.id,
                "date": DAY,
                "meal": "lunch",
                "dishes": "红烧鸡块、清炒西兰花",
                "price_fen": 1200,
            }
        )
        cls.dinner = Menu.create(
            {"canteen_id": cls.canteen.id, "date": DAY, "meal": "dinner", "dishes": "小米粥、蒸蛋", "price_fen": 800}
        )
        cls.lunch_pickup = Menu.create(
            {"canteen_id": cls.canteen_pickup.id, "date": DAY, "meal": "lunch", "dishes": "饺子", "price_fen": 1000}
        )
        cls.staff_other = new_test_user(
            env,
            login="t_meal_staff_other",
            groups="city_elderly_care.group_city_elderly_care_provider",
            partner_id=Partner.create({"name": "乙公司员工", "parent_id": cls.org_other.id}).id,
        )
        cls.eld_worker = new_test_user(
            env, login="t_meal_worker", groups="city_elderly_care.group_city_elderly_care_worker", name="助餐专干"
        )
        cls.eld_worker.city_division_ids = cls.community_a

    def order(self, menu=None, recipient=None, **values):
        return self.env["city.elderly.meal.order"].create(
            {"menu_id": (menu or self.lunch).id, "recipient_id": (recipient or self.recipient_a).id, **values}
        )

    def test_cutoff_in_city_time(self):
        self.assertEqual(self.lunch.cutoff_at, AFTER_CUTOFF)
        self.canteen.cutoff_hour = 9.5
        self.assertEqual(self.lunch.cutoff_at, datetime(2026, 3, 16, 1, 30))

    def test_order_refused_after_cutoff(self):
        with freeze_time(BEFORE_CUTOFF):
            order = self.order()
        self.assertEqual(order.state, "ordered")
        with freeze_time(AFTER_CUTOFF), self.assertRaisesRegex(UserError, "2026-03-16 10:00"):
            self.order(recipient=self.recipient_b)

    def test_cancel_only_before_cutoff(self):
        with freeze_time(BEFORE_CUTOFF):
            early = self.order()
            late = self.order(menu=self.dinner)
            early.action_cancel()
        self.assertEqual(early.state, "cancelled")
        with freeze_time(AFTER_CUTOFF), self.assertRaises(UserError):
            late.action_cancel()
        self.assertEqual(late.state, "ordered")

    @freeze_time(BEFORE_CUTOFF)
    def test_one_active_order_per_menu(self):
        first = self.order()
        with self.assertRaises(ValidationError):
            self.order()
        first.action_cancel()
        second = self.order(quantity=2)
        self.assertEqual(self.lunch.ordered_quantity, 2)
        self.assertEqual(second.state, "ordered")
        # Another meal of the same day is another order.
        self.order(menu=self.dinner)

    @freeze_time(BEFORE_CUTOFF)
    def test_delivery_only_where_offered(self):
        self.assertEqual(self.order(fulfilment="delivery").fulfilment, "delivery")
        with self.assertRaises(ValidationError):
            self.order(menu=self.lunch_pickup, fulfilment="delivery")
        self.assertEqual(self.order(menu=self.lunch_pickup, fulfilment="pickup").fulfilment, "pickup")

    @freeze_time(BEFORE_CUTOFF)
    def test_capacity(self):
        self.canteen.daily_capacity = 3
        self.order(quantity=3)
        with self.assertRaises(ValidationError):
            self.order(recipient=self.recipient_b)

    @freeze_time(BEFORE_CUTOFF)
    def test_counts_per_canteen_and_day(self):
        third = self.make_recipient("钱秀兰", "19460310", "071")
        self.order(fulfilment="delivery", dietary_note="low_salt")
        self.order(
            recipient=self.recipient_b, fulfilment="pickup", quantity=2, dietary_note="other", dietary_text="不吃香菜"
        )
        self.order(recipient=third, fulfilment="pickup").action_cancel()
        self.order(menu=self.dinner, recipient=third)
        self.env.flush_all()
        counts = self.env["city.elderly.meal.count"].search([("canteen_id", "=", self.canteen.id), ("date", "=", DAY)])
        by_key = {(count.meal, count.fulfilment): count for count in counts}
        self.assertEqual(set(by_key), {("lunch", "delivery"), ("lunch", "pickup"), ("dinner", "pickup")})
        self.assertEqual(by_key["lunch", "delivery"].quantity, 1)
        self.assertEqual(by_key["lunch", "pickup"].quantity, 2)
        self.assertEqual(by_key["lunch", "pickup"].order_count, 1)
        self.assertIn("不吃香菜", by_key["lunch", "pickup"].dietary_notes)
        self.assertIn(self.recipient_a.name, by_key["lunch", "delivery"].dietary_notes)
        self.assertFalse(by_key["dinner", "pickup"].dietary_notes)

    @freeze_time(BEFORE_CUTOFF)
    def test_access(self):
        mine = self.order()
        other = self.order(menu=self.lunch_pickup, recipient=self.recipient_b)
        # The worker of community A sees the orders of the elders of community A only.
        Order = self.env["city.elderly.meal.order"].with_user(self.eld_worker)
        self.assertEqual(Order.search([("id", "in", (mine | other).ids)]), mine)
        # Provider staff see their own canteens' orders only.
        Order = self.env["city.elderly.meal.order"].with_user(self.staff_other)
        self.assertEqual(Order.search([("id", "in", (mine | other).ids)]), other)
        self.assertEqual(self.env["city.elderly.canteen"].with_user(self.staff_other).search([]), self.canteen_pickup)
        with self.assertRaises(AccessError):
            mine.with_user(self.staff_other).read(["quantity"])
        # The family member (with consent) reads the elder's orders, not others'.
        Order = self.env["city.elderly.meal.order"].with_user(self.family_user)
        self.assertEqual(Order.search([("id", "in", (mine | other).ids)]), mine)
