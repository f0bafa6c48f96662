import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CareCase

DAY = datetime.timedelta(days=1)


@tagged("post_install", "-at_install")
class TestVisit(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Visit = cls.env["city.care.visit"]
        cls.alone = cls.category("elderly_alone")
        cls.widowed = cls.category("elderly_widowed")

    def visits(self, recipient, **filters):
        domain = [("recipient_id", "=", recipient.id)] + [(key, "=", value) for key, value in filters.items()]
        return self.Visit.search(domain)

    def test_policy_data(self):
        self.assertEqual(self.env.ref("city_special_care.city_care_visit_policy_default").interval_days, 90)
        self.assertEqual(self.env.ref("city_special_care.city_care_visit_policy_high_risk").interval_days, 7)
        self.assertEqual(self.env.ref("city_special_care.city_care_visit_policy_alone").interval_days, 30)

    def test_policy_matching_most_frequent_wins(self):
        plain = self.make_recipient("赵淑芬", "19500101", "011")
        medium = self.make_recipient("钱淑华", "19500102", "021", risk_level="medium")
        alone = self.make_recipient("孙淑珍", "19500103", "031", manual_category_ids=[(6, 0, self.alone.ids)])
        high = self.make_recipient("李淑兰", "19500104", "041", risk_level="high")
        high_alone = self.make_recipient(
            "周淑英", "19500105", "051", risk_level="high", manual_category_ids=[(6, 0, self.alone.ids)]
        )
        self.assertEqual(
            [r.visit_interval_days for r in (plain, medium, alone, high, high_alone)],
            [90, 90, 30, 7, 7],
            "default quarterly, key group monthly, high risk weekly, the shortest match wins",
        )
        # A narrower policy: living alone at medium risk, every two weeks.
        policy = self.env["city.care.visit.policy"].create(
            {"name": "独居中风险", "category_id": self.alone.id, "risk_level": "medium", "interval_days": 14}
        )
        medium_alone = self.make_recipient(
            "吴淑敏", "19500106", "061", risk_level="medium", manual_category_ids=[(6, 0, self.alone.ids)]
        )
        self.assertEqual(medium_alone.visit_interval_days, 14)
        self.assertEqual(alone.visit_interval_days, 30, "low risk does not match the medium-risk policy")
        alone.risk_level = "medium"
        self.assertEqual(alone.visit_interval_days, 14)
        self.assertEqual(self.planned_routine(alone).due_date, alone.create_date + 14 * DAY)
        policy.active = False
        self.assertEqual(alone.visit_interval_days, 30, "an archived policy no longer applies")
        self.assertEqual(self.planned_routine(alone).due_date, alone.create_date + 30 * DAY)
        policy.write({"active": True, "interval_days": 10})
        self.assertEqual(alone.visit_interval_days, 10)
        self.assertEqual(high_alone.visit_interval_days, 7)

    def test_exactly_one_planned_routine_visit(self):
        recipient = self.make_recipient()
        routine = self.planned_routine(recipient)
        self.assertEqual(len(routine), 1)
        self.assertEqual(routine.due_date, recipient.create_date + 90 * DAY, "due: file opened + interval")
        self.assertEqual(recipient.next_visit_due, routine.due_date)
        for _attempt in range(3):
            self.Visit._schedule_routine(recipient)
        self.assertEqual(self.planned_routine(recipient), routine)
        recipient.manual_category_ids = self.alone
        self.assertEqual(self.planned_routine(recipient), routine, "rescheduled, not doubled")
        self.assertEqual(routine.due_date, recipient.create_date + 30 * DAY)
        self.assertEqual(recipient.next_visit_due, recipient.create_date + 30 * DAY)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Visit.create({"recipient_id": recipient.id, "reason": "routine", "due_date": self.now})
            self.env.flush_all()

    def test_closing_the_file_cancels_planned_visits(self):
        recipient = self.make_recipient()
        routine = self.planned_routine(recipient)
        recipient.active = False
        self.assertEqual(routine.state, "cancelled")
        self.Visit._schedule_routine(recipient)
        self.assertFalse(self.planned_routine(recipient), "an archived file gets no new routine visit")
        recipient.active = True
        self.assertEqual(len(self.planned_routine(recipient)), 1)

    def test_due_from_the_last_visit(self):
        recipient = self.recipient_a
        recipient.manual_category_ids = self.alone
        now = self.now
        visited = now - 2 * DAY
        routine = self.planned_routine(recipient)
        with self.at(now):
            routine.with_user(self.worker_a).write({"findings": "身体尚好，冰箱里食物充足。", "visited_at": visited})
            routine.with_user(self.worker_a).action_done()
        self.assertEqual((routine.state, routine.is_late, routine.user_id), ("done", False, self.worker_a))
        self.assertEqual(recipient.last_visit_date, visited)
        following = self.planned_routine(recipient)
        self.assertEqual(len(following), 1)
        self.assertNotEqual(following, routine)
        self.assertEqual(following.due_date, visited + 30 * DAY, "due = last visit + interval")
        self.assertEqual(recipient.next_visit_due, visited + 30 * DAY)
        # An older visit recorded afterwards does not move the last visit back.
        manual = self.Visit.create(
            {"recipient_id": recipient.id, "due_date": now + DAY, "findings": "电话回访", "visited_at": now - 5 * DAY}
        )
        manual.action_done()
        self.assertEqual(recipient.last_visit_date, visited)
        self.assertEqual(following.due_date, visited + 30 * DAY)

    def test_risk_raised_to_high_books_a_visit_within_24_hours(self):
        recipient = self.recipient_a
        now = self.now
        with self.at(now):
            recipient.with_user(self.worker_a).risk_level = "medium"
            self.assertFalse(self.visits(recipient, reason="major_change"), "medium is no alarm")
            recipient.with_user(self.worker_a).risk_level = "high"
        visit = self.visits(recipient, reason="major_change")
        self.assertEqual(len(visit), 1)
        self.assertEqual((visit.state, visit.due_date, visit.user_id), ("planned", now + DAY, self.worker_a))
        activity = visit.activity_ids
        self.assertEqual(activity.user_id, self.worker_a)
        self.assertEqual(activity.activity_type_id, self.env.ref("city_special_care.mail_activity_type_visit"))
        self.assertEqual(self.planned_routine(recipient).due_date, recipient.create_date + 7 * DAY, "weekly now")
        self.assertEqual(recipient.next_visit_due, now + DAY)
        with self.at(now + datetime.timedelta(hours=1)):
            recipient.risk_level = "high"  # unchanged: nothing new
            recipient.risk_level = "low"
            recipient.risk_level = "high"  # the planned visit within 24 h is kept
        self.assertEqual(self.visits(recipient, reason="major_change"), visit)

    def test_major_change_action(self):
        now = self.now
        with self.at(now):
            self.recipient_b.with_user(self.worker_b).action_major_change()
        visit = self.visits(self.recipient_b, reason="major_change")
        self.assertEqual((len(visit), visit.due_date), (1, now + DAY))

    def test_late_visit_is_accepted_and_marked(self):
        recipient = self.recipient_a
        now = self.now
        late = self.Visit.create({"recipient_id": recipient.id, "reason": "manual", "due_date": now - 3 * DAY})
        on_time = self.Visit.create({"recipient_id": recipient.id, "reason": "manual", "due_date": now + 3 * DAY})
        with self.at(now):
            (late | on_time).with_user(self.worker_a).write({"findings": "上门探访，老人情绪稳定。"})
            late.with_user(self.worker_a).action_done()
            on_time.with_user(self.worker_a).action_done()
        self.assertEqual((late.state, late.is_late, late.visited_at), ("done", True, now))
        self.assertEqual((on_time.state, on_time.is_late), ("done", False))
        self.assertEqual(recipient.last_visit_date, now)
        self.assertEqual(self.planned_routine(recipient).due_date, now + 90 * DAY)

    def test_findings_are_required_and_no_future_visits(self):
        visit = self.planned_routine(self.recipient_a).with_user(self.worker_a)
        with self.assertRaises(UserError):
            visit.action_done()
        visit.findings = "   \n"
        with self.assertRaises(UserError):
            visit.action_done()
        visit.write({"findings": "一切正常", "visited_at": self.now + datetime.timedelta(hours=2)})
        with self.at(self.now), self.assertRaises(UserError):
            visit.action_done()
        self.assertEqual(visit.state, "planned")
        self.assertFalse(self.recipient_a.last_visit_date)

    def test_cancel_rules(self):
        routine = self.planned_routine(self.recipient_a).with_user(self.worker_a)
        with self.assertRaises(UserError):
            routine.action_cancel()
        manual = self.Visit.create(
            {"recipient_id": self.recipient_a.id, "reason": "manual", "due_date": self.now + DAY}
        ).with_user(self.worker_a)
        manual.action_cancel()
        self.assertEqual(manual.state, "cancelled")
        with self.assertRaises(UserError):
            manual.action_cancel()
        with self.assertRaises(UserError):
            manual.action_done()
        routine.write({"findings": "正常"})
        routine.action_done()
        with self.assertRaises(UserError):
            routine.action_cancel()
        self.assertEqual(routine.state, "done")

    def test_overdue_flag_activity_and_escalation(self):
        self.env["ir.config_parameter"].set_param("city_special_care.visit_escalate_days", 3)
        now = self.now
        visit = self.Visit.create({"recipient_id": self.recipient_a.id, "reason": "manual", "due_date": now - DAY})
        fresh = self.Visit.create({"recipient_id": self.recipient_a.id, "reason": "manual", "due_date": now + DAY})
        overdue_type = self.env.ref("city_special_care.mail_activity_type_visit_overdue")

        def overdue_activities(record):
            return record.activity_ids.filtered(lambda a: a.activity_type_id == overdue_type)

        def escalations(record):
            return record.message_ids.filtered(lambda m: self.manager.partner_id in m.partner_ids)

        with self.at(now):
            self.Visit._cron_overdue()
            self.Visit._cron_overdue()
        self.assertEqual((visit.is_overdue, visit.escalation_level), (True, 1))
        self.assertEqual((fresh.is_overdue, fresh.escalation_level), (False, 0))
        self.assertEqual(overdue_activities(visit).user_id, self.worker_a, "one activity, for the worker")
        self.assertFalse(escalations(visit))
        with self.at(now + 2 * DAY):  # overdue by 3 days exactly: not yet more than 3
            self.Visit._cron_overdue()
        self.assertEqual(visit.escalation_level, 1)
        with self.at(now + 2 * DAY + datetime.timedelta(hours=1)):
            self.Visit._cron_overdue()
            self.Visit._cron_overdue()
        self.assertEqual(visit.escalation_level, 2)
        self.assertEqual(len(escalations(visit)), 1, "escalated to the care managers once")
        self.assertEqual(len(overdue_activities(visit)), 1)
        # Recording it clears the flag and the activity.
        with self.at(now + 3 * DAY):
            visit.with_user(self.worker_a).write({"findings": "补访完成"})
            visit.with_user(self.worker_a).action_done()
        self.assertEqual((visit.is_overdue, visit.is_late), (False, True))
        self.assertFalse(overdue_activities(visit))

    def test_monthly_coverage_of_key_groups(self):
        visited = self.make_recipient("孙淑珍", "19400103", "031", manual_category_ids=[(6, 0, self.alone.ids)])
        missed = self.make_recipient("周淑英", "19400105", "051", manual_category_ids=[(6, 0, self.widowed.ids)])
        ordinary = self.make_recipient("赵淑芬", "19500101", "011")
        routine = self.planned_routine(visited)
        routine.write({"findings": "本月已探访", "visited_at": self.now})
        routine.action_done()
        self.planned_routine(ordinary).write({"findings": "本月已探访", "visited_at": self.now})
        self.planned_routine(ordinary).action_done()
        self.env.flush_all()
        month = self.now.date().replace(day=1)
        Coverage = self.env["city.care.visit.coverage"]
        rows = Coverage.search([("recipient_id", "in", (visited | missed | ordinary).ids), ("month", "=", month)])
        by_recipient = {row.recipient_id: (row.visited_count, row.covered) for row in rows}
        self.assertEqual(by_recipient, {visited: (1, 100.0), missed: (0, 0.0)}, "key groups only")
        self.assertEqual(rows.division_id, self.grid_a)
        self.assertEqual(rows.community_id, self.community_a)
        [group] = Coverage._read_group(
            [("recipient_id", "in", (visited | missed).ids), ("month", "=", month)], [], ["covered:avg"]
        )
        self.assertEqual(group[0], 50.0)
        # The months before the file was opened do not count.
        self.assertFalse(
            Coverage.search([("recipient_id", "=", visited.id), ("month", "<", month)]),
        )
