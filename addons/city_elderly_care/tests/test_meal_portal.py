import datetime

from odoo import fields, http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_base.tools.dates import city_today
from odoo.addons.city_special_care.tests.common import CareCase


@tagged("post_install", "-at_install")
class TestMealPortal(CareCase, HttpCase):
    """Meal ordering in the portal: only the elder and consenting family, only the canteens serving
    the elder's area, only open menus; cancellation before the cut-off by the elder or family only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        org = env["res.partner"].create(
            {"name": "甲门户助餐公司", "is_company": True, "uscc": make_uscc("91220204MA0MP0001")}
        )
        provider = env["city.elderly.provider"].create({"partner_id": org.id, "kind": "meal"})
        Canteen = env["city.elderly.canteen"]
        cls.canteen_a = Canteen.create(
            {
                "name": "甲社区老年食堂",
                "provider_id": provider.id,
                "division_id": cls.community_a.id,
                "delivery": True,
                "cutoff_hour": 10.0,
            }
        )
        cls.canteen_b = Canteen.create(
            {"name": "乙社区老年食堂", "provider_id": provider.id, "division_id": cls.community_b.id}
        )
        Menu = env["city.elderly.menu"]
        tomorrow = city_today() + datetime.timedelta(days=1)
        cls.lunch_a = Menu.create(
            {
                "canteen_id": cls.canteen_a.id,
                "date": tomorrow,
                "meal": "lunch",
                "dishes": "清蒸鲈鱼、米饭",
                "price_fen": 1200,
            }
        )
        cls.lunch_b = Menu.create(
            {"canteen_id": cls.canteen_b.id, "date": tomorrow, "meal": "lunch", "dishes": "饺子", "price_fen": 1000}
        )
        cls.closed_a = Menu.create(
            {
                "canteen_id": cls.canteen_a.id,
                "date": city_today() - datetime.timedelta(days=1),
                "meal": "lunch",
                "dishes": "面条",
                "price_fen": 800,
            }
        )
        cls.elder_user = new_test_user(
            env, login="t_eldmp_elder", groups="base.group_portal", name="张桂兰", partner_id=cls.resident_a.id
        )
        cls.elder_b_user = new_test_user(
            env, login="t_eldmp_elder_b", groups="base.group_portal", name="乙老人", partner_id=cls.resident_b.id
        )
        cls.stranger_user = new_test_user(env, login="t_eldmp_stranger", groups="base.group_portal", name="路人")

    def post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def order_as_elder(self, **values):
        self.authenticate("t_eldmp_elder", "t_eldmp_elder")
        data = {
            "recipient_id": self.recipient_a.id,
            "menu_id": self.lunch_a.id,
            "quantity": 1,
            "fulfilment": "pickup",
        }
        data.update(values)
        return self.post("/my/elderly/meals", **data)

    def orders(self):
        return self.env["city.elderly.meal.order"].search(
            [("recipient_id", "in", (self.recipient_a | self.recipient_b).ids)]
        )

    def test_tour_meal_order(self):
        self.start_tour("/my/elderly/meals", "city_elderly_care_meal_order", login="t_eldmp_elder")
        order = self.orders()
        self.assertEqual(len(order), 1)
        self.assertEqual(
            (order.menu_id, order.quantity, order.fulfilment, order.dietary_note, order.dietary_text, order.state),
            (self.lunch_a, 2, "delivery", "low_salt", "饭菜软一些", "cancelled"),
        )

    def test_page_lists_only_open_menus_of_the_area(self):
        self.authenticate("t_eldmp_elder", "t_eldmp_elder")
        page = self.url_open("/my/elderly/meals").text
        self.assertIn("清蒸鲈鱼", page)
        self.assertNotIn("饺子", page)  # the other community's canteen
        self.assertNotIn("面条", page)  # closed yesterday

    def test_order_and_counter(self):
        response = self.order_as_elder(dietary_note="soft")
        self.assertEqual(response.status_code, 303)
        order = self.orders()
        self.assertEqual(
            (order.recipient_id, order.menu_id, order.dietary_note), (self.recipient_a, self.lunch_a, "soft")
        )
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["elderly_meal_count"]})
        self.assertEqual(counters["elderly_meal_count"], 1)
        # The consenting family member sees it too, a stranger nothing.
        self.authenticate("t_care_family", "t_care_family")
        self.assertIn("清蒸鲈鱼", self.url_open("/my/elderly/meals").text)
        self.authenticate("t_eldmp_stranger", "t_eldmp_stranger")
        response = self.url_open("/my/elderly/meals", allow_redirects=False)
        self.assertTrue(response.headers["Location"].endswith("/my"))

    def test_refusals_keep_nothing(self):
        cases = [
            ({"recipient_id": self.recipient_b.id}, "选择老人"),  # another elder's file
            ({"menu_id": self.lunch_b.id}, "不服务"),  # canteen of another area
            ({"menu_id": self.closed_a.id}, "截止"),  # past the cut-off
            ({"menu_id": 999999}, "选择餐次"),
            ({"quantity": 9}, "1 到 5"),
            ({"fulfilment": "drone"}, "自取或送餐"),
            ({"dietary_note": "<script>"}, "饮食备注"),
        ]
        self.env["res.lang"]._activate_lang("zh_CN")
        self.elder_user.lang = "zh_CN"
        for values, text in cases:
            with self.subTest(values=values):
                response = self.order_as_elder(**values)
                self.assertEqual(response.status_code, 200)
                self.assertIn("o_eld_error", response.text)
                self.assertIn(text, response.text)
        self.assertFalse(self.orders())

    def test_duplicate_order_refused(self):
        self.order_as_elder()
        response = self.order_as_elder()
        self.assertIn("o_eld_error", response.text)
        self.assertEqual(len(self.orders()), 1)

    def test_delivery_only_where_the_canteen_delivers(self):
        self.canteen_a.delivery = False
        response = self.order_as_elder(fulfilment="delivery")
        self.assertIn("o_eld_error", response.text)
        self.assertFalse(self.orders())

    def test_cancel_only_own_and_before_cutoff(self):
        self.order_as_elder()
        order = self.orders()
        # Another elder cannot cancel it.
        self.authenticate("t_eldmp_elder_b", "t_eldmp_elder_b")
        response = self.post(f"/my/elderly/meals/{order.id}/cancel")
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(order.state, "ordered")
        # After the cut-off the elder cannot cancel either.
        self.authenticate("t_eldmp_elder", "t_eldmp_elder")
        self.env.cr.execute(
            "UPDATE city_elderly_menu SET cutoff_at = %s WHERE id = %s",
            (fields.Datetime.now() - datetime.timedelta(minutes=1), self.lunch_a.id),
        )
        self.lunch_a.invalidate_recordset(["cutoff_at"])
        response = self.post(f"/my/elderly/meals/{order.id}/cancel")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_eld_error", response.text)
        order.invalidate_recordset(["state"])
        self.assertEqual(order.state, "ordered")
