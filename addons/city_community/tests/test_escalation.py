import datetime

from odoo.tests import TransactionCase, tagged

from .common import CommunityCase

DT = datetime.datetime


@tagged("post_install", "-at_install")
class TestEscalation(CommunityCase, TransactionCase):
    def _types(self, request):
        return request.activity_ids.mapped("activity_type_id.name")

    def test_escalation_steps_once_each(self):
        with self.at(2025, 11, 3, 1, 0):  # Monday 09:00 Beijing
            request = self.accepted(item=self.item)  # 5 working days: due Monday 11-10 17:00
        self.assertEqual(request.reply_deadline, DT(2025, 11, 10, 9, 0))
        reminder = self.env.ref("city_community.mail_activity_type_reminder")
        notice = self.env.ref("city_community.mail_activity_type_notice")
        supervision = self.env.ref("city_community.mail_activity_type_supervision")
        # before the deadline nothing happens
        self.Request._cron_escalate(now=DT(2025, 11, 10, 8, 0))
        self.assertEqual(request.escalation_level, "0")
        # just overdue: reminder to the handler's department
        self.Request._cron_escalate(now=DT(2025, 11, 10, 10, 0))
        self.assertEqual(request.escalation_level, "1")
        self.assertEqual(request.activity_ids.activity_type_id, reminder)
        self.assertIn(request.activity_ids.user_id, self.officer_civil | self.head_civil)
        # the same run again: never twice
        messages = len(request.message_ids)
        self.Request._cron_escalate(now=DT(2025, 11, 10, 11, 0))
        self.assertEqual(len(request.activity_ids), 1)
        self.assertEqual(len(request.message_ids), messages)
        # one working day later: notice to the head of department
        self.Request._cron_escalate(now=DT(2025, 11, 11, 10, 0))
        self.assertEqual(request.escalation_level, "2")
        self.assertIn(notice, request.activity_ids.activity_type_id)
        self.assertEqual(request.activity_ids.filtered(lambda a: a.activity_type_id == notice).user_id, self.head_civil)
        # three working days overdue: supervision
        self.Request._cron_escalate(now=DT(2025, 11, 13, 10, 0))
        self.assertEqual(request.escalation_level, "3")
        self.assertIn(supervision, request.activity_ids.activity_type_id)
        self.Request._cron_escalate(now=DT(2025, 11, 20, 10, 0))
        self.assertEqual(len(request.activity_ids), 3)
        self.assertEqual(len(request.message_ids.filtered(lambda m: "提级督办" in (m.body or ""))), 1)

    def test_late_discovery_jumps_to_the_reached_level_only_once(self):
        with self.at(2025, 11, 3, 1, 0):
            request = self.accepted(item=self.item)
        self.Request._cron_escalate(now=DT(2025, 11, 20, 10, 0))
        self.assertEqual(request.escalation_level, "3")
        self.assertEqual(len(request.activity_ids), 1)

    def test_weekend_and_holidays_delay_the_notice(self):
        with self.at(2025, 9, 22, 1, 0):  # Monday; item_lamp: 2 working days -> due Wednesday 9-24 17:00
            request = self.accepted()
        # Thursday 9-25 18:00: one full working day overdue -> notice, not yet supervision
        self.Request._cron_escalate(now=DT(2025, 9, 25, 10, 0))
        self.assertEqual(request.escalation_level, "2")
        # due Tuesday 9-30 17:00, just before the National Day week
        self.item_lamp.legal_days = 1
        with self.at(2025, 9, 29, 1, 0):
            other = self.accepted()
        self.assertEqual(other.reply_deadline, DT(2025, 9, 30, 9, 0))
        # 10-08 evening: eight calendar days later but no working day has passed
        self.Request._cron_escalate(now=DT(2025, 10, 8, 10, 0))
        self.assertEqual(other.escalation_level, "1", "holidays do not count as overdue working days")
        # Saturday 10-11 is an adjusted working day: by its evening, 10-09, 10-10 and 10-11 have passed
        self.Request._cron_escalate(now=DT(2025, 10, 11, 10, 0))
        self.assertEqual(other.escalation_level, "3")

    def test_replied_requests_are_not_escalated_and_lose_activities(self):
        with self.at(2025, 11, 3, 1, 0):
            request = self.accepted(item=self.item)
        self.Request._cron_escalate(now=DT(2025, 11, 10, 10, 0))
        self.assertTrue(request.activity_ids)
        request.with_user(self.officer_civil).action_reply("<p>已办结</p>")
        self.assertFalse(request.activity_ids)
        self.Request._cron_escalate(now=DT(2025, 11, 20, 10, 0))
        self.assertEqual(request.escalation_level, "1")
