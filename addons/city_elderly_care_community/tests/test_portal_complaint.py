import datetime

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_community.tests.common import CommunityCase
from odoo.addons.city_special_care.tests.common import CareCase


@tagged("post_install", "-at_install")
class TestPortalComplaint(CareCase, CommunityCase, HttpCase):
    """The elder or the consenting family complains on the portal order page; nobody else can."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.item_complaint = env["city.service.item"].create(
            {
                "name": "测试养老服务投诉",
                "code": "T-MZ-091",
                "category_id": cls.category.id,
                "legal_days": 5,
                "accept_hours": 7,
                "department_id": cls.dept_civil.id,
            }
        )
        env["res.config.settings"].create({"elderly_complaint_item_id": cls.item_complaint.id}).execute()
        service = env["city.elderly.service"].create(
            {"name": "上门助浴", "code": "t_pc_bath", "category": "bathing", "unit": "visit", "duration_minutes": 60}
        )
        org = env["res.partner"].create(
            {"name": "吉林市投诉测试养老服务中心", "is_company": True, "uscc": make_uscc("91220204MA0TPC001")}
        )
        provider = env["city.elderly.provider"].create(
            {"partner_id": org.id, "kind": "station", "division_ids": [cls.street.id], "contract_start": "2024-01-01"}
        )
        Order = env["city.elderly.order"]
        values = {
            "recipient_id": cls.recipient_a.id,
            "service_id": service.id,
            "provider_id": provider.id,
            "scheduled_start": datetime.datetime(2025, 3, 3, 1, 0),
        }
        cls.done = Order.create(values)
        cls.booked = Order.create(values)
        cls.done.sudo().write({"state": "done"})
        cls.booked.sudo().write({"state": "booked"})
        cls.elder_user = new_test_user(
            env, login="t_eldpc_elder", groups="base.group_portal", name="张桂兰", partner_id=cls.resident_a.id
        )
        cls.other_user = new_test_user(
            env, login="t_eldpc_other", groups="base.group_portal", name="乙老人", partner_id=cls.resident_b.id
        )

    def complain(self, login, order, text="护理员迟到了四十分钟。"):
        self.authenticate(login, login)
        return self.url_open(
            f"/my/elderly/orders/{order.id}/complain",
            data={"description": text, "csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
        )

    def test_tour_complaint(self):
        self.start_tour(
            f"/my/elderly/orders/{self.done.id}", "city_elderly_care_community_complaint", login="t_eldpc_elder"
        )
        request = self.done.complaint_request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual(
            (request.channel, request.state, request.item_id), ("portal", "submitted", self.item_complaint)
        )
        self.assertEqual(request.partner_id, self.resident_a)
        self.assertIn("护理员迟到了四十分钟。", request.description)

    def test_family_complains_stranger_cannot(self):
        response = self.complain("t_eldpc_other", self.done)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertFalse(self.done.complaint_request_ids)
        response = self.complain("t_care_family", self.done)
        self.assertIn("message=complained", response.headers["Location"])
        self.assertEqual(self.done.complaint_request_ids.channel, "portal")

    def test_refusals(self):
        # Nothing to complain about yet, an empty text, a second complaint while the first is open.
        self.assertIn("error=complaint", self.complain("t_eldpc_elder", self.booked).headers["Location"])
        self.assertIn("error=complaint_text", self.complain("t_eldpc_elder", self.done, text="  ").headers["Location"])
        self.assertFalse((self.done | self.booked).complaint_request_ids)
        self.assertIn("message=complained", self.complain("t_eldpc_elder", self.done).headers["Location"])
        self.assertIn("error=complaint", self.complain("t_eldpc_elder", self.done).headers["Location"])
        self.assertEqual(len(self.done.complaint_request_ids), 1)
        page = self.url_open(f"/my/elderly/orders/{self.done.id}").text
        self.assertIn(self.done.complaint_request_ids.name, page)
        self.assertNotIn("o_eld_complain_form", page)
