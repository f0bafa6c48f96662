from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestSecurity(CommunityCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.request_a = cls.env["city.request"].create(
            {"item_id": cls.item_lamp.id, "channel": "window", "partner_id": cls.resident_a.id, "description": "A"}
        )
        cls.request_b = cls.env["city.request"].create(
            {"item_id": cls.item_lamp.id, "channel": "window", "partner_id": cls.resident_b.id, "description": "B"}
        )

    def test_workers_see_their_divisions_only(self):
        self.assertCanRead(self.worker_a, self.request_a)
        self.assertCannotRead(self.worker_a, self.request_b)
        self.assertCannotWrite(self.worker_a, self.request_b, {"description": "改"})
        self.assertCanRead(self.worker_b, self.request_b)
        self.assertCannotRead(self.worker_b, self.request_a)
        with self.assertRaises(AccessError):
            self.env["city.request"].with_user(self.worker_a).create(
                {
                    "item_id": self.item_lamp.id,
                    "channel": "window",
                    "partner_id": self.resident_b.id,
                    "description": "越权",
                    "division_id": self.grid_b.id,
                }
            )
        self.assertEqual(
            self.env["city.request"]
            .with_user(self.worker_a)
            .search([("id", "in", (self.request_a | self.request_b).ids)]),
            self.request_a,
        )

    def test_officers_see_what_is_dispatched_to_them(self):
        self.assertCannotRead(self.officer_city, self.request_a)
        self.request_a.action_submit()
        self.request_a.action_accept()  # dispatched to the city management department
        self.assertCanRead(self.officer_city, self.request_a)
        self.assertCannotRead(self.officer_civil, self.request_a)
        self.request_a.assist_department_ids = self.dept_civil
        self.assertCanRead(self.officer_civil, self.request_a)
        self.assertCannotCreate(
            self.officer_city,
            "city.request",
            {"item_id": self.item_lamp.id, "channel": "window", "partner_id": self.resident_a.id, "description": "x"},
        )

    def test_supervisor_reads_all_writes_nothing(self):
        self.assertCanRead(self.supervisor, self.request_a | self.request_b)
        self.assertCannotWrite(self.supervisor, self.request_a, {"description": "改"})

    def test_residents_see_their_own_and_joined(self):
        self.assertCanRead(self.portal_resident, self.request_a)
        self.assertCannotRead(self.portal_resident, self.request_b)
        self.assertCannotWrite(self.portal_resident, self.request_a, {"description": "改"})
        self.request_b.action_submit()
        self.request_b.action_join(self.resident_a)
        self.env.flush_all()  # the portal relation is a stored compute, written at the end of the step
        self.assertCanRead(self.portal_resident, self.request_b)
        self.assertCannotRead(self.portal_business, self.request_a)

    def test_only_managers_configure(self):
        self.assertCannotWrite(self.worker_a, self.item_lamp, {"legal_days": 30})
        self.assertCannotCreate(self.worker_a, "city.dispatch.rule", {"department_id": self.dept_city.id})
        self.assertCannotCreate(self.officer_city, "city.department", {"name": "新部门", "code": "NEW"})
        self.item_lamp.with_user(self.manager).legal_days = 3
        self.assertEqual(self.item_lamp.legal_days, 3)

    def test_scorecard_rows_follow_the_scope(self):
        (self.request_a | self.request_b).action_submit()
        Report = self.env["city.request.report"]
        self.assertEqual(Report.with_user(self.worker_a).search([]).request_id, self.request_a)
        self.assertEqual(
            Report.with_user(self.supervisor)
            .search([("request_id", "in", (self.request_a | self.request_b).ids)])
            .request_id,
            self.request_a | self.request_b,
        )
        with self.assertRaises(AccessError):
            Report.with_user(self.portal_resident).search([])

    def test_catalogue_is_public(self):
        public = self.env.ref("base.public_user")
        self.assertCanRead(public, self.item_lamp, ["name", "code", "legal_days"])
        self.assertCannotRead(public, self.request_a)
