import datetime

from odoo.tests import TransactionCase, tagged

from .common import CommunityCase

DT = datetime.datetime


@tagged("post_install", "-at_install")
class TestDeadline(CommunityCase, TransactionCase):
    """Deadlines on the official calendar: 2025-09-28 (Sunday) is an adjusted working day."""

    def test_acceptance_deadline_crosses_adjusted_sunday(self):
        # Friday 2025-09-26 16:00 Beijing time; 3.5 working hours: 1h Friday, 2.5h on Sunday 9-28 (调休)
        with self.at(2025, 9, 26, 8, 0):
            request = self.submitted()
        self.assertEqual(request.accept_deadline, DT(2025, 9, 28, 3, 30))
        self.assertEqual(request.deadline, request.accept_deadline)

    def test_reply_deadline_counts_working_days(self):
        # accepted Friday 9-26; 2 working days: Sunday 9-28 (调休) and Monday 9-29, end of day 17:00
        with self.at(2025, 9, 26, 2, 0):
            request = self.accepted()
        self.assertEqual(request.reply_deadline, DT(2025, 9, 29, 9, 0))
        # the National Day week is not counted: accepted 9-30, 2 working days -> 10-09 and 10-10
        with self.at(2025, 9, 30, 2, 0):
            request = self.accepted()
        self.assertEqual(request.reply_deadline, DT(2025, 10, 10, 9, 0))

    def test_alarm_deadline_in_minutes_around_the_clock(self):
        # Saturday night: an alarm is acknowledged within 15 minutes, holidays or not
        with self.at(2025, 10, 4, 15, 0):
            request = self.new_request(
                item=self.item_alarm, partner=False, channel="sensor", division_id=self.grid_a.id, priority="2"
            )
            request.action_submit()
        self.assertEqual(request.accept_deadline, DT(2025, 10, 4, 15, 15))

    def test_on_time_and_working_hours_to_reply(self):
        with self.at(2025, 9, 26, 2, 0):  # Friday 10:00
            request = self.accepted()
        with self.at(2025, 9, 28, 2, 0):  # Sunday 10:00 (调休): 6h Friday + 1h Sunday
            request.with_user(self.officer_city).action_reply("<p>修好了</p>")
        self.assertTrue(request.on_time)
        self.assertEqual(request.reply_work_hours, 7)
        with self.at(2025, 10, 9, 2, 0):
            late = self.accepted()
        with self.at(2025, 10, 14, 2, 0):
            late.with_user(self.officer_city).action_reply("<p>迟了</p>")
        self.assertFalse(late.on_time)

    def test_late_acceptance_is_not_one_stop(self):
        with self.at(2025, 9, 22, 1, 0):  # Monday 09:00
            request = self.submitted()
        with self.at(2025, 9, 23, 8, 0):  # Tuesday 16:00, past the 3.5 working hours
            request.action_accept()
        self.assertFalse(request.one_stop)

    def test_overdue_flag_and_search(self):
        with self.at(2025, 9, 22, 1, 0):
            request = self.accepted()
        with self.at(2025, 9, 24, 10, 0):
            self.assertTrue(request.is_overdue)
            self.assertIn(request, self.Request.search([("is_overdue", "=", True)]))
        with self.at(2025, 9, 22, 5, 0):
            request.invalidate_recordset(["is_overdue"])
            self.assertFalse(request.is_overdue)
            self.assertNotIn(request, self.Request.search([("is_overdue", "=", True)]))
