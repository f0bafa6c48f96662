import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_community.tests.common import CommunityCase
from odoo.addons.city_special_care.tests.common import CareCase


@tagged("post_install", "-at_install")
class TestElderlyComplaint(CareCase, CommunityCase, TransactionCase):
    """Complaints about service orders open submitted community requests, once per order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        worker_group = "city_elderly_care.group_city_elderly_care_worker"
        # elderly-care workers without any community role: the bridge must work for them
        cls.eld_worker_a = new_test_user(env, login="t_eld_worker_a", groups=worker_group, name="甲社区养老专干")
        cls.eld_worker_a.city_division_ids = cls.community_a
        cls.eld_worker_b = new_test_user(env, login="t_eld_worker_b", groups=worker_group, name="乙社区养老专干")
        cls.eld_worker_b.city_division_ids = cls.community_b
        cls.item_complaint = env["city.service.item"].create(
            {
                "name": "测试养老服务投诉",
                "code": "T-MZ-090",
                "category_id": cls.category.id,
                "legal_days": 5,
                "accept_hours": 7,
                "department_id": cls.dept_civil.id,
            }
        )
        env["res.config.settings"].create({"elderly_complaint_item_id": cls.item_complaint.id}).execute()
        cls.service = env["city.elderly.service"].create(
            {"name": "上门助浴", "code": "t_bath", "category": "bathing", "unit": "visit", "duration_minutes": 60}
        )
        org = env["res.partner"].create(
            {"name": "吉林市测试居家养老服务中心", "is_company": True, "uscc": make_uscc("91220204MA0TEA001")}
        )
        cls.provider = env["city.elderly.provider"].create(
            {
                "partner_id": org.id,
                "kind": "station",
                "division_ids": [cls.street.id],
                "contract_no": "HT-A001",
                "contract_start": "2024-01-01",
            }
        )
        staff = env["res.partner"].create({"name": "刘护理", "parent_id": org.id})
        cls.staff_user = new_test_user(
            env,
            login="t_eld_staff",
            groups="base.group_portal,city_elderly_care.group_city_elderly_care_provider",
            name="刘护理",
            partner_id=staff.id,
        )

    def make_order(self, recipient=None, state="done"):
        order = self.env["city.elderly.order"].create(
            {
                "recipient_id": (recipient or self.recipient_a).id,
                "service_id": self.service.id,
                "provider_id": self.provider.id,
                "scheduled_start": datetime.datetime(2025, 3, 3, 1, 0),
            }
        )
        order.sudo().write({"state": state})
        return order

    def complain(self, order, user=None, **values):
        """Open the wizard from the order as ``user`` (elderly worker A) and confirm it."""
        user = user or self.eld_worker_a
        action = order.with_user(user).action_open_complaint_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"description": "护理员迟到四十分钟，助浴不到半小时就走了。", **values})
        )
        wizard.action_confirm()
        return wizard

    def test_complaint_item_comes_from_the_settings(self):
        order = self.make_order()
        self.env["ir.config_parameter"].set_param("city_elderly_care_community.complaint_item_id", False)
        self.assertFalse(self.env["city.elderly.order"]._elderly_complaint_item())
        with self.assertRaises(UserError):
            self.env["city.elderly.order"].with_user(self.eld_worker_a)._elderly_complain(order, "服务态度差")
        self.assertFalse(order.complaint_request_ids)
        # An archived item is not used either.
        self.env["res.config.settings"].create({"elderly_complaint_item_id": self.item_complaint.id}).execute()
        self.item_complaint.active = False
        self.assertFalse(self.env["city.elderly.order"]._elderly_complaint_item())

    def test_worker_complaint_opens_submitted_request(self):
        order = self.make_order()
        wizard = self.complain(order)
        self.assertEqual(wizard.item_id, self.item_complaint, "the catalogue's elderly-care complaint item")
        request = order.complaint_request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.channel, "window")
        self.assertEqual(request.partner_id, self.resident_a)
        self.assertEqual(request.division_id, self.grid_a)
        self.assertEqual(request.item_id, self.item_complaint)
        self.assertEqual(request.elderly_order_id, order)
        self.assertEqual(request.create_uid, self.eld_worker_a)
        self.assertEqual(order.with_user(self.eld_worker_a).complaint_refs, request.name)
        self.assertIn(request.name, order.message_ids[0].body)
        self.assertIn(order.name, request.message_ids[0].body)
        self.assertIn(self.eld_worker_a.partner_id, request.message_partner_ids)
        # the community worker of the division takes it from there
        request.with_user(self.city_worker).action_accept()
        self.assertEqual(request.state, "dispatched", "accepted and dispatched to the lead department")

    def test_item_can_be_chosen(self):
        order = self.make_order(state="cancelled")
        self.complain(order, item_id=self.item_lamp.id)
        self.assertEqual(order.complaint_request_ids.item_id, self.item_lamp)

    def test_second_open_complaint_refused(self):
        order = self.make_order(state="in_progress")
        self.complain(order)
        with self.assertRaises(UserError):
            order.with_user(self.eld_worker_a).action_open_complaint_wizard()
        wizard = (
            self.env["city.elderly.order.complaint.wizard"]
            .with_user(self.eld_worker_a)
            .create({"order_id": order.id, "item_id": self.item_complaint.id, "description": "再次投诉"})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(len(order.complaint_request_ids), 1)
        # once the first complaint is settled, a new one is possible
        order.complaint_request_ids.sudo().write({"state": "closed"})
        self.complain(order)
        self.assertEqual(len(order.complaint_request_ids), 2)

    def test_order_not_started(self):
        order = self.make_order(state="assigned")
        with self.assertRaises(UserError):
            order.with_user(self.eld_worker_a).action_open_complaint_wizard()
        with self.assertRaises(UserError):
            self.env["city.elderly.order"].with_user(self.eld_worker_a)._elderly_complain(order, "还没上门")
        self.assertFalse(order.complaint_request_ids)

    def test_worker_of_other_division_cannot(self):
        order = self.make_order()
        with self.assertRaises(AccessError):
            order.with_user(self.eld_worker_b).action_open_complaint_wizard()
        Wizard = self.env["city.elderly.order.complaint.wizard"].with_user(self.eld_worker_b)
        with self.assertRaises(AccessError):
            Wizard.create({"order_id": order.id, "item_id": self.item_complaint.id, "description": "投诉"})
        wizard = (
            Wizard.sudo()
            .create({"order_id": order.id, "item_id": self.item_complaint.id, "description": "投诉"})
            .with_user(self.eld_worker_b)
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        with self.assertRaises(AccessError):
            self.env["city.elderly.order"].with_user(self.eld_worker_b)._elderly_complain(order, "投诉")
        self.assertFalse(order.complaint_request_ids)

    def test_portal_family_complains_for_readable_orders_only(self):
        order = self.make_order()
        Order = self.env["city.elderly.order"].with_user(self.family_user)
        request = Order._elderly_complain(order, "护理员服务态度差。")
        self.assertEqual(request.sudo().channel, "portal")
        self.assertEqual(request.sudo().partner_id, self.family_partner)
        self.assertEqual(request.sudo().division_id, self.grid_a, "the elder's division, not the family's")
        self.assertEqual(request.sudo().state, "submitted")
        self.assertEqual(order.complaint_request_ids, request)
        with self.assertRaises(UserError):
            Order._elderly_complain(order, "再投诉一次")
        other = self.make_order(recipient=self.recipient_b)
        with self.assertRaises(AccessError):
            Order._elderly_complain(other, "不是我家的订单")
        # the provider's staff read the order but do not complain about their own service
        with self.assertRaises(AccessError):
            self.env["city.elderly.order"].with_user(self.staff_user)._elderly_complain(other, "投诉")
        self.assertFalse(other.complaint_request_ids)

    def test_portal_elder_complains(self):
        order = self.make_order()
        request = (
            self.env["city.elderly.order"].with_user(self.portal_resident)._elderly_complain(order, "没有打扫干净")
        )
        self.assertEqual(request.sudo().partner_id, self.resident_a)
        self.assertEqual(request.sudo().channel, "portal")
