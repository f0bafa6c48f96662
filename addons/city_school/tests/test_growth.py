from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, tagged

from .common import SchoolCase


class GrowthCase(SchoolCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portfolio_a = cls.env["city.school.portfolio"].create(
            {
                "student_id": cls.student_a.id,
                "year": 2026,
                "term": "1",
                "teacher_comment": "学习认真，乐于助人。",
                "entry_ids": [
                    (0, 0, {"kind": "award", "name": "校级三好学生", "level": "school", "date": "2026-12-20"}),
                    (0, 0, {"kind": "activity", "name": "松花江研学", "date": "2026-10-12"}),
                ],
            }
        )
        cls.portfolio_b = cls.env["city.school.portfolio"].create(
            {
                "student_id": cls.student_b.id,
                "year": 2026,
                "term": "1",
                "entry_ids": [(0, 0, {"kind": "evaluation", "name": "期中综合评价", "date": "2026-11-10"})],
            }
        )


@tagged("post_install", "-at_install")
class TestGrowth(GrowthCase, TransactionCase):
    def test_portfolio_only_for_guardians(self):
        Portfolio = self.env["city.school.portfolio"].with_user(self.parent_user)
        self.assertEqual(Portfolio.search([]), self.portfolio_a)
        self.assertEqual(self.portfolio_a.with_user(self.parent_user).award_count, 1)
        self.assertEqual(
            self.env["city.school.portfolio.entry"].with_user(self.parent_user).search([]),
            self.portfolio_a.entry_ids,
        )
        with self.assertRaises(AccessError):
            self.portfolio_a.with_user(self.other_parent_user).read(["name"])
        with self.assertRaises(AccessError):
            self.portfolio_a.entry_ids[0].with_user(self.other_parent_user).read(["name"])
        with self.assertRaises(AccessError):
            self.portfolio_a.with_user(self.parent_user).write({"teacher_comment": "改"})

    def test_portfolio_school_isolation(self):
        Portfolio = self.env["city.school.portfolio"].with_user(self.teacher_user_a)
        self.assertEqual(Portfolio.search([]), self.portfolio_a)
        with self.assertRaises(AccessError):
            self.portfolio_b.with_user(self.teacher_user_a).read(["name"])
        # a teacher records growth entries of the pupils of the school
        Portfolio.browse(self.portfolio_a.id).entry_ids = [(0, 0, {"kind": "work", "name": "书法作品"})]
        self.assertEqual(len(self.portfolio_a.entry_ids), 3)
        with self.assertRaises(AccessError):
            self.env["city.school.portfolio"].with_user(self.teacher_user_a).create(
                {"student_id": self.student_b.id, "year": 2026, "term": "2"}
            )

    def test_teacher_growth(self):
        self.env["city.school.teacher.growth"].create(
            [
                {"teacher_id": self.teacher_a.id, "kind": "training", "name": "国培计划", "hours": 24},
                {"teacher_id": self.teacher_a.id, "kind": "training", "name": "信息技术2.0", "hours": 6.5},
                {"teacher_id": self.teacher_a.id, "kind": "lesson", "name": "区级公开课《秋天》"},
                {"teacher_id": self.teacher_a.id, "kind": "reward", "name": "优秀班主任", "level": "district"},
            ]
        )
        self.assertEqual(self.teacher_a.training_hours, 30.5)
        self.assertEqual((self.teacher_a.lesson_count, self.teacher_a.reward_count), (1, 1))
        with self.assertRaises(AccessError):
            self.env["city.school.teacher.growth"].with_user(self.admin_user_b).create(
                {"teacher_id": self.teacher_a.id, "kind": "training", "name": "X", "hours": 1}
            )


@tagged("post_install", "-at_install")
class TestGrowthPortal(GrowthCase, HttpCase):
    def test_children_pages(self):
        self.authenticate("t_parent", "t_parent")
        page = self.url_open("/my/school/children").text
        self.assertIn(self.student_a.name, page)
        self.assertNotIn(self.student_b.name, page)
        page = self.url_open(f"/my/school/children/{self.student_a.id}").text
        self.assertIn("校级三好学生", page)
        self.assertIn("学习认真", page)
        response = self.url_open(f"/my/school/children/{self.student_b.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("期中综合评价", response.text)
