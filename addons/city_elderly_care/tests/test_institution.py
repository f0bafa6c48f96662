from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase


@tagged("post_install", "-at_install")
class TestElderlyInstitution(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        cls.org = Partner.create({"name": "甲颐养院", "is_company": True, "uscc": make_uscc("52220204MJ0TH0001")})
        cls.org_other = Partner.create({"name": "乙养老院", "is_company": True, "uscc": make_uscc("52220204MJ0TH0002")})
        Provider = env["city.elderly.provider"]
        cls.home = Provider.create({"partner_id": cls.org.id, "kind": "institution"})
        cls.home_other = Provider.create({"partner_id": cls.org_other.id, "kind": "institution"})
        Room = env["city.elderly.room"]
        cls.room_severe = Room.create({"provider_id": cls.home.id, "name": "101", "care_level": "severe"})
        cls.room_mild = Room.create({"provider_id": cls.home.id, "name": "201", "care_level": "mild"})
        cls.room_other = Room.create({"provider_id": cls.home_other.id, "name": "101", "care_level": "severe"})
        Bed = env["city.elderly.bed"]
        cls.bed_1 = Bed.create({"room_id": cls.room_severe.id, "name": "1"})
        cls.bed_2 = Bed.create({"room_id": cls.room_severe.id, "name": "2"})
        cls.bed_mild = Bed.create({"room_id": cls.room_mild.id, "name": "1"})
        cls.bed_other = Bed.create({"room_id": cls.room_other.id, "name": "1"})
        cls.widowed = cls.category("elderly_widowed")

        cls.staff_other = new_test_user(
            env,
            login="t_inst_staff_other",
            groups="city_elderly_care.group_city_elderly_care_provider",
            partner_id=Partner.create({"name": "乙院员工", "parent_id": cls.org_other.id}).id,
        )
        cls.eld_worker = new_test_user(
            env, login="t_inst_worker", groups="city_elderly_care.group_city_elderly_care_worker", name="机构专干"
        )
        cls.eld_worker.city_division_ids = cls.community_a
        cls.eld_manager = new_test_user(
            env, login="t_inst_manager", groups="city_elderly_care.group_city_elderly_care_manager", name="养老科长"
        )

    @classmethod
    def elder(cls, name, sequence, care_level, categories=None):
        recipient = cls.make_recipient(name, "19420101", sequence)
        recipient.sudo().write({"care_level": care_level, "manual_category_ids": [(6, 0, (categories or []))]})
        return recipient

    def apply(self, recipient, applied_on, provider=None, **values):
        return self.env["city.elderly.admission"].create(
            {
                "recipient_id": recipient.id,
                "provider_id": (provider or self.home).id,
                "applied_on": applied_on,
                **values,
            }
        )

    def test_waiting_list_order(self):
        early = self.apply(self.elder("孙桂英", "101", "severe"), date(2026, 1, 5))
        late = self.apply(self.elder("周玉兰", "102", "severe"), date(2026, 2, 1))
        widowed = self.apply(self.elder("吴凤英", "103", "severe", self.widowed.ids), date(2026, 3, 1))
        moderate = self.apply(self.elder("郑淑珍", "104", "moderate", self.widowed.ids), date(2025, 12, 1))
        mild = self.apply(self.elder("冯秀芝", "105", "mild"), date(2025, 11, 1))
        self.assertEqual(early.care_level, "severe")
        self.assertTrue(widowed.priority_category)
        waiting = self.env["city.elderly.admission"].search(
            [("provider_id", "=", self.home.id), ("state", "=", "waiting")]
        )
        self.assertEqual(waiting.ids, [widowed.id, early.id, late.id, moderate.id, mild.id])
        self.assertEqual(early._waiting_head(), widowed)
        self.assertEqual(mild._waiting_head(), mild)

    def test_admit_head_only(self):
        head = self.apply(self.elder("孙桂英", "101", "severe"), date(2026, 1, 5))
        second = self.apply(self.elder("周玉兰", "102", "severe"), date(2026, 2, 1))
        with self.assertRaisesRegex(UserError, "孙桂英"):
            second.action_admit(self.bed_1)
        # A worker cannot jump the queue even with a reason; a manager can.
        with self.assertRaises(UserError):
            second.with_user(self.eld_worker).action_admit(self.bed_1, override_reason="紧急安置")
        with self.assertRaises(UserError):
            second.with_user(self.eld_manager).action_admit(self.bed_1)
        second.with_user(self.eld_manager).action_admit(self.bed_1, override_reason="紧急安置")
        self.assertEqual(second.state, "admitted")
        self.assertEqual(second.override_reason, "紧急安置")
        head.action_admit(self.bed_2)
        self.assertEqual(head.state, "admitted")
        self.assertFalse(head.override_reason)

    def test_bed_must_be_free_and_matching(self):
        head = self.apply(self.elder("孙桂英", "101", "severe"), date(2026, 1, 5))
        with self.assertRaises(UserError):
            head.action_admit(self.bed_mild)  # room of another care level
        with self.assertRaises(UserError):
            head.action_admit(self.bed_other)  # another institution
        self.bed_1.maintenance = True
        self.assertEqual(self.bed_1.state, "maintenance")
        with self.assertRaises(UserError):
            head.action_admit(self.bed_1)
        head.action_admit(self.bed_2)
        nxt = self.apply(self.elder("周玉兰", "102", "severe"), date(2026, 2, 1))
        with self.assertRaises(UserError):
            nxt.action_admit(self.bed_2)  # occupied

    def test_occupancy_and_discharge(self):
        self.assertEqual(self.home.bed_count, 3)
        self.assertEqual(self.home.occupied_bed_count, 0)
        admission = self.apply(self.elder("孙桂英", "101", "severe"), date(2026, 1, 5))
        admission.action_admit(self.bed_1)
        self.assertEqual(self.bed_1.state, "occupied")
        self.assertEqual(self.bed_1.recipient_id, admission.recipient_id)
        self.assertEqual(self.room_severe.free_bed_count, 1)
        self.home.invalidate_recordset()
        self.assertEqual(self.home.occupied_bed_count, 1)
        self.assertAlmostEqual(self.home.occupancy_rate, 33.3, places=1)
        with self.assertRaises(UserError):
            admission.action_discharge()  # a reason is required
        admission.action_discharge("转入医院治疗", date(2026, 4, 1))
        self.assertEqual(admission.state, "discharged")
        self.assertEqual(admission.discharged_on, date(2026, 4, 1))
        self.assertEqual(self.bed_1.state, "free")
        self.assertFalse(self.bed_1.recipient_id)
        self.home.invalidate_recordset()
        self.assertEqual(self.home.occupied_bed_count, 0)

    def test_one_active_admission_per_recipient(self):
        elder = self.elder("孙桂英", "101", "severe")
        first = self.apply(elder, date(2026, 1, 5))
        with self.assertRaises(ValidationError):
            self.apply(elder, date(2026, 1, 6), provider=self.home_other)
        first.action_cancel()
        second = self.apply(elder, date(2026, 1, 6), provider=self.home_other)
        second.action_admit(self.bed_other)
        with self.assertRaises(ValidationError):
            self.apply(elder, date(2026, 2, 1))

    def test_provider_isolation(self):
        mine = self.apply(self.elder("孙桂英", "101", "severe"), date(2026, 1, 5))
        theirs = self.apply(self.elder("周玉兰", "102", "severe"), date(2026, 1, 6), provider=self.home_other)
        Admission = self.env["city.elderly.admission"].with_user(self.staff_other)
        self.assertEqual(Admission.search([("id", "in", (mine | theirs).ids)]), theirs)
        with self.assertRaises(AccessError):
            mine.with_user(self.staff_other).read(["state"])
        self.assertEqual(self.env["city.elderly.bed"].with_user(self.staff_other).search([]), self.bed_other)
        self.assertEqual(self.env["city.elderly.room"].with_user(self.staff_other).search([]), self.room_other)
        theirs.with_user(self.staff_other).action_admit(self.bed_other)
        self.assertEqual(theirs.state, "admitted")
        # Workers see the applications of the elders of their divisions.
        Admission = self.env["city.elderly.admission"].with_user(self.eld_worker)
        self.assertEqual(Admission.search([("id", "in", (mine | theirs).ids)]), mine | theirs)

    def test_day_care_attendance(self):
        org = self.env["res.partner"].create(
            {"name": "丙日间照料中心", "is_company": True, "uscc": make_uscc("52220204MJ0TH0003")}
        )
        centre = self.env["city.elderly.provider"].create({"partner_id": org.id, "kind": "day_care"})
        Attendance = self.env["city.elderly.attendance"]
        Attendance.create({"provider_id": centre.id, "recipient_id": self.recipient_a.id, "date": date(2026, 3, 2)})
        with self.assertRaises(ValidationError):
            Attendance.create(
                {"provider_id": self.home.id, "recipient_id": self.recipient_b.id, "date": date(2026, 3, 2)}
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            Attendance.create({"provider_id": centre.id, "recipient_id": self.recipient_a.id, "date": date(2026, 3, 2)})
