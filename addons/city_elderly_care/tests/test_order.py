import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase

# A Monday morning, naive UTC (09:00 in Jilin is 01:00 UTC).
MONDAY = datetime.datetime(2025, 3, 3, 1, 0)


@tagged("post_install", "-at_install")
class TestOrder(CareCase, TransactionCase):
    """Service orders: booking, dispatch, carer check-in/out, payment, rating, cancellation, isolation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        worker_group = "city_elderly_care.group_city_elderly_care_worker"
        cls.eld_worker_a = new_test_user(env, login="t_eld_worker_a", groups=worker_group, name="甲社区养老专干")
        cls.eld_worker_a.city_division_ids = cls.community_a
        cls.eld_worker_b = new_test_user(env, login="t_eld_worker_b", groups=worker_group, name="乙社区养老专干")
        cls.eld_worker_b.city_division_ids = cls.community_b

        cls.building_a.write({"latitude": 43.8378, "longitude": 126.5496})
        Service = env["city.elderly.service"]
        cls.bathing = Service.create(
            {"name": "上门助浴", "code": "t_bath", "category": "bathing", "unit": "visit", "duration_minutes": 60}
        )
        cls.housekeeping = Service.create(
            {"name": "家政保洁", "code": "t_clean", "category": "housekeeping", "unit": "hour", "duration_minutes": 60}
        )
        cls.provider_a = cls.make_provider("吉林市测试居家养老服务中心", "91220204MA0TEA001", cls.street, 3000)
        cls.provider_b = cls.make_provider("吉林市测试康养服务有限公司", "91220204MA0TEB001", cls.community_a, 3500)
        cls.carer_a = cls.make_carer(cls.provider_a, "刘护理")
        cls.carer_b = cls.make_carer(cls.provider_b, "陈护理")
        provider_groups = "base.group_portal,city_elderly_care.group_city_elderly_care_provider"
        cls.staff_a = new_test_user(
            env, login="t_eld_staff_a", groups=provider_groups, name="刘护理", partner_id=cls.carer_a.partner_id.id
        )
        cls.carer_a.user_id = cls.staff_a
        cls.staff_b = new_test_user(
            env, login="t_eld_staff_b", groups=provider_groups, name="陈护理", partner_id=cls.carer_b.partner_id.id
        )
        cls.elder_user = new_test_user(
            env, login="t_eld_elder", groups="base.group_portal", name="张桂兰", partner_id=cls.resident_a.id
        )

        # Subsidy: 50 yuan a month for the elders of a test category (recipient A only).
        category = env["city.care.category"].create(
            {"name": "测试补贴对象", "code": "t_eld_subsidy", "group": "elderly"}
        )
        cls.recipient_a.manual_category_ids = category
        cls.policy = env["city.elderly.subsidy.policy"].create(
            {
                "name": "测试养老服务补贴",
                "category_ids": [category.id],
                "monthly_fen": 5000,
                "valid_months": 3,
                "date_start": "2025-01-01",
            }
        )

    @classmethod
    def make_provider(cls, name, uscc_body, area, price_fen, contracted=True):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True, "uscc": make_uscc(uscc_body)})
        provider = cls.env["city.elderly.provider"].create(
            {
                "partner_id": partner.id,
                "kind": "station",
                "division_ids": [area.id],
                "contract_no": f"HT-{uscc_body[-4:]}",
                "contract_start": "2024-01-01" if contracted else "2030-01-01",
            }
        )
        cls.env["city.elderly.price"].create(
            [
                {"provider_id": provider.id, "service_id": cls.bathing.id, "price_fen": price_fen},
                {"provider_id": provider.id, "service_id": cls.housekeeping.id, "price_fen": 4000},
            ]
        )
        return provider

    @classmethod
    def make_carer(cls, provider, name):
        person = cls.env["res.partner"].create({"name": name, "parent_id": provider.partner_id.id})
        return cls.env["city.elderly.carer"].create(
            {"partner_id": person.id, "provider_id": provider.id, "qualification": "senior"}
        )

    def make_order(self, recipient=None, service=None, provider=None, start=MONDAY, user=None, **values):
        Order = self.env["city.elderly.order"].with_user(user or self.eld_worker_a)
        return Order.create(
            {
                "recipient_id": (recipient or self.recipient_a).id,
                "service_id": (service or self.bathing).id,
                "provider_id": provider.id if provider else False,
                "scheduled_start": start,
                **values,
            }
        )

    def run_to(self, order, state, provider=None, carer=None):
        """Take ``order`` (a worker's record) from its state through the steps up to ``state``."""
        steps = ["draft", "booked", "dispatched", "assigned", "in_progress", "done"]
        for step in steps[steps.index(order.state) + 1 : steps.index(state) + 1]:
            if step == "booked":
                order.action_book()
            elif step == "dispatched":
                if provider:
                    order.write({"provider_id": provider.id})
                order.action_dispatch()
            elif step == "assigned":
                order.action_assign(carer or order.provider_id.carer_ids[:1])
            elif step == "in_progress":
                order.action_checkin(43.8378, 126.5496)
            else:
                order.action_checkout("已完成服务。")
        return order

    # ------------------------------------------------------------------
    # Happy path and payment
    # ------------------------------------------------------------------
    def test_happy_path_voucher_then_self_pay(self):
        with freeze_time("2025-03-01 02:00:00"):
            self.env["city.elderly.voucher"]._issue_month(datetime.date(2025, 3, 1), self.policy)
        first = self.make_order(provider=self.provider_a)
        self.assertTrue(first.name.startswith("YLFW"))
        self.assertEqual(first.channel, "worker")
        self.assertEqual(first.duration_minutes, 60)
        with freeze_time(MONDAY - datetime.timedelta(days=1)):
            first.action_book()
        self.assertEqual((first.state, first.unit_price_fen, first.amount_fen), ("booked", 3000, 3000))
        first.action_dispatch()
        self.assertEqual(first.state, "dispatched")
        self.assertTrue(first.dispatched_at)
        # The provider's staff assign the carer and the carer checks in and out.
        staff_order = first.with_user(self.staff_a)
        staff_order.action_assign(self.carer_a.id)
        self.assertEqual((first.state, first.carer_id), ("assigned", self.carer_a))
        with freeze_time(MONDAY):
            staff_order.action_checkin(43.8380, 126.5497)
        self.assertEqual(first.state, "in_progress")
        self.assertEqual(first.checkin_at, MONDAY)
        self.assertLess(first.checkin_distance, 50)
        self.assertFalse(first.is_far)
        with freeze_time(MONDAY + datetime.timedelta(minutes=58)), self.assertRaises(UserError):
            staff_order.action_checkout()  # completion notes are required
        with freeze_time(MONDAY + datetime.timedelta(minutes=58)):
            staff_order.action_checkout("协助老人洗浴，皮肤无异常。", 43.8379, 126.5496)
        self.assertEqual(first.state, "done")
        self.assertEqual(first.actual_minutes, 58)
        self.assertFalse(first.is_short)  # within the 10% tolerance
        self.assertEqual((first.amount_fen, first.voucher_fen, first.self_pay_fen), (3000, 3000, 0))
        # Two hours of housekeeping (2 × 40 yuan): the 20 yuan left on the voucher, then self-pay.
        with freeze_time(MONDAY):
            second = self.make_order(service=self.housekeeping, provider=self.provider_a, quantity=2)
            self.assertEqual(second.duration_minutes, 120)
            self.run_to(second, "in_progress")
        with freeze_time(MONDAY + datetime.timedelta(minutes=120)):
            second.action_checkout("打扫厨房和卫生间。")
        self.assertEqual((second.amount_fen, second.voucher_fen, second.self_pay_fen), (8000, 2000, 6000))
        with freeze_time(MONDAY):
            self.assertEqual(self.env["city.elderly.voucher"]._balance(self.recipient_a)[self.recipient_a.id], 0)
        moves = self.env["city.elderly.voucher.move"].search([("order_id", "in", (first + second).ids)])
        self.assertEqual(sum(moves.mapped("amount_fen")), -5000)

    def test_without_voucher_everything_is_self_pay(self):
        order = self.make_order(recipient=self.recipient_b, user=self.eld_worker_b)
        with freeze_time(MONDAY):
            self.run_to(order, "in_progress")
        with freeze_time(MONDAY + datetime.timedelta(hours=1)):
            order.action_checkout("完成。")
        self.assertEqual((order.voucher_fen, order.self_pay_fen), (0, order.amount_fen))
        self.assertTrue(order.amount_fen)

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
    def test_dispatch_picks_least_busy_serving_provider(self):
        # Provider B serves community A only and is dearer; with no orders A (cheaper) wins the tie.
        order = self.run_to(self.make_order(), "dispatched")
        self.assertEqual(order.provider_id, self.provider_a)
        self.assertEqual(order.unit_price_fen, 3000)
        # Now A has one open order that day: B gets the next one.
        second = self.run_to(self.make_order(start=MONDAY + datetime.timedelta(hours=3)), "dispatched")
        self.assertEqual(second.provider_id, self.provider_b)
        self.assertEqual(second.unit_price_fen, 3500)
        # Another day: both free again.
        other_day = self.run_to(self.make_order(start=MONDAY + datetime.timedelta(days=1)), "dispatched")
        self.assertEqual(other_day.provider_id, self.provider_a)
        # Elder B (community B) is served by A only, busy or not.
        order_b = self.run_to(self.make_order(recipient=self.recipient_b, user=self.eld_worker_b), "dispatched")
        self.assertEqual(order_b.provider_id, self.provider_a)

    def test_dispatch_skips_uncontracted_and_full_providers(self):
        self.provider_a.daily_capacity = 1
        self.run_to(self.make_order(recipient=self.recipient_b, user=self.eld_worker_b), "dispatched")
        # A is full that day, B does not serve community B: nobody left.
        order = self.make_order(recipient=self.recipient_b, user=self.eld_worker_b)
        order.action_book()
        with self.assertRaisesRegex(UserError, "No contracted provider"):
            order.action_dispatch()
        self.assertEqual(order.state, "booked")
        self.provider_a.daily_capacity = 0
        self.provider_a.contract_end = "2024-12-31"
        with self.assertRaisesRegex(UserError, "No contracted provider"):
            order.action_dispatch()
        # A provider chosen by hand must be contracted and serve the area too.
        order.write({"provider_id": self.provider_b.id})
        with self.assertRaises(UserError):
            order.action_dispatch()

    def test_dispatch_refuses_service_without_price(self):
        meal = self.env["city.elderly.service"].create(
            {"name": "助餐", "code": "t_meal", "category": "meal", "unit": "meal", "duration_minutes": 15}
        )
        order = self.make_order(service=meal)
        order.action_book()
        with self.assertRaisesRegex(UserError, "No contracted provider"):
            order.action_dispatch()

    def test_cron_dispatches_booked_orders(self):
        self.provider_a.daily_capacity = 1
        with freeze_time(MONDAY - datetime.timedelta(days=1)):
            first = self.make_order(recipient=self.recipient_b, user=self.eld_worker_b)
            second = self.make_order(recipient=self.recipient_b, user=self.eld_worker_b)
            draft = self.make_order()
            past = self.make_order(start=MONDAY - datetime.timedelta(days=2))
            for order in (first, second, past):
                order.action_book()
            Order = self.env["city.elderly.order"]
            dispatched = Order._cron_dispatch()
            # Elder B is served by A only, which takes one order that day: the second one waits.
            self.assertEqual(dispatched, first)
            self.assertEqual((first.state, first.provider_id), ("dispatched", self.provider_a))
            self.assertEqual(second.state, "booked")
            self.assertIn("No contracted provider", second.dispatch_error)
            self.assertEqual((draft.state, past.state), ("draft", "booked"), "drafts and past orders stay")
            notes = second.message_ids.filtered(lambda m: "Automatic dispatch failed" in (m.body or ""))
            self.assertEqual(len(notes), 1)
            # The next run posts nothing new; once A has room the order goes out and the reason is cleared.
            Order._cron_dispatch()
            notes = second.message_ids.filtered(lambda m: "Automatic dispatch failed" in (m.body or ""))
            self.assertEqual(len(notes), 1)
            self.provider_a.daily_capacity = 0
            self.assertEqual(Order._cron_dispatch(), second)
            self.assertEqual((second.state, second.dispatch_error), ("dispatched", False))
        # Nobody writes the reason by hand.
        with self.assertRaises(UserError):
            second.with_user(self.eld_worker_b).write({"dispatch_error": "x"})

    def test_assign_checks_carer(self):
        order = self.run_to(self.make_order(provider=self.provider_a), "dispatched")
        with self.assertRaises(UserError):
            order.action_assign(self.carer_b)  # works for provider B
        self.carer_a.division_ids = self.community_b
        with self.assertRaises(UserError):
            order.action_assign(self.carer_a)  # does not serve community A
        self.carer_a.division_ids = self.community_a
        order.action_assign(self.carer_a)
        self.assertEqual(order.state, "assigned")

    # ------------------------------------------------------------------
    # Check-in / check-out anomalies
    # ------------------------------------------------------------------
    def test_checkin_far_from_home_flagged(self):
        order = self.run_to(self.make_order(provider=self.provider_a), "assigned")
        # About 1.1 km north of the building.
        order.with_user(self.staff_a).action_checkin(43.8478, 126.5496)
        self.assertTrue(order.is_far)
        self.assertGreater(order.checkin_distance, 1000)
        # The limit is configurable in the settings.
        self.env["res.config.settings"].create({"elderly_checkin_max_distance_m": 2000}).execute()
        self.assertEqual(self.env["ir.config_parameter"].get_param("city_elderly_care.checkin_max_distance_m"), "2000")
        second = self.run_to(self.make_order(provider=self.provider_a), "assigned")
        second.with_user(self.staff_a).action_checkin(43.8478, 126.5496)
        self.assertFalse(second.is_far)
        # Provider staff must send the location.
        third = self.run_to(self.make_order(provider=self.provider_a), "assigned")
        with self.assertRaises(UserError):
            third.with_user(self.staff_a).action_checkin()

    def test_short_visit_flagged(self):
        order = self.make_order(provider=self.provider_a)
        with freeze_time(MONDAY):
            self.run_to(order, "in_progress")
        with freeze_time(MONDAY + datetime.timedelta(minutes=30)):
            order.with_user(self.staff_a).action_checkout("老人不适，提前结束。")
        self.assertEqual(order.actual_minutes, 30)
        self.assertTrue(order.is_short)
        self.assertEqual(order.state, "done")

    # ------------------------------------------------------------------
    # Transitions, cancellation, rating
    # ------------------------------------------------------------------
    def test_illegal_transitions(self):
        order = self.make_order(provider=self.provider_a)
        for action in ("action_dispatch", "action_assign", "action_checkin", "action_checkout"):
            with self.assertRaises(UserError, msg=action):
                getattr(order, action)()
        with self.assertRaises(UserError):
            order.action_rate(5)
        order.action_book()
        with self.assertRaises(UserError):
            order.action_book()
        with self.assertRaises(UserError):
            order.action_checkin(43.8, 126.5)
        # The steps' fields cannot be written directly.
        with self.assertRaises(UserError):
            order.write({"state": "done"})
        with self.assertRaises(UserError):
            order.write({"voucher_fen": 100})
        self.run_to(order, "done")
        for action in ("action_book", "action_dispatch", "action_checkin", "action_checkout"):
            with self.assertRaises(UserError, msg=action):
                getattr(order, action)()

    def test_cancellation_rules(self):
        # Before dispatch: the elder may cancel a booked order, without a reason.
        booked = self.make_order()
        booked.action_book()
        booked.with_user(self.elder_user).action_cancel()
        self.assertEqual(booked.state, "cancelled")
        with self.assertRaises(UserError):
            booked.action_cancel("再次取消")
        # After dispatch: not the elder; the worker or the provider with a reason.
        dispatched = self.run_to(self.make_order(provider=self.provider_a), "dispatched")
        with self.assertRaises(AccessError):
            dispatched.with_user(self.elder_user).action_cancel("不需要了")
        with self.assertRaises(UserError):
            dispatched.action_cancel()
        dispatched.with_user(self.staff_a).action_cancel("护理员临时生病，改约。")
        self.assertEqual(dispatched.state, "cancelled")
        self.assertEqual(dispatched.cancel_reason, "护理员临时生病，改约。")
        assigned = self.run_to(self.make_order(provider=self.provider_a), "assigned")
        assigned.action_cancel("老人住院。")
        self.assertEqual(assigned.state, "cancelled")
        # Started or done: never.
        started = self.run_to(self.make_order(provider=self.provider_a), "in_progress")
        with self.assertRaises(UserError):
            started.action_cancel("太晚了")
        started.action_checkout("完成。")
        with self.assertRaises(UserError):
            started.action_cancel("太晚了")

    def test_rating_once(self):
        order = self.run_to(self.make_order(provider=self.provider_a), "done")
        with self.assertRaises(AccessError):
            order.with_user(self.staff_a).action_rate(5)  # the provider cannot rate itself
        with self.assertRaises(UserError):
            order.with_user(self.elder_user).action_rate(6)
        order.with_user(self.elder_user).action_rate(4, "护理员很耐心。")
        self.assertEqual((order.rating, order.rating_comment), (4, "护理员很耐心。"))
        self.assertTrue(order.rated_at)
        with self.assertRaises(UserError):
            order.with_user(self.family_user).action_rate(5)
        with self.assertRaises(UserError):
            order.action_rate(5)
        # The family with consent may rate the elder's next service; a worker may record a rating too.
        second = self.run_to(self.make_order(provider=self.provider_a), "done")
        second.with_user(self.family_user).action_rate(5)
        self.assertEqual(second.rating, 5)
        third = self.run_to(self.make_order(provider=self.provider_a), "done")
        third.action_rate(3, "电话回访。")
        self.assertEqual(third.rating, 3)

    # ------------------------------------------------------------------
    # Isolation
    # ------------------------------------------------------------------
    def test_provider_isolation(self):
        order_a = self.run_to(self.make_order(provider=self.provider_a), "assigned")
        order_b = self.run_to(self.make_order(provider=self.provider_b), "assigned")
        Order = self.env["city.elderly.order"].with_user(self.staff_a)
        self.assertEqual(Order.search([]), order_a)
        self.assertCanRead(self.staff_a, order_a)
        self.assertCannotRead(self.staff_a, order_b)
        with self.assertRaises(AccessError):
            order_b.with_user(self.staff_a).action_checkin(43.8378, 126.5496)
        with self.assertRaises(AccessError):
            order_b.with_user(self.staff_a).action_cancel("不是我们的单")
        self.assertEqual(order_b.state, "assigned")
        # Staff change orders through the steps only, never directly, and cannot create or dispatch.
        with self.assertRaises(AccessError):
            order_a.with_user(self.staff_a).write({"notes": "直接修改"})
        with self.assertRaises(AccessError):
            Order.create({"recipient_id": self.recipient_a.id, "service_id": self.bathing.id})
        self.assertEqual(self.env["city.elderly.order"].with_user(self.staff_b).search([]), order_b)

    def test_elder_and_family_see_own_orders(self):
        own = self.make_order()
        other = self.make_order(recipient=self.recipient_b, user=self.eld_worker_b)
        for user in (self.elder_user, self.family_user):
            self.assertEqual(self.env["city.elderly.order"].with_user(user).search([]), own)
            self.assertCannotRead(user, other)
            with self.assertRaises(AccessError):
                own.with_user(user).write({"request_note": "改时间"})

    def test_worker_divisions(self):
        own = self.make_order()
        self.assertCannotRead(self.eld_worker_b, own)
        with self.assertRaises(AccessError):
            own.with_user(self.eld_worker_b).action_book()
        # A worker cannot book for an elder outside the worker's divisions.
        with self.assertRaises(AccessError):
            self.make_order(recipient=self.recipient_b)
        self.assertCanRead(self.supervisor, own)
        with self.assertRaises(AccessError):
            own.with_user(self.supervisor).action_book()

    def test_portal_booking(self):
        order = (
            self.env["city.elderly.order"]
            .with_user(self.family_user)
            ._book_for_portal(self.recipient_a, self.bathing, MONDAY, note="希望下午来。")
        )
        self.assertEqual((order.state, order.channel), ("booked", "portal"))
        with self.assertRaises(AccessError):
            self.env["city.elderly.order"].with_user(self.family_user)._book_for_portal(
                self.recipient_b, self.bathing, MONDAY
            )
