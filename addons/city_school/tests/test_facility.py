from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from .common import SchoolCase


@tagged("post_install", "-at_install")
class TestFacility(SchoolCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lab = cls.env["city.school.facility"].create(
            {"school_id": cls.school_a.id, "name": "科学实验室", "kind": "lab", "capacity": 48}
        )
        cls.hall = cls.env["city.school.facility"].create(
            {"school_id": cls.school_b.id, "name": "报告厅", "kind": "hall", "capacity": 300}
        )

    def book(self, start, stop, facility=None, user=None):
        return (
            self.env["city.school.booking"]
            .with_user(user or self.teacher_user_a)
            .create({"facility_id": (facility or self.lab).id, "start": start, "stop": stop, "purpose": "科学课"})
        )

    def test_clash_refused(self):
        first = self.book("2026-12-01 01:00:00", "2026-12-01 02:00:00")
        for start, stop in (
            ("2026-12-01 01:30:00", "2026-12-01 02:30:00"),  # overlaps the end
            ("2026-12-01 00:30:00", "2026-12-01 01:10:00"),  # overlaps the start
            ("2026-12-01 01:10:00", "2026-12-01 01:50:00"),  # inside
            ("2026-12-01 00:00:00", "2026-12-01 03:00:00"),  # around
        ):
            with self.subTest(start=start), self.assertRaises(ValidationError):
                self.book(start, stop)
        # back to back is fine
        self.book("2026-12-01 02:00:00", "2026-12-01 03:00:00")
        # moving a booking onto another is refused too
        later = self.book("2026-12-01 05:00:00", "2026-12-01 06:00:00")
        with self.assertRaises(ValidationError):
            later.write({"start": "2026-12-01 01:30:00", "stop": "2026-12-01 02:00:00"})
        # a cancelled booking frees the slot
        first.action_cancel()
        self.book("2026-12-01 01:00:00", "2026-12-01 02:00:00")
        with self.assertRaises(UserError):
            first.action_cancel()
        with self.assertRaises(ValidationError):
            self.book("2026-12-02 02:00:00", "2026-12-02 01:00:00")

    def test_database_refuses_overlap(self):
        """The exclusion constraint backs the check for writes that bypass the ORM (when btree_gist exists)."""
        self.env.cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'city_school_booking_no_overlap'")
        if not self.env.cr.fetchone():
            self.skipTest("btree_gist is not available in this database")
        self.book("2026-12-03 01:00:00", "2026-12-03 02:00:00")
        from psycopg2 import IntegrityError

        from odoo.tools import mute_logger

        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute(
                """INSERT INTO city_school_booking (facility_id, school_id, start, stop, user_id, purpose, state)
                   VALUES (%s, %s, '2026-12-03 01:30:00', '2026-12-03 02:30:00', %s, 'x', 'confirmed')""",
                [self.lab.id, self.school_a.id, self.env.uid],
            )

    def test_other_school_facility(self):
        with self.assertRaises(AccessError):
            self.book("2026-12-01 01:00:00", "2026-12-01 02:00:00", facility=self.hall)
        self.assertEqual(self.env["city.school.facility"].with_user(self.teacher_user_a).search([]), self.lab)
