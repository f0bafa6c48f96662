"""Fixtures of the community service tests: departments, items, officers on top of city_base's city."""

import datetime

from freezegun import freeze_time

from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import CityCase


class CommunityCase(CityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Department = env["city.department"]
        cls.dept_civil = Department.create({"name": "测试民政科", "code": "T-MZ"})
        cls.dept_city = Department.create({"name": "测试城管科", "code": "T-CG"})
        cls.dept_water = Department.create({"name": "测试供水公司", "code": "T-GS"})
        cls.category = env.ref("city_community.city_service_category_civil")
        cls.category_city = env.ref("city_community.city_service_category_city")
        Item = env["city.service.item"]
        cls.item = Item.create(
            {
                "name": "测试高龄津贴申领",
                "code": "T-MZ-001",
                "category_id": cls.category.id,
                "legal_days": 5,
                "accept_hours": 7,
                "department_id": cls.dept_civil.id,
                "question_ids": [
                    (0, 0, {"name": "领取银行", "type": "selection", "options": "工商银行;农业银行", "required": True}),
                    (0, 0, {"name": "家庭人口", "type": "integer"}),
                ],
                "material_ids": [(0, 0, {"name": "身份证复印件"})],
            }
        )
        cls.item_lamp = Item.create(
            {
                "name": "测试路灯报修",
                "code": "T-CG-001",
                "category_id": cls.category_city.id,
                "legal_days": 2,
                "accept_hours": 3.5,
                "department_id": cls.dept_city.id,
            }
        )
        cls.item_alarm = Item.create(
            {
                "name": "测试漏水报警",
                "code": "T-AQ-001",
                "category_id": env.ref("city_community.city_service_category_safety").id,
                "is_alarm": True,
                "alarm_ack_minutes": 15,
                "legal_days": 1,
                "department_id": cls.dept_water.id,
            }
        )
        cls.officer_civil = new_test_user(
            env, login="t_officer_civil", groups="city_community.group_city_community_officer", name="民政干事"
        )
        cls.officer_civil.city_department_ids = cls.dept_civil
        cls.officer_city = new_test_user(
            env, login="t_officer_city", groups="city_community.group_city_community_officer", name="城管干事"
        )
        cls.officer_city.city_department_ids = cls.dept_city
        cls.head_civil = new_test_user(
            env, login="t_head_civil", groups="city_community.group_city_community_officer", name="民政科长"
        )
        cls.head_civil.city_department_ids = cls.dept_civil
        cls.dept_civil.head_id = cls.head_civil
        cls.gateway = new_test_user(env, login="t_gateway", groups="city_community.group_city_community_gateway")
        cls.Request = env["city.request"]

    def new_request(self, item=None, partner=None, user=None, **values):
        """A draft request created as ``user`` (worker A by default) for resident A."""
        partner = self.resident_a if partner is None else partner
        vals = {
            "item_id": (item or self.item_lamp).id,
            "channel": "window",
            "description": "楼道路灯不亮",
            **values,
        }
        if partner:
            vals["partner_id"] = partner.id
        return self.Request.with_user(user or self.worker_a).create(vals)

    def submitted(self, **kwargs):
        request = self.new_request(**kwargs)
        request.action_submit()
        return request

    def accepted(self, **kwargs):
        request = self.submitted(**kwargs)
        request.action_accept()
        return request

    @staticmethod
    def at(*args):
        """freeze_time at a naive UTC datetime."""
        return freeze_time(datetime.datetime(*args))
