from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .library_common import LibraryCase


@tagged("post_install", "-at_install")
class TestRewards(LibraryCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slide = (
            cls.env["slide.slide"]
            .with_user(cls.teacher_user_a)
            .create(cls.resource_values(cls.channel_a, "两位数乘两位数（笔算）"))
        )
        cls.viewers = [
            new_test_user(cls.env, login=f"t_viewer_{n}", groups="base.group_portal", name=f"viewer {n}")
            for n in range(5)
        ]

    def ledger(self, event=None):
        domain = [("teacher_id", "=", self.teacher_a.id)]
        if event:
            domain.append(("event", "=", event))
        return self.env["city.school.points"].search(domain)

    def test_approval_points_per_level(self):
        self.publish(self.slide)
        self.assertEqual(sorted(self.ledger().mapped("event")), ["approve_city", "approve_district", "approve_school"])
        self.assertEqual(sum(self.ledger().mapped("points")), 5 + 10 + 20)

    def test_daily_cap_and_once_per_actor(self):
        self.env.ref("city_school.city_school_points_rule_view").write({"points": 2, "daily_cap": 5})
        self.publish(self.slide)
        self.slide.with_user(self.viewers[0])._library_count_view()
        self.slide.with_user(self.viewers[0])._library_count_view()  # the same viewer the same day: nothing more
        self.assertEqual(self.ledger("view").mapped("points"), [2])
        for viewer in self.viewers[1:]:
            self.slide.with_user(viewer)._library_count_view()
        # 2 + 2 + 1 (cut to the cap) and nothing after the cap
        self.assertEqual(sum(self.ledger("view").mapped("points")), 5)
        self.assertEqual(len(self.ledger("view")), 3)
        self.slide.invalidate_recordset()
        self.assertEqual(self.slide.public_views, 6)
        # the author's own views earn nothing
        self.env.ref("city_school.city_school_points_rule_view").daily_cap = 0
        self.slide.with_user(self.teacher_user_a)._library_count_view()
        self.assertEqual(len(self.ledger("view")), 3)

    def test_download_and_good_rating_points(self):
        self.publish(self.slide)
        self.slide.with_user(self.viewers[0])._library_count_download()
        self.slide.with_user(self.viewers[0])._library_count_download()
        self.assertEqual(self.slide.library_download_count, 2)
        self.assertEqual(len(self.env["city.school.resource.download"].search([("slide_id", "=", self.slide.id)])), 2)
        self.assertEqual(self.ledger("download").mapped("points"), [2])
        self.slide.with_user(self.viewers[1])._library_rate(3)
        self.assertFalse(self.ledger("good_rating"))
        self.slide.with_user(self.viewers[2])._library_rate(5)
        self.assertEqual(self.ledger("good_rating").mapped("points"), [3])

    def test_ledger_append_only(self):
        self.publish(self.slide)
        line = self.ledger()[:1]
        with self.assertRaises(UserError):
            line.write({"points": 1000})
        with self.assertRaises(UserError):
            line.unlink()
        with self.assertRaises(UserError):
            self.env["city.school.points"].create(
                {
                    "teacher_id": self.teacher_a.id,
                    "school_id": self.school_a.id,
                    "slide_id": self.slide.id,
                    "event": "view",
                    "actor_id": self.bureau_user.id,
                    "points": 100,
                    "date": "2026-01-01",
                }
            )
        self.assertCannotRead(self.admin_user_b, line)

    def test_ranking(self):
        self.publish(self.slide)
        Ranking = self.env["city.school.points.ranking"]
        row = Ranking.search([("teacher_id", "=", self.teacher_a.id)])
        self.assertEqual(row.points, 35)
        self.assertEqual(row.resource_count, 1)
        self.assertEqual(row.school_rank, 1)
        other = Ranking.search([("teacher_id", "=", self.teacher_b.id)])
        self.assertEqual(other.points, 0)
        self.assertGreater(other.city_rank, row.city_rank)

    def test_excellent_lesson_one_per_node(self):
        self.publish(self.slide)
        second = self.publish(
            self.env["slide.slide"]
            .with_user(self.teacher_user_a)
            .create(self.resource_values(self.channel_a, "笔算乘法（第二课时）"))
        )
        other_node = self.publish(
            self.env["slide.slide"]
            .with_user(self.teacher_user_a)
            .create(self.resource_values(self.channel_a, "口算乘法", chapter=self.other_node))
        )
        Lesson = self.env["city.school.excellent.lesson"]
        with self.assertRaises(AccessError):
            Lesson.with_user(self.teacher_user_a).create({"teacher_id": self.teacher_a.id, "slide_id": self.slide.id})
        lesson = Lesson.with_user(self.admin_user_a).create(
            {"teacher_id": self.teacher_a.id, "slide_id": self.slide.id}
        )
        self.assertEqual(lesson.state, "school")
        self.assertEqual(lesson.chapter_id, self.lesson_node)
        with self.assertRaises(ValidationError):
            Lesson.with_user(self.admin_user_a).create({"teacher_id": self.teacher_a.id, "slide_id": second.id})
        Lesson.with_user(self.admin_user_a).create({"teacher_id": self.teacher_a.id, "slide_id": other_node.id})
        with self.assertRaises(AccessError):
            lesson.with_user(self.admin_user_a).action_select()  # the district selects
        lesson.with_user(self.district_user).action_select()
        self.assertEqual(lesson.state, "district")
        with self.assertRaises(AccessError):
            lesson.with_user(self.district_user).action_select()  # the city selects
        lesson.with_user(self.bureau_user).action_select()
        self.assertEqual(lesson.state, "city")
        with self.assertRaises(UserError):
            lesson.with_user(self.bureau_user).action_reject()
        with self.assertRaises(UserError):
            lesson.with_user(self.bureau_user).write({"state": "school"})

    def test_excellent_lesson_not_selected_frees_the_node(self):
        self.publish(self.slide)
        second = self.publish(
            self.env["slide.slide"]
            .with_user(self.teacher_user_a)
            .create(self.resource_values(self.channel_a, "笔算乘法（修订稿）"))
        )
        Lesson = self.env["city.school.excellent.lesson"].with_user(self.admin_user_a)
        first = Lesson.create({"teacher_id": self.teacher_a.id, "slide_id": self.slide.id})
        with self.assertRaises(ValidationError):
            Lesson.create({"teacher_id": self.teacher_a.id, "slide_id": second.id})
        first.with_user(self.district_user).action_reject()
        self.assertEqual(first.state, "rejected")
        renewed = Lesson.create({"teacher_id": self.teacher_a.id, "slide_id": second.id})
        self.assertEqual(renewed.state, "school")
        self.assertEqual(renewed.chapter_id, first.chapter_id)
        # the database holds the rule too (two nominations saved at the same time)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE city_school_excellent_lesson SET state = 'school' WHERE id = %s", [first.id])
