from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import CityCase, make_uscc


class TraceCase(CityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.farm = cls.env["res.partner"].create(
            {
                "name": "舒兰市稻香种植合作社",
                "is_company": True,
                "uscc": make_uscc("93220283MA0TR0001"),
                "trace_producer": True,
            }
        )
        cls.mill = cls.env["res.partner"].create(
            {
                "name": "吉林市丰谷米业有限公司",
                "is_company": True,
                "uscc": make_uscc("91220204MA0TR0002"),
                "trace_processor": True,
            }
        )
        cls.officer = new_test_user(cls.env, login="t_trace_officer", groups="city_trace.group_city_trace_user")
        cls.rice = cls.env["city.trace.product"].create(
            {
                "name": "舒兰大米 5kg",
                "gtin": "6901234567892",
                "category": "food",
                "regulated": True,
                "partner_id": cls.mill.id,
                "shelf_life_days": 365,
                "uom": "bag",
            }
        )

    @classmethod
    def enterprise_user(cls, login, enterprise, name):
        """A portal user in the Business role, a contact of ``enterprise`` (it records for it)."""
        contact = cls.env["res.partner"].create({"name": name, "parent_id": enterprise.id})
        return new_test_user(cls.env, login=login, groups="city_base.group_city_base_business", partner_id=contact.id)
