import datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools.validators import resident_id_check_char
from .common import CityTransactionCase, make_resident_id, make_uscc


def resident_id_ending_in_x(region="220204", birth="19851120"):
    """A valid identity number whose check character is X."""
    for sequence in range(1000):
        body = f"{region}{birth}{sequence:03d}"
        if resident_id_check_char(body) == "X":
            return body + "X"
    raise AssertionError("no sequence gives X")


@tagged("post_install", "-at_install")
class TestResident(CityTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]

    def new_resident(self, **values):
        return self.Partner.create(
            {
                "name": "新居民",
                "is_resident": True,
                "resident_id_number": make_resident_id("220204", "19880808", "011"),
                "city_division_id": self.grid_a.id,
                **values,
            }
        )

    # ------------------------------------------------------------------
    # Values derived from the identity number
    # ------------------------------------------------------------------
    def test_birth_date_gender(self):
        self.assertEqual(self.resident_a.birth_date, datetime.date(1952, 3, 14))
        self.assertEqual(self.resident_a.gender, "male")  # 17th digit 1
        self.assertEqual(self.resident_b.birth_date, datetime.date(1990, 7, 7))
        self.assertEqual(self.resident_b.gender, "female")  # 17th digit 2
        self.assertEqual(self.resident_a.resident_id_masked, "220204********031" + self.id_a[17])
        # changing the number recomputes everything
        self.resident_b.resident_id_number = make_resident_id("220204", "20010203", "017")
        self.assertEqual(self.resident_b.birth_date, datetime.date(2001, 2, 3))
        self.assertEqual(self.resident_b.gender, "male")
        self.assertEqual(self.resident_b.resident_id_masked[:14], "220204********")

    def test_age(self):
        a = self.resident_a.with_context(city_age_date="2025-03-13")
        self.assertEqual(a.age, 72)
        self.assertEqual(self.resident_a.with_context(city_age_date="2025-03-14").age, 73)
        self.assertEqual(self.resident_a.with_context(city_age_date=datetime.date(2032, 3, 14)).age, 80)
        self.assertEqual(self.resident_b.with_context(city_age_date="2025-07-06").age, 34)
        self.assertEqual(self.resident_b.with_context(city_age_date="2025-07-07").age, 35)
        with freeze_time("2025-03-14 04:00:00"):
            self.resident_a.invalidate_recordset(["age"])
            self.assertEqual(self.resident_a.age, 73)
        self.assertEqual(self.org_contact.age, 0)

    def test_search_age(self):
        domain = [("id", "in", (self.resident_a | self.resident_b).ids)]
        with freeze_time("2032-03-14 04:00:00"):
            self.assertEqual(self.Partner.search([*domain, ("age", ">=", 80)]), self.resident_a)
            self.assertEqual(self.Partner.search([*domain, ("age", "=", 80)]), self.resident_a)
            self.assertEqual(self.Partner.search([*domain, ("age", "<", 80)]), self.resident_b)
            self.assertEqual(self.Partner.search([*domain, ("age", ">", 80)]), self.Partner)
        with freeze_time("2032-03-13 04:00:00"):
            self.assertFalse(self.Partner.search([*domain, ("age", ">=", 80)]))
            self.assertEqual(self.Partner.search([*domain, ("age", "=", 79)]), self.resident_a)
            self.assertEqual(self.Partner.search([*domain, ("age", "<=", 79)]), self.resident_a | self.resident_b)
            self.assertEqual(self.Partner.search([*domain, ("age", "!=", 79)]), self.resident_b)
        with self.assertRaises(ValidationError):
            self.Partner.search([("age", ">=", "80")])

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    def test_invalid_id(self):
        wrong_check = self.id_b[:17] + ("0" if self.id_b[17] != "0" else "1")
        for number in (wrong_check, self.id_b[:17], make_resident_id("000000"), make_resident_id(birth="19800230")):
            with self.subTest(number=number), self.assertRaises(ValidationError):
                self.new_resident(resident_id_number=number)
        with self.assertRaises(ValidationError):
            self.resident_b.resident_id_number = wrong_check
        with self.assertRaises(ValidationError):  # a resident must have a number
            self.new_resident(resident_id_number=False)

    def test_duplicate_id(self):
        # A clean ValidationError is expected, never a database error: the message of an
        # IntegrityError on the unique index would contain the full ID number.
        with self.subTest("create"), self.assertRaises(ValidationError):
            self.new_resident(resident_id_number=self.id_a)
        with self.subTest("write"), self.assertRaises(ValidationError):
            self.resident_b.resident_id_number = self.id_a
        with self.subTest("typed by a worker"), self.assertRaises(ValidationError):
            self.Partner.with_user(self.worker_a).create(
                {
                    "name": "重号",
                    "is_resident": True,
                    "resident_id_input": self.id_a,
                    "city_division_id": self.grid_a.id,
                }
            )
        self.resident_b.active = False
        self.new_resident(name="李明", resident_id_number=self.id_b)
        with self.subTest("unarchive"), self.assertRaises(ValidationError):
            self.resident_b.active = True

    def test_same_id_after_archiving(self):
        self.resident_b.active = False
        again = self.new_resident(name="李明", resident_id_number=self.id_b)
        self.assertEqual(again.birth_date, datetime.date(1990, 7, 7))
        self.assertEqual(self.Partner.search([("resident_id_search", "=", self.id_b)]), again)
        self.assertEqual(
            self.Partner.with_context(active_test=False).search([("resident_id_search", "=", self.id_b)]),
            self.resident_b | again,
        )

    def test_division_required(self):
        with self.assertRaises(ValidationError):
            self.new_resident(city_division_id=False)
        with self.assertRaises(ValidationError):
            self.resident_b.city_division_id = False
        with self.assertRaises(ValidationError):  # an organisation is not a resident
            self.new_resident(is_company=True)

    def test_mobile(self):
        with self.assertRaises(ValidationError):
            self.new_resident(mobile="12345678901")
        with self.assertRaises(ValidationError):
            self.resident_a.mobile = "1390432123"
        resident = self.new_resident(mobile="+86 139 0432 1234")
        self.assertEqual(resident.mobile, "13904321234")
        self.resident_b.mobile = "0086-139-0432-1235"
        self.assertEqual(self.resident_b.mobile, "13904321235")

    def test_home_consistency(self):
        with self.assertRaises(ValidationError):  # building_a is in grid_a
            self.new_resident(city_division_id=self.grid_b.id, city_building_id=self.building_a.id)
        with self.assertRaises(ValidationError):
            self.resident_b.city_building_id = self.building_a
        with self.assertRaises(ValidationError):  # household_a is in building_a
            self.new_resident(
                city_division_id=self.grid_b.id,
                city_building_id=self.building_b.id,
                city_household_id=self.household_a.id,
            )
        with self.assertRaises(ValidationError):
            self.resident_b.city_household_id = self.household_a
        resident = self.new_resident(city_building_id=self.building_a.id, city_household_id=self.household_a.id)
        self.assertEqual(resident.city_household_id.grid_id, self.grid_a)

    def test_household_head_is_member(self):
        with self.assertRaises(ValidationError):
            self.household_a.head_id = self.resident_b
        self.household_a.head_id = self.resident_a
        self.assertEqual(self.household_a.head_id, self.resident_a)
        self.assertEqual(self.household_a.member_ids, self.resident_a)

    # ------------------------------------------------------------------
    # Searching by identity number
    # ------------------------------------------------------------------
    def test_search_by_id(self):
        self.assertEqual(self.Partner.search([("resident_id_search", "=", self.id_a)]), self.resident_a)
        self.assertEqual(self.Partner.search([("resident_id_search", "ilike", self.id_b)]), self.resident_b)
        self.assertEqual(self.Partner.search([("resident_id_search", "=", f" {self.id_a} ")]), self.resident_a)
        # the check character X may be typed in lower case
        number_x = resident_id_ending_in_x()
        resident_x = self.new_resident(resident_id_number=number_x.lower())
        self.assertEqual(resident_x.sudo().resident_id_number, number_x)
        self.assertEqual(self.Partner.search([("resident_id_search", "=", number_x.lower())]), resident_x)
        self.assertEqual(self.Partner.search([("resident_id_search", "=", number_x)]), resident_x)

    def test_search_by_visible_digits(self):
        found = self.Partner.search([("resident_id_search", "ilike", self.id_a[-4:])])
        self.assertIn(self.resident_a, found)
        self.assertNotIn(self.resident_b, found)
        found = self.Partner.search([("resident_id_search", "ilike", self.id_a[:6] + "********" + self.id_a[14:])])
        self.assertEqual(found, self.resident_a)
        # the hidden birth date cannot be searched, nor too short fragments
        self.assertFalse(self.Partner.search([("resident_id_search", "ilike", "19520314")]))
        self.assertFalse(self.Partner.search([("resident_id_search", "ilike", self.id_a[-3:])]))
        self.assertFalse(self.Partner.search([("resident_id_search", "ilike", "")]))
        self.assertFalse(self.Partner.search([("resident_id_search", "in", [self.id_a])]))

    def test_name_search_by_id(self):
        admin = self.env.ref("base.user_admin")
        results = self.Partner.with_user(admin).name_search(self.id_a)
        self.assertEqual([result[0] for result in results], [self.resident_a.id])
        results = self.Partner.with_user(admin).name_search(self.id_b.lower())
        self.assertEqual([result[0] for result in results], [self.resident_b.id])

    def test_worker_enters_id(self):
        number = make_resident_id("220204", "19700101", "026")
        resident = self.Partner.with_user(self.worker_a).create(
            {"name": "孙丽", "is_resident": True, "resident_id_input": number, "city_division_id": self.grid_a.id}
        )
        self.assertEqual(resident.resident_id_masked, number[:6] + "********" + number[14:])
        self.assertEqual(resident.birth_date, datetime.date(1970, 1, 1))
        self.assertEqual(resident.gender, "female")
        self.assertFalse(resident.resident_id_input)  # never shown back
        data = resident.with_user(self.privacy).read(["resident_id_number"])[0]
        self.assertEqual(data["resident_id_number"], number)
        # correcting it later, in lower case
        corrected = resident_id_ending_in_x(birth="19700102")
        resident.with_user(self.worker_a).write({"resident_id_input": corrected.lower()})
        resident.invalidate_recordset()
        self.assertEqual(resident.with_user(self.privacy).resident_id_number, corrected)
        self.assertEqual(resident.birth_date, datetime.date(1970, 1, 2))
        # an invalid number typed by the worker is refused as well
        with self.assertRaises(ValidationError):
            resident.with_user(self.worker_a).write({"resident_id_input": corrected[:17] + "1"})
        with self.assertRaises(ValidationError):
            self.Partner.with_user(self.worker_a).create(
                {"name": "错号", "is_resident": True, "resident_id_input": "12345", "city_division_id": self.grid_a.id}
            )
        self.assertEqual(resident.with_user(self.privacy).resident_id_number, corrected)

    # ------------------------------------------------------------------
    # Organisations
    # ------------------------------------------------------------------
    def test_uscc(self):
        code = make_uscc("91220204MA0TE0002")
        company = self.Partner.create({"name": "吉林市测试物业有限公司", "is_company": True, "uscc": code.lower()})
        self.assertEqual(company.uscc, code)
        self.assertEqual(self.Partner.search([("uscc", "=", code)]), company)
        for wrong in (code[:17] + ("0" if code[17] != "0" else "1"), code[:17], "91220204MA0TE000IX"):
            with self.subTest(code=wrong), self.assertRaises(ValidationError):
                self.Partner.create({"name": "错误代码公司", "is_company": True, "uscc": wrong})
        with self.assertRaises(ValidationError):
            company.uscc = "91350100M000100Y44"

    def test_uscc_duplicate(self):
        code = make_uscc("91220204MA0TE0002")
        company = self.Partner.create({"name": "吉林市测试物业有限公司", "is_company": True, "uscc": code})
        with self.subTest("create"), self.assertRaises(ValidationError):
            self.Partner.create({"name": "重复公司", "is_company": True, "uscc": self.organisation.uscc})
        with self.subTest("write"), self.assertRaises(ValidationError):
            company.uscc = self.organisation.uscc.lower()

    def test_uscc_after_archiving(self):
        # archived organisations free the code
        self.organisation.active = False
        other = self.Partner.create({"name": "新公司", "is_company": True, "uscc": self.organisation.uscc})
        self.assertEqual(other.uscc, self.organisation.uscc)
