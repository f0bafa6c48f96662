from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import SchoolCase


@tagged("post_install", "-at_install")
class TestSchool(SchoolCase, TransactionCase):
    def test_district_and_class_name(self):
        self.assertEqual(self.school_a.district_id, self.district)
        self.assertEqual(self.school_b.district_id, self.other_district)
        self.assertTrue(self.class_a.name)
        self.assertEqual(self.school_a._seats(2026), 3)
        self.assertEqual(self.school_a.student_count, 1)

    def test_grade_fits_stage(self):
        with self.assertRaises(ValidationError):
            self.env["city.school.class"].create(
                {"school_id": self.school_a.id, "grade": "8", "section": 1, "year": 2026}
            )
        with self.assertRaises(ValidationError):
            self.school_a.capacity_ids = [(0, 0, {"year": 2026, "grade": "10", "seats": 40})]

    def test_student_must_be_resident(self):
        somebody = self.env["res.partner"].create({"name": "未登记"})
        with self.assertRaises(ValidationError):
            self.env["city.school.student"].create(
                {"school_id": self.school_a.id, "partner_id": somebody.id, "student_number": "A099"}
            )
        with self.assertRaises(ValidationError):
            self.env["city.school.student"].create(
                {
                    "school_id": self.school_a.id,
                    "class_id": self.class_b.id,
                    "partner_id": self.child_b.id,
                    "student_number": "A100",
                }
            )

    def test_school_isolation(self):
        """Staff of school A see only school A's people; the bureau sees both."""
        for user in (self.teacher_user_a, self.admin_user_a):
            Student = self.env["city.school.student"].with_user(user)
            self.assertEqual(Student.search([]), self.student_a)
            self.assertEqual(self.env["city.school.teacher"].with_user(user).search([]), self.teacher_a)
            self.assertEqual(self.env["city.school"].with_user(user).search([]), self.school_a)
            self.assertCannotRead(user, self.student_b)
            self.assertCannotRead(user, self.class_b)
            self.assertCannotRead(user, self.school_b)
            # the pupils of the school are readable residents even outside the user's divisions
            self.assertCanRead(user, self.child_a, ["name"])
        self.assertCannotRead(self.admin_user_b, self.student_a)
        bureau_students = self.env["city.school.student"].with_user(self.bureau_user).search([])
        self.assertIn(self.student_a, bureau_students)
        self.assertIn(self.student_b, bureau_students)
        self.assertCanRead(self.bureau_user, self.child_b, ["name"])

    def test_staff_rights(self):
        with mute_logger("odoo.addons.base.models.ir_rule"):
            self.assertCannotWrite(self.admin_user_a, self.student_b, {"student_number": "X"})
            self.assertCannotCreate(
                self.admin_user_a,
                "city.school.class",
                {"school_id": self.school_b.id, "grade": "1", "section": 2, "year": 2026},
            )
        self.assertCannotCreate(
            self.teacher_user_a,
            "city.school.class",
            {"school_id": self.school_a.id, "grade": "1", "section": 2, "year": 2026},
        )
        self.assertCannotCreate(
            self.admin_user_a,
            "city.school",
            {"name": "X", "code": "X1", "stage": "primary", "division_id": self.street.id},
        )
        new_class = (
            self.env["city.school.class"]
            .with_user(self.admin_user_a)
            .create({"school_id": self.school_a.id, "grade": "1", "section": 2, "year": 2026})
        )
        self.assertEqual(new_class.school_id, self.school_a)

    def test_guardian_sees_only_own_child(self):
        Student = self.env["city.school.student"].with_user(self.parent_user)
        self.assertEqual(Student.search([]), self.student_a)
        with self.assertRaises(AccessError):
            self.student_b.with_user(self.parent_user).read(["name"])
        with self.assertRaises(AccessError):
            self.student_a.with_user(self.parent_user).write({"student_number": "Z"})
