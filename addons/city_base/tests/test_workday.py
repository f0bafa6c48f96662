import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

D = datetime.date
DT = datetime.datetime
SHANGHAI = "Asia/Shanghai"


@tagged("post_install", "-at_install")
class TestWorkday(TransactionCase):
    """Working-day calendar on the official 2025/2026 data (国办发明电〔2024〕12号, 〔2025〕7号)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Holiday = cls.env["city.holiday"]

    def add_hours(self, start, hours, tz=SHANGHAI):
        return self.Holiday.add_work_hours(start, hours, tz=tz)

    def test_official_calendar(self):
        is_workday = self.Holiday.is_workday
        for day in range(1, 9):
            self.assertFalse(is_workday(D(2025, 10, day)), f"2025-10-0{day} is a National Day holiday")
        self.assertTrue(is_workday(D(2025, 9, 28)))  # Sunday, adjusted working day
        self.assertTrue(is_workday(D(2025, 10, 11)))  # Saturday, adjusted working day
        self.assertTrue(is_workday(D(2025, 10, 9)))
        self.assertTrue(is_workday(D(2025, 9, 30)))
        self.assertTrue(is_workday(D(2026, 2, 14)))  # Saturday before the Spring Festival
        self.assertFalse(is_workday(D(2026, 2, 16)))  # Monday, Spring Festival eve holiday
        self.assertFalse(is_workday(D(2025, 1, 1)))
        # plain weekends and weekdays
        self.assertFalse(is_workday(D(2025, 9, 20)))  # Saturday
        self.assertFalse(is_workday(D(2025, 9, 21)))  # Sunday
        self.assertFalse(is_workday(D(2025, 10, 12)))  # Sunday
        self.assertTrue(is_workday(D(2025, 9, 22)))  # Monday
        # strings are accepted
        self.assertFalse(is_workday("2025-10-01"))
        self.assertTrue(is_workday("2025-09-28"))

    def test_data_entries(self):
        national_day = self.Holiday.search([("date", ">=", "2025-09-27"), ("date", "<=", "2025-10-12")])
        self.assertEqual(
            [(str(day.date), day.kind) for day in national_day],
            [("2025-09-28", "workday")]
            + [(f"2025-10-0{day}", "holiday") for day in range(1, 9)]
            + [("2025-10-11", "workday")],
        )
        self.assertEqual(self.Holiday.search([("date", "=", "2026-02-14")]).kind, "workday")
        self.assertEqual(self.Holiday.search([("date", "=", "2026-02-16")]).kind, "holiday")

    def test_provisional_2027(self):
        entries_2027 = self.Holiday.search([("date", ">=", "2027-01-01"), ("date", "<=", "2027-12-31")])
        self.assertTrue(entries_2027)
        self.assertTrue(all(entries_2027.mapped("provisional")))
        self.assertIn(D(2027, 10, 1), entries_2027.mapped("date"))
        official = self.Holiday.search([("date", ">=", "2025-01-01"), ("date", "<=", "2026-12-31")])
        self.assertGreater(len(official), 50)
        self.assertFalse(any(official.mapped("provisional")))

    def test_add_workdays(self):
        add = self.Holiday.add_workdays
        self.assertEqual(add("2025-09-30", 1), D(2025, 10, 9))  # over the National Day holiday
        self.assertEqual(add(D(2025, 9, 30), 3), D(2025, 10, 11))  # the adjusted Saturday counts
        self.assertEqual(add("2025-09-19", 1), D(2025, 9, 22))  # Friday -> Monday
        self.assertEqual(add("2025-09-19", 5), D(2025, 9, 26))
        self.assertEqual(add("2025-09-26", 1), D(2025, 9, 28))  # Friday -> adjusted Sunday
        self.assertEqual(add("2025-09-20", 1), D(2025, 9, 22))  # from a Saturday
        self.assertEqual(add("2026-02-13", 1), D(2026, 2, 14))
        self.assertEqual(add("2026-02-14", 1), D(2026, 2, 24))  # Spring Festival 2026-02-15..23

    def test_add_workdays_negative_and_zero(self):
        add = self.Holiday.add_workdays
        self.assertEqual(add("2025-10-09", -1), D(2025, 9, 30))
        self.assertEqual(add("2025-09-22", -1), D(2025, 9, 19))  # Monday -> Friday
        self.assertEqual(add("2025-10-13", -1), D(2025, 10, 11))  # Monday -> adjusted Saturday
        self.assertEqual(add("2025-10-13", -2), D(2025, 10, 10))
        self.assertEqual(add("2025-09-29", -1), D(2025, 9, 28))
        self.assertEqual(add("2025-09-29", -2), D(2025, 9, 26))
        self.assertEqual(add("2025-09-22", 0), D(2025, 9, 22))
        self.assertEqual(add("2025-10-01", 0), D(2025, 10, 1))  # even on a holiday
        with self.assertRaises(ValidationError):
            add("2025-01-01", 5000)

    def test_workdays_between(self):
        between = self.Holiday.workdays_between
        # 9-28, 9-29, 9-30, 10-09, 10-10, 10-11
        self.assertEqual(between("2025-09-26", "2025-10-12"), 6)
        self.assertEqual(between("2025-10-12", "2025-09-26"), -6)
        self.assertEqual(between("2025-09-22", "2025-09-22"), 0)
        self.assertEqual(between("2025-09-19", "2025-09-22"), 1)  # ]Fri, Mon]
        self.assertEqual(between("2025-09-22", "2025-09-29"), 6)  # includes Sunday 9-28
        self.assertEqual(between(D(2025, 9, 30), D(2025, 10, 9)), 1)
        for start, count in (("2025-09-30", 1), ("2025-09-19", 5), ("2026-02-13", 2)):
            self.assertEqual(between(start, self.Holiday.add_workdays(start, count)), count)

    def test_add_work_hours(self):
        # Friday 2025-09-26 16:00 local + 2h: one hour on Friday, one on Sunday 9-28 (调休) -> 10:00 local
        self.assertEqual(self.add_hours(DT(2025, 9, 26, 8, 0), 2), DT(2025, 9, 28, 2, 0))
        # crossing lunch: Monday 11:00 local + 2h -> 14:00 local
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 3, 0), 2), DT(2025, 9, 22, 6, 0))
        # ending exactly at noon stays before lunch
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 2, 0), 2), DT(2025, 9, 22, 4, 0))
        # start before opening: Monday 07:00 local (Sunday 23:00 UTC) + 1h -> 10:00 local
        self.assertEqual(self.add_hours(DT(2025, 9, 21, 23, 0), 1), DT(2025, 9, 22, 2, 0))
        # start during lunch: 12:30 local + 0.5h -> 13:30 local
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 4, 30), 0.5), DT(2025, 9, 22, 5, 30))
        # start after closing: Monday 18:00 local + 1h -> Tuesday 10:00 local
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 10, 0), 1), DT(2025, 9, 23, 2, 0))
        # a full working day is 7 hours
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 1, 0), 7), DT(2025, 9, 22, 9, 0))
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 1, 0), 8), DT(2025, 9, 23, 2, 0))
        # over the National Day holiday: 9-30 16:00 local + 2h -> 10-09 10:00 local
        self.assertEqual(self.add_hours(DT(2025, 9, 30, 8, 0), 2), DT(2025, 10, 9, 2, 0))
        # over a plain weekend: Friday 2025-09-19 16:30 local + 1h -> Monday 09:30 local
        self.assertEqual(self.add_hours(DT(2025, 9, 19, 8, 30), 1), DT(2025, 9, 22, 1, 30))
        # string input
        self.assertEqual(self.add_hours("2025-09-22 03:00:00", 2), DT(2025, 9, 22, 6, 0))

    def test_work_hours_between(self):
        between = self.Holiday.work_hours_between
        # Friday 2025-09-26 16:00 local to Sunday 9-28 (调休) 10:00 local: 1h + 1h
        self.assertEqual(between(DT(2025, 9, 26, 8, 0), DT(2025, 9, 28, 2, 0), tz=SHANGHAI), 2)
        # the same span read backwards is negative
        self.assertEqual(between(DT(2025, 9, 28, 2, 0), DT(2025, 9, 26, 8, 0), tz=SHANGHAI), -2)
        # lunch and the night do not count: Monday 11:00 to Tuesday 10:00 local = 1 + 4 + 1
        self.assertEqual(between(DT(2025, 9, 22, 3, 0), DT(2025, 9, 23, 2, 0), tz=SHANGHAI), 6)
        # the National Day week counts nothing: 9-30 17:00 to 10-08 23:00 local
        self.assertEqual(between(DT(2025, 9, 30, 9, 0), DT(2025, 10, 8, 15, 0), tz=SHANGHAI), 0)
        # subtract_work_hours goes back: Monday 9-29 10:00 local - 2h -> Sunday 9-28 (调休) 16:00 local
        self.assertEqual(self.Holiday.subtract_work_hours(DT(2025, 9, 29, 2, 0), 2, tz=SHANGHAI), DT(2025, 9, 28, 8, 0))
        # evening of a holiday minus a working day -> the morning of the last working day before it
        self.assertEqual(
            self.Holiday.subtract_work_hours(DT(2025, 10, 8, 10, 0), 7, tz=SHANGHAI), DT(2025, 9, 30, 1, 0)
        )
        with self.assertRaises(ValidationError):
            self.Holiday.subtract_work_hours(DT(2025, 10, 8, 10, 0), -1, tz=SHANGHAI)
        # inverse of add_work_hours
        for start, hours in ((DT(2025, 9, 19, 8, 30), 1), (DT(2025, 9, 30, 8, 0), 2), (DT(2025, 9, 22, 1, 0), 15)):
            self.assertEqual(between(start, self.add_hours(start, hours), tz=SHANGHAI), hours)
            end = self.add_hours(start, hours)
            self.assertEqual(
                between(self.Holiday.subtract_work_hours(end, hours, tz=SHANGHAI), end, tz=SHANGHAI), hours
            )

    def test_add_work_hours_zero_and_negative(self):
        start = DT(2025, 9, 22, 2, 30)  # Monday 10:30 local
        self.assertEqual(self.add_hours(start, 0), start)
        # zero hours on a holiday moves to the next opening
        self.assertEqual(self.add_hours(DT(2025, 10, 1, 2, 0), 0), DT(2025, 10, 9, 1, 0))
        with self.assertRaises(ValidationError):
            self.add_hours(start, -1)

    def test_add_work_hours_other_time_zone(self):
        # Monday 2025-09-22 09:00 in Urumqi (UTC+6) is 03:00 UTC; + 1h -> 10:00 local = 04:00 UTC
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 3, 0), 1, tz="Asia/Urumqi"), DT(2025, 9, 22, 4, 0))
        # without tz the user's time zone is used
        self.env.user.tz = SHANGHAI
        self.assertEqual(self.Holiday.add_work_hours(DT(2025, 9, 22, 3, 0), 2), DT(2025, 9, 22, 6, 0))

    def test_work_hours_parameter(self):
        Param = self.env["ir.config_parameter"].sudo()
        self.assertEqual(Param.get_param("city_base.work_hours"), "09:00-12:00,13:00-17:00")
        Param.set_param("city_base.work_hours", "08:00-12:00")
        self.assertEqual(self.Holiday._work_periods(), [(480, 720)])
        # Monday 07:00 local + 5h: 08:00-12:00, then Tuesday 08:00-09:00
        self.assertEqual(self.add_hours(DT(2025, 9, 21, 23, 0), 5), DT(2025, 9, 23, 1, 0))
        Param.set_param("city_base.work_hours", " 13:30-17:30 , 08:30-12:00 ")
        self.assertEqual(self.Holiday._work_periods(), [(510, 720), (810, 1050)])
        self.assertEqual(self.add_hours(DT(2025, 9, 22, 3, 0), 1.5), DT(2025, 9, 22, 6, 0))
        for spec in ("9-17", "09:00-12:00;13:00-17:00", "17:00-09:00", "09:00-09:00", "abc", "09:00-12:xx"):
            Param.set_param("city_base.work_hours", spec)
            with self.subTest(spec=spec), self.assertRaises(ValidationError):
                self.add_hours(DT(2025, 9, 22, 3, 0), 1)

    def test_new_holiday_clears_cache(self):
        self.assertTrue(self.Holiday.is_workday("2025-09-24"))
        self.assertEqual(self.Holiday.add_workdays("2025-09-23", 1), D(2025, 9, 24))
        day = self.Holiday.create({"date": "2025-09-24", "name": "测试假日", "kind": "holiday"})
        self.assertFalse(self.Holiday.is_workday("2025-09-24"))
        self.assertEqual(self.Holiday.add_workdays("2025-09-23", 1), D(2025, 9, 25))
        # moving it and deleting it are seen as well
        day.date = "2025-09-25"
        self.assertTrue(self.Holiday.is_workday("2025-09-24"))
        self.assertFalse(self.Holiday.is_workday("2025-09-25"))
        day.unlink()
        self.assertTrue(self.Holiday.is_workday("2025-09-25"))
        # a new adjusted working day on a weekend
        self.assertFalse(self.Holiday.is_workday("2025-09-20"))
        self.Holiday.create({"date": "2025-09-20", "name": "测试调休", "kind": "workday"})
        self.assertTrue(self.Holiday.is_workday("2025-09-20"))

    def test_constraints(self):
        with self.assertRaises(ValidationError):  # Wednesday
            self.Holiday.create({"date": "2025-09-24", "name": "测试调休", "kind": "workday"})
        with self.assertRaises(ValidationError):
            self.env.ref("city_base.city_holiday_20251001").kind = "workday"
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Holiday.create({"date": "2025-10-01", "name": "重复", "kind": "holiday"})
            self.env.flush_all()
