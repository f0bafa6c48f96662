import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import CareCase


@tagged("post_install", "-at_install")
class TestRecipientCategories(CareCase, TransactionCase):
    def codes(self, recipient):
        recipient.invalidate_recordset()
        return set(recipient.category_ids.mapped("code"))

    def test_advanced_age_from_the_resident_id(self):
        with self.at(datetime.datetime(2026, 6, 15, 2, 0)):
            almost = self.make_recipient("孙秀英", "19460616", "062")
            eighty = self.make_recipient("周玉兰", "19460615", "082")
            self.assertEqual(almost.birth_date, datetime.date(1946, 6, 16), "birth date read from the resident ID")
            self.assertEqual(almost.age, 79)
            self.assertNotIn("elderly_80", self.codes(almost), "79 years and 364 days is not yet 高龄")
            self.assertIn("elderly_80", self.codes(eighty), "the 80th birthday counts")
            # The daily run the day before the birthday changes nothing.
            self.env["city.care.recipient"]._cron_refresh_categories()
            self.assertNotIn("elderly_80", self.codes(almost))
        with self.at(datetime.datetime(2026, 6, 16, 0, 30)):
            self.env["city.care.recipient"]._cron_refresh_categories()
            self.assertIn("elderly_80", self.codes(almost), "the daily run adds 高龄 on the 80th birthday")
            self.assertIn("elderly_80", self.codes(eighty))
            # Idempotent: nothing is stale any more for these two.
            self.env["city.care.recipient"]._cron_refresh_categories()
            self.assertEqual(self.codes(almost), {"elderly_80"})

    def test_age_date_context_drives_the_derivation(self):
        recipient = self.make_recipient("孙秀英", "19460616", "062")
        Recipient = self.env["city.care.recipient"]
        field = Recipient._fields["category_ids"]
        for day, expected in ((datetime.date(2026, 6, 15), set()), (datetime.date(2026, 6, 16), {"elderly_80"})):
            dated = recipient.with_context(city_age_date=day)
            self.env.add_to_compute(field, dated)
            dated.flush_recordset(["category_ids"])
            self.assertEqual(self.codes(recipient), expected, day)

    def test_left_behind_child_until_16(self):
        lonely = self.category("elderly_alone")
        with self.at(datetime.datetime(2026, 8, 31, 3, 0)):
            child = self.make_recipient(
                "刘小宇", "20100901", "015", parents_away=True, parents_work_location="广东东莞"
            )
            self.assertEqual(self.codes(child), {"left_behind_child"})
            self.assertEqual(child.visit_interval_days, 30, "left-behind children are visited monthly")
            away_not = self.make_recipient("刘小雨", "20120301", "026")
            self.assertEqual(self.codes(away_not), set(), "parents at home: not left behind")
            self.env["city.care.recipient"]._cron_refresh_categories()
            self.assertEqual(self.codes(child), {"left_behind_child"}, "still 15")
        with self.at(datetime.datetime(2026, 9, 1, 0, 5)):
            self.env["city.care.recipient"]._cron_refresh_categories()
            self.assertEqual(self.codes(child), set(), "removed on the 16th birthday")
            self.assertEqual(child.visit_interval_days, 90, "back to the quarterly default")
            self.assertEqual(self.planned_routine(child).due_date, child.create_date + datetime.timedelta(days=90))
            # A recorded category stays.
            child.manual_category_ids = lonely
            self.assertEqual(self.codes(child), {"elderly_alone"})

    def test_disabled_from_the_confirmed_assessment(self):
        recipient = self.recipient_a
        draft = self.make_assessment(recipient, 35)
        self.assertNotIn("disabled_full", self.codes(recipient), "a draft assessment derives nothing")
        draft.action_confirm()
        self.assertEqual(self.codes(recipient) & {"disabled_full", "disabled_semi"}, {"disabled_full"})
        self.make_assessment(recipient, 55).action_confirm()
        self.assertEqual(self.codes(recipient) & {"disabled_full", "disabled_semi"}, {"disabled_semi"})
        self.make_assessment(recipient, 85).action_confirm()
        self.assertEqual(self.codes(recipient) & {"disabled_full", "disabled_semi"}, set())

    def test_disability_needs_type_and_grade(self):
        recipient = self.recipient_b
        recipient.disability_type = "visual"
        self.assertNotIn("disability", self.codes(recipient))
        recipient.disability_grade = "2"
        self.assertIn("disability", self.codes(recipient))
        recipient.disability_type = False
        self.assertNotIn("disability", self.codes(recipient))

    def test_manual_categories_cannot_include_derived_ones(self):
        with self.assertRaises(ValidationError):
            self.recipient_a.manual_category_ids = self.category("elderly_80")
        with self.assertRaises(ValidationError):
            self.recipient_a.write({"manual_category_ids": [(4, self.category("left_behind_child").id)]})
        self.recipient_a.manual_category_ids = self.category("elderly_alone") | self.category("elderly_widowed")
        self.assertEqual(self.codes(self.recipient_a), {"elderly_alone", "elderly_widowed"})

    def test_one_care_file_per_resident(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["city.care.recipient"].create({"partner_id": self.resident_a.id})
            self.env.flush_all()

    def test_care_file_for_residents_only(self):
        with self.assertRaises(ValidationError):
            self.env["city.care.recipient"].create({"partner_id": self.family_partner.id})

    def test_thresholds(self):
        recipient = self.recipient_a
        self.assertEqual((recipient.heart_rate_min, recipient.heart_rate_max, recipient.spo2_min), (50, 120, 90))
        for values in (
            {"heart_rate_min": 130},  # above the maximum
            {"heart_rate_max": 300},
            {"heart_rate_min": 10},
            {"systolic_min": 170},  # above the systolic maximum
            {"diastolic_max": 250},
            {"spo2_min": 101},
            {"spo2_min": 40},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                recipient.write(values)
        recipient.write({"heart_rate_min": 45, "heart_rate_max": 110, "spo2_min": 92})
        self.assertEqual((recipient.heart_rate_min, recipient.heart_rate_max, recipient.spo2_min), (45, 110, 92))

    def test_community_from_the_grid(self):
        self.assertEqual(self.recipient_a.division_id, self.grid_a)
        self.assertEqual(self.recipient_a.community_id, self.community_a)
        self.assertEqual(self.recipient_b.community_id, self.community_b)
