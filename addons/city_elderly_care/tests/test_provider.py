from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase


@tagged("post_install", "-at_install")
class TestElderlyProvider(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        cls.org_a = Partner.create(
            {"name": "甲居家养老服务中心", "is_company": True, "uscc": make_uscc("52220204MJ0TE0001")}
        )
        cls.org_b = Partner.create(
            {"name": "乙日间照料中心", "is_company": True, "uscc": make_uscc("52220204MJ0TE0002")}
        )
        Provider = env["city.elderly.provider"]
        cls.provider_a = Provider.create(
            {
                "partner_id": cls.org_a.id,
                "kind": "station",
                "division_ids": [(6, 0, cls.community_a.ids)],
                "contract_no": "TEST-001",
                "contract_start": date(2026, 1, 1),
                "contract_end": date(2026, 12, 31),
            }
        )
        cls.provider_b = Provider.create(
            {"partner_id": cls.org_b.id, "kind": "day_care", "division_ids": [(6, 0, cls.community_b.ids)]}
        )
        cls.service = env["city.elderly.service"].create(
            {"name": "测试助浴", "code": "T-ZY-001", "category": "bathing", "unit": "visit", "duration_minutes": 60}
        )
        cls.service_meal = env["city.elderly.service"].create(
            {"name": "测试送餐", "code": "T-ZC-001", "category": "meal", "unit": "meal", "duration_minutes": 20}
        )
        Price = env["city.elderly.price"]
        cls.price_a = Price.create({"provider_id": cls.provider_a.id, "service_id": cls.service.id, "price_fen": 8000})
        cls.price_b = Price.create({"provider_id": cls.provider_b.id, "service_id": cls.service.id, "price_fen": 6000})

        cls.staff_a_partner = Partner.create({"name": "甲调度员", "parent_id": cls.org_a.id})
        cls.carer_a_partner = Partner.create({"name": "甲护理员", "parent_id": cls.org_a.id})
        cls.carer_b_partner = Partner.create({"name": "乙护理员", "parent_id": cls.org_b.id})
        cls.staff_a = new_test_user(
            env,
            login="t_eld_staff_a",
            groups="city_elderly_care.group_city_elderly_care_provider",
            partner_id=cls.staff_a_partner.id,
        )
        Carer = env["city.elderly.carer"]
        cls.carer_a = Carer.create(
            {"partner_id": cls.carer_a_partner.id, "provider_id": cls.provider_a.id, "qualification": "senior"}
        )
        cls.carer_b = Carer.create({"partner_id": cls.carer_b_partner.id, "provider_id": cls.provider_b.id})

        cls.eld_worker = new_test_user(
            env, login="t_eld_worker", groups="city_elderly_care.group_city_elderly_care_worker", name="养老专干"
        )
        cls.eld_worker.city_division_ids = cls.community_a
        cls.eld_manager = new_test_user(
            env, login="t_eld_manager", groups="city_elderly_care.group_city_elderly_care_manager", name="养老科长"
        )

    # ------------------------------------------------------------------
    # Providers
    # ------------------------------------------------------------------
    def test_provider_requires_organisation_with_uscc(self):
        Partner = self.env["res.partner"]
        without_code = Partner.create({"name": "无代码服务社", "is_company": True})
        with self.assertRaises(ValidationError):
            self.env["city.elderly.provider"].create({"partner_id": without_code.id, "kind": "housekeeping"})
        person = Partner.create({"name": "个人"})
        with self.assertRaises(ValidationError):
            self.env["city.elderly.provider"].create({"partner_id": person.id, "kind": "housekeeping"})

    def test_provider_partner_unique(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["city.elderly.provider"].create({"partner_id": self.org_a.id, "kind": "meal"})

    def test_is_contracted(self):
        Provider = self.env["city.elderly.provider"]
        providers = self.provider_a | self.provider_b
        with freeze_time("2026-06-15"):
            self.provider_a.invalidate_recordset(["is_contracted"])
            self.assertTrue(self.provider_a.is_contracted)
            self.assertFalse(self.provider_b.is_contracted)
            self.assertEqual(
                Provider.search([("id", "in", providers.ids), ("is_contracted", "=", True)]), self.provider_a
            )
            self.assertEqual(
                Provider.search([("id", "in", providers.ids), ("is_contracted", "=", False)]), self.provider_b
            )
            self.assertEqual(
                Provider.search([("id", "in", providers.ids), ("is_contracted", "!=", True)]), self.provider_b
            )
        with freeze_time("2027-01-01"):
            self.provider_a.invalidate_recordset(["is_contracted"])
            self.assertFalse(self.provider_a.is_contracted)
            self.assertFalse(Provider.search([("id", "in", providers.ids), ("is_contracted", "=", True)]))
        # An open-ended contract covers every day from its start.
        self.provider_b.contract_start = date(2020, 1, 1)
        with freeze_time("2030-03-01"):
            self.assertTrue(self.provider_b.is_contracted)

    def test_contract_dates(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.provider_a.write({"contract_end": date(2025, 12, 31)})
            self.provider_a.flush_recordset()

    def test_serves_by_area(self):
        self.assertTrue(self.provider_a._serves(self.recipient_a))
        self.assertFalse(self.provider_a._serves(self.recipient_b))
        self.assertTrue(self.provider_b._serves(self.recipient_b))
        # A provider of the whole street serves both communities; one without an area serves nobody.
        self.provider_b.division_ids = self.street
        self.assertTrue(self.provider_b._serves(self.recipient_a))
        self.provider_b.division_ids = False
        self.assertFalse(self.provider_b._serves(self.recipient_a))
        # The domain helper gives the same answer for a search.
        self.provider_b.division_ids = self.community_b
        Provider = self.env["city.elderly.provider"]
        serving_a = Provider.search(Provider._serving_domain(self.recipient_a.division_id))
        self.assertIn(self.provider_a, serving_a)
        self.assertNotIn(self.provider_b, serving_a)
        # A carer serves its own areas, else the provider's.
        self.assertTrue(self.carer_a._serves(self.recipient_a))
        self.carer_a.division_ids = self.grid_b
        self.assertFalse(self.carer_a._serves(self.recipient_a))

    def test_carer_must_belong_to_provider(self):
        stranger = self.env["res.partner"].create({"name": "外单位人员"})
        with self.assertRaises(ValidationError):
            self.env["city.elderly.carer"].create({"partner_id": stranger.id, "provider_id": self.provider_a.id})
        with self.assertRaises(ValidationError):
            self.carer_b.provider_id = self.provider_a
        with self.assertRaises(ValidationError):
            self.carer_a.user_id = self.staff_a

    # ------------------------------------------------------------------
    # Prices
    # ------------------------------------------------------------------
    def test_price_unique_per_provider_and_service(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["city.elderly.price"].create(
                {"provider_id": self.provider_a.id, "service_id": self.service.id, "price_fen": 100}
            )

    def test_price_positive(self):
        Price = self.env["city.elderly.price"]
        for fen in (0, -100):
            with self.subTest(fen=fen), mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
                with self.env.cr.savepoint():
                    Price.create(
                        {"provider_id": self.provider_a.id, "service_id": self.service_meal.id, "price_fen": fen}
                    )

    def test_price_in_yuan(self):
        self.assertEqual(self.price_a.price, 80.0)
        price = self.env["city.elderly.price"].create(
            {"provider_id": self.provider_a.id, "service_id": self.service_meal.id, "price": 15.5}
        )
        self.assertEqual(price.price_fen, 1550)
        price.price = 12.3
        self.assertEqual(price.price_fen, 1230)
        Price = self.env["city.elderly.price"]
        self.assertEqual(Price._price_for(self.provider_a, self.service_meal), 1230)
        self.assertEqual(Price._price_for(self.provider_b, self.service_meal), 0)
        price.active = False
        self.assertEqual(Price._price_for(self.provider_a, self.service_meal), 0)

    def test_service_code_unique(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["city.elderly.service"].create({"name": "重复", "code": "T-ZY-001", "category": "bathing"})

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_provider_staff_isolation(self):
        staff = self.staff_a
        self.assertCanRead(staff, self.provider_a, ["name", "kind", "division_ids", "carer_ids", "price_ids"])
        self.assertCanRead(staff, self.carer_a, ["name", "qualification", "provider_id"])
        self.assertCanRead(staff, self.price_a, ["price_fen", "service_id"])
        self.assertCannotRead(staff, self.provider_b)
        self.assertCannotRead(staff, self.carer_b)
        self.assertCannotRead(staff, self.price_b)
        self.assertEqual(self.env["city.elderly.provider"].with_user(staff).search([]), self.provider_a)
        self.assertEqual(
            self.env["city.elderly.carer"].with_user(staff).search([("id", "in", (self.carer_a | self.carer_b).ids)]),
            self.carer_a,
        )
        self.assertEqual(
            self.env["city.elderly.price"].with_user(staff).search([("id", "in", (self.price_a | self.price_b).ids)]),
            self.price_a,
        )
        # The catalogue is readable; nothing can be changed.
        self.assertCanRead(staff, self.service)
        self.assertCannotWrite(staff, self.provider_a, {"contract_no": "X"})
        self.assertCannotWrite(staff, self.price_a, {"price_fen": 1})
        self.assertCannotWrite(staff, self.carer_a, {"certificate_no": "X"})

    def test_worker_reads_but_cannot_write(self):
        worker = self.eld_worker
        records = [self.provider_a, self.provider_b, self.carer_a, self.carer_b, self.price_a, self.price_b]
        for record in records:
            self.assertCanRead(worker, record)
        self.assertCannotWrite(worker, self.provider_b, {"contract_no": "X"})
        self.assertCannotWrite(worker, self.price_a, {"price_fen": 1})
        self.assertCannotWrite(worker, self.service, {"duration_minutes": 5})
        self.assertCannotWrite(worker, self.carer_a, {"on_duty": True})
        self.assertCannotCreate(
            worker,
            "city.elderly.price",
            {"provider_id": self.provider_a.id, "service_id": self.service_meal.id, "price_fen": 1},
        )

    def test_supervisor_reads_only(self):
        self.assertCanRead(self.supervisor, self.provider_b)
        self.assertCanRead(self.supervisor, self.price_b)
        self.assertCannotWrite(self.supervisor, self.provider_b, {"contract_no": "X"})

    def test_manager_writes(self):
        manager = self.eld_manager
        self.provider_b.with_user(manager).write({"contract_no": "TEST-002", "contract_start": date(2026, 1, 1)})
        self.assertEqual(self.provider_b.contract_no, "TEST-002")
        price = (
            self.env["city.elderly.price"]
            .with_user(manager)
            .create({"provider_id": self.provider_b.id, "service_id": self.service_meal.id, "price": 12})
        )
        self.assertEqual(price.price_fen, 1200)
        self.carer_b.with_user(manager).on_duty = True
        self.assertTrue(self.carer_b.on_duty)
        self.service.with_user(manager).duration_minutes = 90
        self.assertEqual(self.service.duration_minutes, 90)

    def test_access_error_type(self):
        with self.assertRaises(AccessError):
            self.provider_b.with_user(self.staff_a).check_access("read")
