from datetime import datetime

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import SchoolCase


@tagged("post_install", "-at_install")
class TestSyncSession(SchoolCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Class = cls.env["city.school.class"]
        cls.class_a2 = Class.create({"school_id": cls.school_a.id, "grade": "1", "section": 2, "year": 2026})
        cls.class_b2 = Class.create({"school_id": cls.school_b.id, "grade": "1", "section": 2, "year": 2026})
        cls.teacher_a2 = cls.env["city.school.teacher"].create(
            {"school_id": cls.school_a.id, "partner_id": cls.parent_partner.id}
        )
        cls.math = cls.env.ref("city_school.city_school_subject_math")

    def session(self, start, end, user=None, **values):
        vals = {
            "subject_id": self.math.id,
            "host_class_id": self.class_a.id,
            "teacher_id": self.teacher_a.id,
            "room": "录播教室",
            "start": datetime(2026, 3, 2, *start),
            "end": datetime(2026, 3, 2, *end),
            "receiving_class_ids": [(6, 0, self.class_b.ids)],
        }
        vals.update(values)
        return self.env["city.school.sync.session"].with_user(user or self.admin_user_a).create(vals)

    def test_clashes(self):
        first = self.session((1, 0), (1, 45))
        self.assertEqual(first.attendance_ids.class_id, self.class_b)
        # the same teacher in an overlapping slot
        with self.assertRaises(ValidationError):
            self.session(
                (1, 30),
                (2, 15),
                host_class_id=self.class_a2.id,
                room="二号教室",
                receiving_class_ids=[(6, 0, self.class_b2.ids)],
            )
        # the same room of the host school
        with self.assertRaises(ValidationError):
            self.session(
                (1, 30),
                (2, 15),
                host_class_id=self.class_a2.id,
                teacher_id=self.teacher_a2.id,
                room=" 录播教室 ",
                receiving_class_ids=[(6, 0, self.class_b2.ids)],
            )
        # a receiving class already following another session
        with self.assertRaises(ValidationError):
            self.session(
                (1, 30), (2, 15), host_class_id=self.class_a2.id, teacher_id=self.teacher_a2.id, room="二号教室"
            )
        # the host class of the first session
        with self.assertRaises(ValidationError):
            self.session(
                (1, 30),
                (2, 15),
                teacher_id=self.teacher_a2.id,
                room="二号教室",
                receiving_class_ids=[(6, 0, self.class_b2.ids)],
            )
        # everything else free: fine
        self.session(
            (1, 30),
            (2, 15),
            host_class_id=self.class_a2.id,
            teacher_id=self.teacher_a2.id,
            room="二号教室",
            receiving_class_ids=[(6, 0, self.class_b2.ids)],
        )
        # the next slot, back to back, is free
        second = self.session(
            (1, 45), (2, 30), receiving_class_ids=[(6, 0, self.class_b.ids)], host_class_id=self.class_a.id
        )
        # moving it into the first slot clashes; a cancelled session clashes with nothing
        with self.assertRaises(ValidationError):
            second.start = datetime(2026, 3, 2, 1, 40)
        first.action_cancel()
        second.start = datetime(2026, 3, 2, 1, 40)
        with self.assertRaises(ValidationError):
            first.action_plan()

    def test_receiving_classes_of_other_schools(self):
        with self.assertRaises(ValidationError):
            self.session((3, 0), (3, 45), receiving_class_ids=[(6, 0, self.class_a2.ids)])
        with self.assertRaises(ValidationError):
            self.session((3, 0), (3, 45), teacher_id=self.teacher_b.id)
        with self.assertRaises(ValidationError):
            self.session((3, 45), (3, 0))

    def test_attendance_and_access(self):
        session = self.session((5, 0), (5, 45))
        line = session.attendance_ids
        # the receiving school's staff keep the attendance of their class
        line.with_user(self.admin_user_b).write({"present_count": 38, "absent_count": 2})
        self.assertEqual(session.present_total, 38)
        self.assertEqual(session.absent_total, 2)
        self.assertCanRead(self.admin_user_b, session)
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            session.with_user(self.admin_user_b).write({"room": "X"})
        with self.assertRaises(AccessError):
            session.with_user(self.teacher_user_a).write({"room": "X"})
        session.write({"receiving_class_ids": [(6, 0, self.class_b2.ids)]})
        self.assertEqual(session.attendance_ids.class_id, self.class_b2)
