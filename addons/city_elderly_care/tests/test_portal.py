import datetime

import pytz

from odoo import fields, http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase


@tagged("post_install", "-at_install")
class TestPortal(CareCase, HttpCase):
    """The elderly-care portal: booking, orders, rating, vouchers; provider orders with check-in/out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        worker_group = "city_elderly_care.group_city_elderly_care_worker"
        cls.eld_worker = new_test_user(env, login="t_eldpt_worker", groups=worker_group, name="甲社区养老专干")
        cls.eld_worker.city_division_ids = cls.community_a
        cls.building_a.write({"latitude": 43.8378, "longitude": 126.5496})
        cls.bathing = env["city.elderly.service"].create(
            {
                "name": "测试上门助浴",
                "code": "t_pt_bath",
                "category": "bathing",
                "unit": "visit",
                "duration_minutes": 60,
            }
        )
        cls.provider_a = cls.make_provider("吉林市门户测试居家养老服务中心", "91220204MA0TPA001", cls.street, 3000)
        cls.provider_b = cls.make_provider("吉林市门户测试康养服务有限公司", "91220204MA0TPB001", cls.street, 3500)
        cls.carer_a = cls.make_carer(cls.provider_a, "刘护理")
        cls.carer_b = cls.make_carer(cls.provider_b, "陈护理")
        provider_groups = "base.group_portal,city_elderly_care.group_city_elderly_care_provider"
        cls.staff_a = new_test_user(
            env, login="t_eldpt_staff_a", groups=provider_groups, name="刘护理", partner_id=cls.carer_a.partner_id.id
        )
        cls.carer_a.user_id = cls.staff_a
        cls.staff_b = new_test_user(
            env, login="t_eldpt_staff_b", groups=provider_groups, name="陈护理", partner_id=cls.carer_b.partner_id.id
        )
        cls.elder_user = new_test_user(
            env, login="t_eldpt_elder", groups="base.group_portal", name="张桂兰", partner_id=cls.resident_a.id
        )
        # A relative of elder A without a consent: sees nothing.
        stranger = env["res.partner"].create({"name": "王强"})
        env["city.care.contact"].create(
            {
                "recipient_id": cls.recipient_a.id,
                "partner_id": stranger.id,
                "name": "王强",
                "phone": "13904321234",
                "relation": "child",
            }
        )
        cls.stranger_user = new_test_user(
            env, login="t_eldpt_stranger", groups="base.group_portal", name="王强", partner_id=stranger.id
        )

    @classmethod
    def make_provider(cls, name, uscc_body, area, price_fen):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True, "uscc": make_uscc(uscc_body)})
        provider = cls.env["city.elderly.provider"].create(
            {
                "partner_id": partner.id,
                "kind": "station",
                "division_ids": [area.id],
                "contract_no": f"HT-{uscc_body[-4:]}",
                "contract_start": "2024-01-01",
            }
        )
        cls.env["city.elderly.price"].create(
            {"provider_id": provider.id, "service_id": cls.bathing.id, "price_fen": price_fen}
        )
        return provider

    @classmethod
    def make_carer(cls, provider, name):
        person = cls.env["res.partner"].create({"name": name, "parent_id": provider.partner_id.id})
        return cls.env["city.elderly.carer"].create(
            {"partner_id": person.id, "provider_id": provider.id, "qualification": "senior"}
        )

    def make_order(self, state, provider=None, recipient=None, days=1):
        """An order of elder A (by default) taken by the worker through the steps up to ``state``."""
        provider = provider or self.provider_a
        order = (
            self.env["city.elderly.order"]
            .with_user(self.eld_worker)
            .create(
                {
                    "recipient_id": (recipient or self.recipient_a).id,
                    "service_id": self.bathing.id,
                    "provider_id": provider.id,
                    "scheduled_start": fields.Datetime.now() + datetime.timedelta(days=days),
                }
            )
        )
        steps = ["draft", "booked", "dispatched", "assigned", "in_progress", "done"]
        for step in steps[1 : steps.index(state) + 1]:
            if step == "booked":
                order.action_book()
            elif step == "dispatched":
                order.action_dispatch()
            elif step == "assigned":
                order.action_assign(provider.carer_ids[:1])
            elif step == "in_progress":
                order.action_checkin(43.8378, 126.5496)
            else:
                order.action_checkout("已完成服务。")
        return order

    def csrf_token(self):
        return http.Request.csrf_token(self)

    def counters(self, login, *names):
        self.authenticate(login, login)
        return self.make_jsonrpc_request("/my/counters", {"counters": list(names)})

    def assertRedirectsHome(self, url):
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertTrue(response.headers["Location"].endswith("/my"), response.headers["Location"])

    # ------------------------------------------------------------------
    # Tours
    # ------------------------------------------------------------------
    def test_tour_book_and_rate(self):
        done = self.make_order("done", days=-1)
        self.start_tour("/my/elderly/orders", "city_elderly_care_book_and_rate", login="t_eldpt_elder")
        self.assertEqual((done.rating, done.rating_comment), (4, "护理员很耐心，洗得很干净。"))
        booked = self.env["city.elderly.order"].search(
            [("recipient_id", "=", self.recipient_a.id), ("channel", "=", "portal")]
        )
        self.assertEqual(len(booked), 1)
        self.assertEqual((booked.state, booked.service_id), ("booked", self.bathing))
        self.assertEqual(booked.request_note, "希望下午两点后上门。")
        self.assertGreater(booked.scheduled_start, fields.Datetime.now())

    def test_tour_carer_checkin(self):
        order = self.make_order("assigned")
        self.start_tour("/my/elderly/provider-orders", "city_elderly_care_carer_checkin", login="t_eldpt_staff_a")
        self.assertEqual(order.state, "done")
        self.assertAlmostEqual(order.checkin_latitude, 43.8379)
        self.assertFalse(order.is_far)
        self.assertEqual(order.notes, "已协助老人洗浴，皮肤无异常。")
        # The carer's last known position follows the check-in and check-out (for the SOS dispatch).
        self.assertTrue(self.carer_a.location_at)
        self.assertAlmostEqual(self.carer_a.latitude, order.checkout_latitude or order.checkin_latitude)
        self.assertEqual(order.self_pay_fen + order.voucher_fen, 3000)

    # ------------------------------------------------------------------
    # Counters and access
    # ------------------------------------------------------------------
    def test_counters(self):
        self.make_order("booked")
        self.make_order("dispatched")
        self.make_order("dispatched", provider=self.provider_b)
        names = ("elderly_order_count", "elderly_voucher_count", "elderly_provider_order_count")
        self.assertEqual(
            self.counters("t_eldpt_elder", *names),
            {"elderly_order_count": 3, "elderly_voucher_count": 1, "elderly_provider_order_count": 0},
        )
        self.assertEqual(self.counters("t_care_family", *names)["elderly_order_count"], 3)
        self.assertEqual(self.counters("t_eldpt_staff_a", *names)["elderly_provider_order_count"], 1)
        self.assertEqual(self.counters("t_eldpt_staff_b", *names)["elderly_provider_order_count"], 1)
        self.assertEqual(
            self.counters("t_eldpt_stranger", *names),
            {"elderly_order_count": 0, "elderly_voucher_count": 0, "elderly_provider_order_count": 0},
        )

    def test_carer_goes_on_and_off_duty(self):
        self.carer_a.on_duty = False
        self.authenticate("t_eldpt_staff_a", "t_eldpt_staff_a")
        page = self.url_open("/my/elderly/provider-orders").text
        self.assertIn("o_eld_duty_form", page)
        token = http.Request.csrf_token(self)
        response = self.url_open(
            "/my/elderly/carer/duty",
            data={"csrf_token": token, "on_duty": "1", "latitude": "43.8401", "longitude": "126.5502"},
            allow_redirects=False,
        )
        self.assertIn("message=duty_on", response.headers["Location"])
        self.assertTrue(self.carer_a.on_duty)
        self.assertAlmostEqual(self.carer_a.latitude, 43.8401)
        self.assertTrue(self.carer_a.location_at)
        # Off duty without a position: the last one stays; a position off the Earth is not kept.
        located_at = self.carer_a.location_at
        self.url_open("/my/elderly/carer/duty", data={"csrf_token": token, "on_duty": "0", "latitude": "123"})
        self.assertFalse(self.carer_a.on_duty)
        self.url_open(
            "/my/elderly/carer/duty", data={"csrf_token": token, "on_duty": "1", "latitude": "123", "longitude": "9"}
        )
        self.assertTrue(self.carer_a.on_duty)
        self.assertEqual((self.carer_a.latitude, self.carer_a.location_at), (43.8401, located_at))
        # Staff who are not a carer have no duty to change.
        self.authenticate("t_eldpt_staff_b", "t_eldpt_staff_b")
        self.assertNotIn("o_eld_duty_form", self.url_open("/my/elderly/provider-orders").text)
        response = self.url_open(
            "/my/elderly/carer/duty",
            data={"csrf_token": http.Request.csrf_token(self), "on_duty": "1"},
            allow_redirects=False,
        )
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertFalse(self.carer_b.on_duty)

    def test_provider_sees_only_own_orders(self):
        own = self.make_order("dispatched")
        other = self.make_order("dispatched", provider=self.provider_b)
        self.authenticate("t_eldpt_staff_a", "t_eldpt_staff_a")
        page = self.url_open("/my/elderly/provider-orders").text
        self.assertIn(own.name, page)
        self.assertNotIn(other.name, page)
        self.assertEqual(self.url_open(f"/my/elderly/provider-orders/{own.id}").status_code, 200)
        self.assertRedirectsHome(f"/my/elderly/provider-orders/{other.id}")
        # Nor can the staff assign a carer to it.
        response = self.url_open(
            f"/my/elderly/provider-orders/{other.id}/assign",
            data={"carer_id": self.carer_b.id, "csrf_token": self.csrf_token()},
            allow_redirects=False,
        )
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(other.state, "dispatched")
        # The dispatcher assigns one of the provider's carers from the page.
        self.url_open(
            f"/my/elderly/provider-orders/{own.id}/assign",
            data={"carer_id": self.carer_a.id, "csrf_token": self.csrf_token()},
        )
        self.assertEqual((own.state, own.carer_id), ("assigned", self.carer_a))
        # A filter by day and state keeps the order listed.
        day = pytz.utc.localize(own.scheduled_start).astimezone(pytz.timezone(self.staff_a.tz or "Asia/Shanghai"))
        page = self.url_open(f"/my/elderly/provider-orders?filterby=assigned&date={day.date().isoformat()}").text
        self.assertIn(own.name, page)
        # An elder is no provider staff.
        self.authenticate("t_eldpt_elder", "t_eldpt_elder")
        self.assertRedirectsHome("/my/elderly/provider-orders")

    def test_checkin_needs_location(self):
        order = self.make_order("assigned")
        self.authenticate("t_eldpt_staff_a", "t_eldpt_staff_a")
        response = self.url_open(
            f"/my/elderly/provider-orders/{order.id}/checkin",
            data={"csrf_token": self.csrf_token(), "latitude": "", "longitude": ""},
            allow_redirects=False,
        )
        self.assertIn("error=location", response.headers["Location"])
        self.assertEqual(order.state, "assigned")

    def test_family_without_consent_sees_nothing(self):
        order = self.make_order("done", days=-1)
        self.authenticate("t_eldpt_stranger", "t_eldpt_stranger")
        self.assertNotIn(order.name, self.url_open("/my/elderly/orders").text)
        self.assertRedirectsHome(f"/my/elderly/orders/{order.id}")
        self.assertRedirectsHome("/my/elderly/vouchers")
        self.assertRedirectsHome("/my/elderly/book")
        response = self.url_open(
            f"/my/elderly/orders/{order.id}/rate",
            data={"rating": "1", "csrf_token": self.csrf_token()},
            allow_redirects=False,
        )
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertFalse(order.rating)
        # The consenting daughter sees the order.
        self.authenticate("t_care_family", "t_care_family")
        self.assertIn(order.name, self.url_open("/my/elderly/orders").text)
        self.assertEqual(self.url_open(f"/my/elderly/orders/{order.id}").status_code, 200)

    def test_rating_twice_refused(self):
        order = self.make_order("done", days=-1)
        self.authenticate("t_eldpt_elder", "t_eldpt_elder")
        url = f"/my/elderly/orders/{order.id}/rate"
        response = self.url_open(url, data={"rating": "5", "csrf_token": self.csrf_token()}, allow_redirects=False)
        self.assertIn("message=rated", response.headers["Location"])
        response = self.url_open(url, data={"rating": "1", "csrf_token": self.csrf_token()}, allow_redirects=False)
        self.assertIn("error=rated", response.headers["Location"])
        self.assertEqual(order.rating, 5)
        self.assertNotIn("o_eld_rate_form", self.url_open(f"/my/elderly/orders/{order.id}").text)

    def test_post_without_csrf_refused(self):
        order = self.make_order("done", days=-1)
        booked = self.make_order("booked")
        self.authenticate("t_eldpt_elder", "t_eldpt_elder")
        response = self.url_open(f"/my/elderly/orders/{order.id}/rate", data={"rating": "5"})
        self.assertEqual(response.status_code, 400)
        response = self.url_open(f"/my/elderly/orders/{booked.id}/cancel", data={"reason": "不需要了"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(order.rating)
        self.assertEqual(booked.state, "booked")

    def test_cancel_before_dispatch_only(self):
        booked = self.make_order("booked")
        dispatched = self.make_order("dispatched")
        self.authenticate("t_eldpt_elder", "t_eldpt_elder")
        self.assertIn("o_eld_cancel_form", self.url_open(f"/my/elderly/orders/{booked.id}").text)
        self.assertNotIn("o_eld_cancel_form", self.url_open(f"/my/elderly/orders/{dispatched.id}").text)
        self.url_open(
            f"/my/elderly/orders/{booked.id}/cancel", data={"reason": "老人住院。", "csrf_token": self.csrf_token()}
        )
        self.assertEqual((booked.state, booked.cancel_reason), ("cancelled", "老人住院。"))
        response = self.url_open(
            f"/my/elderly/orders/{dispatched.id}/cancel",
            data={"reason": "不需要了", "csrf_token": self.csrf_token()},
            allow_redirects=False,
        )
        self.assertIn("error=cancel", response.headers["Location"])
        self.assertEqual(dispatched.state, "dispatched")

    def test_book_with_preferred_provider_and_vouchers(self):
        self.authenticate("t_eldpt_elder", "t_eldpt_elder")
        page = self.url_open("/my/elderly/book").text
        self.assertIn(self.provider_b.name, page)
        tomorrow = (fields.Date.context_today(self.elder_user) + datetime.timedelta(days=1)).isoformat()
        data = {
            "csrf_token": self.csrf_token(),
            "recipient_id": self.recipient_a.id,
            "service_id": self.bathing.id,
            "provider_id": self.provider_b.id,
            "date": tomorrow,
            "slot": "10",
            "quantity": "1",
        }
        response = self.url_open("/my/elderly/book", data=data, allow_redirects=False)
        self.assertIn("message=dispatched", response.headers["Location"])
        portal_domain = [("recipient_id", "=", self.recipient_a.id), ("channel", "=", "portal")]
        order = self.env["city.elderly.order"].search(portal_domain)
        self.assertEqual((order.state, order.provider_id, order.unit_price_fen), ("dispatched", self.provider_b, 3500))
        # A slot in the past is refused.
        past = dict(data, date="2020-01-01")
        self.assertIn("o_eld_error", self.url_open("/my/elderly/book", data=past).text)
        self.assertEqual(self.env["city.elderly.order"].search_count(portal_domain), 1)
        # Nobody books for an elder who is not his relative.
        other = dict(data, recipient_id=self.recipient_b.id)
        self.assertIn("o_eld_error", self.url_open("/my/elderly/book", data=other).text)
        # Vouchers page: the balance of the elder.
        self.assertIn("o_eld_balance", self.url_open("/my/elderly/vouchers").text)
