import datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.city_community.tests.common import CommunityCase


@tagged("post_install", "-at_install")
class TestCareVisitRequest(CommunityCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        care_group = "city_special_care.group_city_special_care_worker"
        # care workers without any community role: the bridge must work for them
        cls.care_worker_a = new_test_user(cls.env, login="t_care_worker_a", groups=care_group, name="甲社区助老员")
        cls.care_worker_a.city_division_ids = cls.community_a
        cls.care_worker_b = new_test_user(cls.env, login="t_care_worker_b", groups=care_group, name="乙社区助老员")
        cls.care_worker_b.city_division_ids = cls.community_b
        cls.recipient = cls.env["city.care.recipient"].create(
            {"partner_id": cls.resident_a.id, "responsible_user_id": cls.care_worker_a.id}
        )

    def new_visit(self, done=True):
        visit = self.env["city.care.visit"].create(
            {
                "recipient_id": self.recipient.id,
                "due_date": fields.Datetime.now() + datetime.timedelta(days=1),
                "findings": "老人反映楼道路灯坏了，晚上下楼不安全。",
                "needs_follow_up": True,
            }
        )
        if done:
            visit.with_user(self.care_worker_a).action_done()
        return visit

    def open_request(self, visit, user=None, **values):
        """Open the wizard from the visit as ``user`` (care worker A) and confirm it."""
        user = user or self.care_worker_a
        action = visit.with_user(user).action_open_request_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"item_id": self.item_lamp.id, **values})
        )
        wizard.action_confirm()
        return wizard

    def test_visit_opens_submitted_request(self):
        visit = self.new_visit()
        wizard = self.open_request(visit)
        self.assertEqual(wizard.description, visit.findings, "the description is prefilled from the findings")
        request = visit.request_id
        self.assertTrue(request)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.partner_id, self.resident_a)
        self.assertEqual(request.division_id, self.grid_a)
        self.assertEqual(request.building_id, self.building_a)
        self.assertEqual(request.household_id, self.household_a)
        self.assertEqual(request.item_id, self.item_lamp)
        self.assertEqual(request.channel, "window")
        self.assertEqual(request.description, visit.findings)
        self.assertEqual(request.create_uid, self.care_worker_a, "the worker stays the author of the request")
        self.assertEqual(request.care_visit_ids, visit)
        self.assertIn(self.care_worker_a.partner_id, request.message_partner_ids)
        self.assertIn(request.name, visit.message_ids[0].body)
        self.assertIn("care visit", request.message_ids[0].body)
        # the community worker of the division takes it from there
        request.with_user(self.worker_a).action_accept()
        self.assertEqual(request.state, "dispatched")

    def test_description_can_be_edited(self):
        visit = self.new_visit()
        self.open_request(visit, description="路灯损坏，请尽快维修。")
        self.assertEqual(visit.request_id.description, "路灯损坏，请尽快维修。")

    def test_one_request_per_visit(self):
        visit = self.new_visit()
        self.open_request(visit)
        with self.assertRaises(UserError):
            visit.with_user(self.care_worker_a).action_open_request_wizard()
        # a wizard left open in another tab is refused as well
        wizard = (
            self.env["city.care.visit.request.wizard"]
            .with_user(self.care_worker_a)
            .create({"visit_id": visit.id, "item_id": self.item.id, "description": "再次提交"})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(self.Request.search_count([("partner_id", "=", self.resident_a.id)]), 1)

    def test_visit_not_done(self):
        visit = self.new_visit(done=False)
        with self.assertRaises(UserError):
            visit.with_user(self.care_worker_a).action_open_request_wizard()
        wizard = (
            self.env["city.care.visit.request.wizard"]
            .with_user(self.care_worker_a)
            .create({"visit_id": visit.id, "item_id": self.item_lamp.id, "description": "路灯坏了"})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertFalse(visit.request_id)

    def test_other_division_cannot(self):
        visit = self.new_visit()
        with self.assertRaises(AccessError):
            visit.with_user(self.care_worker_b).action_open_request_wizard()
        Wizard = self.env["city.care.visit.request.wizard"].with_user(self.care_worker_b)
        with self.assertRaises(AccessError):
            Wizard.create({"visit_id": visit.id, "item_id": self.item_lamp.id})
        # a wizard of a visit that moved out of the worker's divisions since
        wizard = (
            Wizard.sudo().create({"visit_id": visit.id, "item_id": self.item_lamp.id}).with_user(self.care_worker_b)
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertFalse(visit.request_id)
        self.assertFalse(self.Request.search([("partner_id", "=", self.resident_a.id)]))

    def test_community_worker_without_care_role_cannot(self):
        visit = self.new_visit()
        with self.assertRaises(AccessError):
            self.env["city.care.visit.request.wizard"].with_user(self.worker_a).create(
                {"visit_id": visit.id, "item_id": self.item_lamp.id, "description": "路灯坏了"}
            )
