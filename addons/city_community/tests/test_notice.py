from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestNotice(CommunityCase, TransactionCase):
    def test_notices_reach_the_division_subtree(self):
        Notice = self.env["city.notice"]
        street_notice = Notice.create({"name": "停水通知", "body": "<p>明日停水</p>", "division_id": self.street.id})
        b_notice = Notice.create({"name": "乙社区通知", "body": "<p>乙</p>", "division_id": self.community_b.id})
        draft = Notice.create({"name": "草稿", "body": "<p>x</p>", "division_id": self.street.id})
        (street_notice | b_notice).action_publish()
        with self.assertRaises(UserError):
            street_notice.action_publish()
        as_resident = Notice.with_user(self.portal_resident)
        visible = as_resident.search(Notice._portal_domain(self.resident_a))
        self.assertEqual(visible, street_notice)
        # the record rule agrees with the portal domain
        self.assertEqual(as_resident.search([]), street_notice)
        with self.assertRaises(AccessError):
            b_notice.with_user(self.portal_resident).read(["name"])
        with self.assertRaises(AccessError):
            draft.with_user(self.portal_resident).read(["name"])
        street_notice.with_user(self.portal_resident)._mark_read(self.resident_a)
        self.assertIn(self.resident_a, street_notice.read_partner_ids)
        street_notice.action_withdraw()
        self.assertFalse(as_resident.search(Notice._portal_domain(self.resident_a)))

    def test_workers_manage_notices_of_their_divisions(self):
        Notice = self.env["city.notice"].with_user(self.worker_a)
        Notice.create({"name": "甲社区活动", "body": "<p>活动</p>", "division_id": self.community_a.id})
        with self.assertRaises(AccessError):
            Notice.create({"name": "乙社区活动", "body": "<p>活动</p>", "division_id": self.community_b.id})
