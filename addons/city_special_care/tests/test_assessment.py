import datetime

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..models.city_care_assessment import barthel_band
from .common import CareCase, barthel_items


@tagged("post_install", "-at_install")
class TestAssessment(CareCase, TransactionCase):
    def test_band_boundaries(self):
        expected = {
            100: "independent",
            99: "mild",
            61: "mild",
            60: "moderate",
            41: "moderate",
            40: "severe",
            0: "severe",
        }
        self.assertEqual({score: barthel_band(score) for score in expected}, expected)

    def test_score_and_band_of_a_record(self):
        for score, band in (
            (100, "independent"),
            (95, "mild"),
            (65, "mild"),
            (60, "moderate"),
            (45, "moderate"),
            (40, "severe"),
            (0, "severe"),
        ):
            with self.subTest(score=score):
                assessment = self.make_assessment(self.recipient_a, score)
                self.assertEqual((assessment.score, assessment.band), (score, band))
        # Items count their own points: feeding 10 + transfer 15 + mobility 10, the rest 0.
        assessment = self.env["city.care.assessment"].create(
            {"recipient_id": self.recipient_a.id, "feeding": "10", "transfer": "15", "mobility": "10"}
        )
        self.assertEqual((assessment.score, assessment.band), (35, "severe"))
        assessment.stairs = "10"
        self.assertEqual((assessment.score, assessment.band), (45, "moderate"))

    def test_confirm_needs_every_item(self):
        values = barthel_items(80)
        del values["stairs"]
        assessment = self.env["city.care.assessment"].create({"recipient_id": self.recipient_a.id, **values})
        with self.assertRaises(UserError):
            assessment.action_confirm()
        self.assertEqual(assessment.state, "draft")
        self.assertFalse(self.recipient_a.care_level)
        assessment.stairs = "0"  # a zero score is a score
        assessment.action_confirm()
        self.assertEqual(assessment.state, "done")
        with self.assertRaises(UserError):
            assessment.action_confirm()

    def test_confirmed_is_history(self):
        assessment = self.make_assessment(self.recipient_a, 70)
        draft = self.make_assessment(self.recipient_a, 50)
        assessment.action_confirm()
        with self.assertRaises(UserError):
            assessment.write({"feeding": "0"})
        with self.assertRaises(UserError):
            assessment.note = "改一下"
        with self.assertRaises(UserError):
            assessment.unlink()
        self.assertEqual(assessment.score, 70)
        draft.unlink()  # a draft can go
        self.assertFalse(draft.exists())

    def test_confirm_sets_the_care_level(self):
        recipient = self.recipient_a
        with self.at(datetime.datetime(2026, 3, 10, 2, 0)):
            moderate = self.make_assessment(recipient, 55, reason="initial")
            self.assertEqual(moderate.date, datetime.date(2026, 3, 10))
            self.assertEqual(moderate.next_date, datetime.date(2026, 9, 10), "moderate: reassess in 6 months")
            moderate.action_confirm()
        self.assertEqual(recipient.care_level, "moderate")
        self.assertEqual(recipient.barthel_score, 55)
        self.assertEqual(recipient.last_assessment_date, datetime.date(2026, 3, 10))
        self.assertEqual(recipient.next_assessment_date, datetime.date(2026, 9, 10))
        with self.at(datetime.datetime(2026, 4, 1, 2, 0)):
            severe = self.make_assessment(recipient, 20)
            severe.action_confirm()
        self.assertEqual((recipient.care_level, recipient.barthel_score), ("severe", 20))
        self.assertEqual(recipient.next_assessment_date, datetime.date(2026, 7, 1), "severe: 3 months")
        with self.at(datetime.datetime(2026, 5, 1, 2, 0)):
            independent = self.make_assessment(recipient, 100)
            independent.action_confirm()
        self.assertEqual(independent.next_date, datetime.date(2027, 5, 1), "independent: 12 months")
        self.assertEqual(recipient.care_level, "independent")
        self.assertEqual(recipient.next_assessment_date, datetime.date(2027, 5, 1))

    def test_older_assessment_confirmed_late_keeps_the_current_level(self):
        recipient = self.recipient_a
        self.make_assessment(recipient, 100, date=datetime.date(2026, 5, 1)).action_confirm()
        self.make_assessment(recipient, 20, date=datetime.date(2026, 1, 1)).action_confirm()
        self.assertEqual((recipient.care_level, recipient.barthel_score), ("independent", 100))

    def test_worsening_books_a_visit_within_24_hours(self):
        recipient = self.recipient_a
        Visit = self.env["city.care.visit"]
        domain = [("recipient_id", "=", recipient.id), ("reason", "=", "major_change")]
        now = self.now
        with self.at(now):
            self.make_assessment(recipient, 90).action_confirm()
            self.assertFalse(Visit.search(domain), "a first assessment is no worsening")
            self.make_assessment(recipient, 95).action_confirm()
            self.assertFalse(Visit.search(domain), "an improvement books nothing")
            self.make_assessment(recipient, 30).action_confirm()
        visit = Visit.search(domain)
        self.assertEqual(len(visit), 1)
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.due_date, now + datetime.timedelta(hours=24))
        self.assertEqual(visit.user_id, self.worker_a, "the responsible worker visits")

    def test_due_reassessments(self):
        Recipient = self.env["city.care.recipient"]
        Assessment = self.env["city.care.assessment"]
        today = datetime.date(2026, 6, 1)
        self.recipient_a.next_assessment_date = today + datetime.timedelta(days=3)
        self.recipient_b.next_assessment_date = today + datetime.timedelta(days=30)
        later = self.make_recipient(
            "钱桂芝", "19400202", "042", next_assessment_date=today - datetime.timedelta(days=1)
        )
        with self.at(datetime.datetime(2026, 6, 1, 1, 0)):
            Recipient._cron_due_reassessments()
            self.assertEqual(Recipient._cron_due_reassessments(), 0, "a second run creates nothing")
        mine = Assessment.search([("recipient_id", "in", (self.recipient_a | self.recipient_b | later).ids)])
        self.assertEqual(mine.recipient_id, self.recipient_a | later, "one draft per due file, none for b")
        self.assertEqual(len(mine), 2)
        due_a = mine.filtered(lambda a: a.recipient_id == self.recipient_a)
        self.assertEqual(
            (due_a.state, due_a.reason, due_a.date, due_a.assessor_id),
            ("draft", "periodic", datetime.date(2026, 6, 4), self.worker_a),
        )
        activity = due_a.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.worker_a)
        self.assertEqual(activity.activity_type_id, self.env.ref("city_special_care.mail_activity_type_reassessment"))
        # Confirming the periodic assessment clears the activity and moves the next date on.
        due_a.write(barthel_items(100))
        due_a.action_confirm()
        self.assertFalse(due_a.activity_ids)
        self.assertEqual(self.recipient_a.next_assessment_date, datetime.date(2027, 6, 4))
