from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.city_base.tests.common import make_resident_id

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestMerge(CommunityCase, TransactionCase):
    def test_duplicates_are_suggested_and_merged(self):
        first = self.submitted(description="1号楼路灯坏了")
        neighbour = self.env["res.partner"].create(
            {
                "name": "王强",
                "is_resident": True,
                "resident_id_number": make_resident_id("220204", "19700101", "051"),
                "city_division_id": self.grid_a.id,
                "city_building_id": self.building_a.id,
            }
        )
        second = self.submitted(partner=neighbour, description="楼道灯不亮")
        other_item = self.submitted(item=self.item, description="别的事项")
        self.assertIn(first, second._find_duplicates())
        self.assertNotIn(other_item, second._find_duplicates())
        self.assertEqual(second.duplicate_count, 1)
        # far away (grid B) is not a duplicate
        far = self.submitted(partner=self.resident_b, user=self.worker_b)
        self.assertNotIn(far, second.sudo()._find_duplicates())

        follower_before = second.message_partner_ids
        second.with_user(self.worker_a).action_merge_into(first)
        self.assertEqual(second.state, "merged")
        self.assertEqual(second.merged_into_id, first)
        self.assertIn(neighbour, first.affected_partner_ids)
        self.assertLessEqual(follower_before, first.message_partner_ids, "followers of the merged one are kept")
        self.assertIn(second.name, first.message_ids[0].body)
        self.assertIn(first.name, second.message_ids[0].body)
        self.assertFalse(second.deadline)

    def test_merge_refuses_other_items_and_closed_requests(self):
        first = self.submitted()
        other = self.submitted(item=self.item)
        with self.assertRaises(UserError):
            other.action_merge_into(first)
        with self.assertRaises(UserError):
            first.action_merge_into(first)
        closed = self.submitted()
        closed.action_refuse("重复")
        with self.assertRaises(UserError):
            closed.action_merge_into(first)

    def test_also_affected(self):
        request = self.submitted()
        request.action_join(self.resident_b)
        self.assertIn(self.resident_b, request.affected_partner_ids)
        self.assertIn(self.resident_b, request.message_partner_ids)
        with self.assertRaises(UserError):
            request.action_join(self.resident_b)
        with self.assertRaises(UserError):
            request.action_join(self.resident_a)
