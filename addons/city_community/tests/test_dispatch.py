from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestDispatchRules(CommunityCase, TransactionCase):
    def test_most_specific_rule_wins(self):
        Rule = self.env["city.dispatch.rule"]
        Rule.create({"category_id": self.category_city.id, "department_id": self.dept_water.id})
        Rule.create({"item_id": self.item_lamp.id, "department_id": self.dept_civil.id})
        community_rule = Rule.create(
            {
                "item_id": self.item_lamp.id,
                "division_id": self.community_a.id,
                "department_id": self.dept_water.id,
                "assist_department_ids": [(6, 0, self.dept_city.ids)],
            }
        )
        Rule.create({"item_id": self.item_lamp.id, "division_id": self.street.id, "department_id": self.dept_city.id})
        # resident A lives under community A: the community rule (item + deepest division) wins
        self.assertEqual(Rule._find(self.item_lamp, self.grid_a), community_rule)
        request = self.accepted()
        self.assertEqual(request.department_id, self.dept_water)
        self.assertEqual(request.assist_department_ids, self.dept_city)
        # resident B is in community B: the street rule is the most specific one
        request_b = self.accepted(partner=self.resident_b, user=self.worker_b)
        self.assertEqual(request_b.department_id, self.dept_city)
        # another item of the category falls back to the category rule
        other = self.env["city.service.item"].create(
            {"name": "测试井盖缺失", "code": "T-CG-002", "category_id": self.category_city.id}
        )
        self.assertEqual(Rule._find(other, self.grid_a).department_id, self.dept_water)

    def test_without_rule_or_department_the_request_waits(self):
        self.item_lamp.department_id = False
        request = self.accepted()
        self.assertEqual(request.state, "accepted")
        self.assertFalse(request.department_id)

    def test_rule_consistency(self):
        Rule = self.env["city.dispatch.rule"]
        with self.assertRaises(ValidationError):
            Rule.create(
                {"item_id": self.item_lamp.id, "category_id": self.category.id, "department_id": self.dept_city.id}
            )
        with self.assertRaises(ValidationError):
            Rule.create(
                {
                    "item_id": self.item_lamp.id,
                    "department_id": self.dept_city.id,
                    "assist_department_ids": [(6, 0, self.dept_city.ids)],
                }
            )

    def test_item_code_is_unique_and_well_formed(self):
        Item = self.env["city.service.item"]
        with self.assertRaises(ValidationError):
            Item.create({"name": "坏编码", "code": "t mz", "category_id": self.category.id})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            Item.create({"name": "重复", "code": "T-MZ-001", "category_id": self.category.id})
