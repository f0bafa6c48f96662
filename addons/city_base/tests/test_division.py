from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CityTransactionCase, make_resident_id


@tagged("post_install", "-at_install")
class TestDivision(CityTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Division = cls.env["city.division"]

    def test_data_records(self):
        self.assertEqual(self.city.code, "220200000000")
        self.assertEqual(self.city.type, "city")
        self.assertFalse(self.city.parent_id)
        self.assertEqual(self.district.parent_id, self.city)
        self.assertEqual(self.district.code, "220204000000")
        districts = self.Division.search([("parent_id", "=", self.city.id)])
        self.assertEqual(len(districts), 9)
        self.assertEqual(set(districts.mapped("type")), {"district"})

    def test_code_length(self):
        for code in ("22020490100", "2202049010030", "22020490100A", "220204 90100", "220204901003001"):
            with self.subTest(code=code), self.assertRaises(ValidationError):
                self.Division.create({"name": "丙社区", "code": code, "type": "community", "parent_id": self.street.id})
        # a grid needs 15 digits, not 12
        with self.assertRaises(ValidationError):
            self.Division.create(
                {"name": "甲二网格", "code": "220204901009", "type": "grid", "parent_id": self.community_a.id}
            )
        with self.assertRaises(ValidationError):
            self.Division.create(
                {"name": "甲二网格", "code": "22020490100100", "type": "grid", "parent_id": self.community_a.id}
            )
        grid = self.Division.create(
            {"name": "甲二网格", "code": "220204901001002", "type": "grid", "parent_id": self.community_a.id}
        )
        self.assertEqual(grid.level, 4)
        community = self.Division.create(
            {"name": "丙社区", "code": "220204901003", "type": "community", "parent_id": self.street.id}
        )
        self.assertEqual(community.level, 3)
        with self.assertRaises(ValidationError):
            community.code = "2202049010"

    def test_type_nesting(self):
        with self.assertRaises(ValidationError):  # grid under a street
            self.Division.create(
                {"name": "错网格", "code": "220204901000001", "type": "grid", "parent_id": self.street.id}
            )
        with self.assertRaises(ValidationError):  # district without parent
            self.Division.create({"name": "新区", "code": "220299000000", "type": "district"})
        with self.assertRaises(ValidationError):  # city with a parent
            self.Division.create({"name": "子市", "code": "220200000001", "type": "city", "parent_id": self.city.id})
        with self.assertRaises(ValidationError):  # community directly under a district
            self.Division.create(
                {"name": "丙社区", "code": "220204000001", "type": "community", "parent_id": self.district.id}
            )
        with self.assertRaises(ValidationError):  # changing the type breaks the nesting
            self.community_b.type = "street"
        self.assertEqual(self.community_b.type, "community")
        with self.assertRaises(ValidationError):  # moving a grid under a street
            self.grid_b.parent_id = self.street

    def test_code_prefix(self):
        with self.assertRaises(ValidationError):
            self.Division.create(
                {"name": "外区街道", "code": "220202901000", "type": "street", "parent_id": self.district.id}
            )
        with self.assertRaises(ValidationError):
            self.Division.create(
                {"name": "丙社区", "code": "220204902003", "type": "community", "parent_id": self.street.id}
            )
        with self.assertRaises(ValidationError):
            self.Division.create(
                {"name": "乙二网格", "code": "220204901001002", "type": "grid", "parent_id": self.community_b.id}
            )
        with self.assertRaises(ValidationError):  # moving a grid to another community keeps the old prefix
            self.grid_a.parent_id = self.community_b
        with self.assertRaises(ValidationError):
            self.Division.create(
                {"name": "外市区", "code": "220300000000", "type": "district", "parent_id": self.city.id}
            )
        street = self.Division.create(
            {"name": "第二街道", "code": "220204902000", "type": "street", "parent_id": self.district.id}
        )
        self.assertEqual(street.parent_id, self.district)

    def test_cycle(self):
        # the ORM's parent_path maintenance refuses it first (UserError "Recursion Detected.")
        with self.assertRaises(UserError):
            self.community_a.parent_id = self.community_a
        self.assertEqual(self.community_a.parent_id, self.street)
        with self.assertRaises(UserError):
            self.street.parent_id = self.grid_a
        with self.assertRaises(UserError):
            self.city.parent_id = self.grid_a
        self.assertFalse(self.city.parent_id)
        self.assertEqual(self.street.parent_id, self.district)
        self.assertEqual(self.Division.search([("id", "child_of", self.grid_a.id)]), self.grid_a)

    def test_unique_code(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Division.create(
                {"name": "重复社区", "code": "220204901001", "type": "community", "parent_id": self.street.id}
            )
            self.env.flush_all()

    def test_child_of(self):
        expected = self.street | self.community_a | self.community_b | self.grid_a | self.grid_b
        self.assertEqual(self.Division.search([("id", "child_of", self.street.id)]), expected)
        self.assertEqual(
            self.Division.search([("id", "child_of", self.community_a.id)]), self.community_a | self.grid_a
        )
        self.assertEqual(
            self.Division.search([("id", "parent_of", self.grid_a.id)]),
            self.city | self.district | self.street | self.community_a | self.grid_a,
        )
        below_city = self.Division.search([("id", "child_of", self.city.id)])
        self.assertIn(self.grid_b, below_city)
        self.assertIn(self.env.ref("city_base.city_division_panshi"), below_city)
        self.assertEqual(
            self.grid_a.parent_path,
            f"{self.city.id}/{self.district.id}/{self.street.id}/{self.community_a.id}/{self.grid_a.id}/",
        )
        # a new grid joins the subtree right away
        grid = self.Division.create(
            {"name": "乙二网格", "code": "220204901002002", "type": "grid", "parent_id": self.community_b.id}
        )
        self.assertTrue(grid.parent_path.startswith(self.community_b.parent_path))
        self.assertEqual(
            self.Division.search([("id", "child_of", self.community_b.id)]), self.community_b | self.grid_b | grid
        )

    def test_names_and_levels(self):
        self.assertEqual(self.grid_a.complete_name, "吉林市 / 船营区 / 测试街道 / 甲社区 / 甲一网格")
        self.assertEqual(self.grid_a.display_name, self.grid_a.complete_name)
        self.assertEqual(self.city.complete_name, "吉林市")
        self.street.name = "新街道"
        self.assertEqual(self.grid_a.complete_name, "吉林市 / 船营区 / 新街道 / 甲社区 / 甲一网格")
        self.assertEqual(
            [self.city.level, self.district.level, self.street.level, self.community_a.level, self.grid_a.level],
            [0, 1, 2, 3, 4],
        )
        self.assertEqual(self.street.child_count, 2)
        self.assertEqual(self.grid_a.child_count, 0)

    def test_resident_count(self):
        self.assertEqual(self.grid_a.resident_count, 1)
        self.assertEqual(self.community_a.resident_count, 1)
        self.assertEqual(self.community_b.resident_count, 1)
        self.assertEqual(self.street.resident_count, 2)
        # the district may hold other (demo) residents: count the difference
        district_before = self.district.resident_count
        self.assertGreaterEqual(district_before, 2)
        Partner = self.env["res.partner"]
        # a resident registered directly on the community, and a non-resident contact (not counted)
        Partner.create(
            {
                "name": "王芳",
                "is_resident": True,
                "resident_id_number": make_resident_id("220204", "19750505", "024"),
                "city_division_id": self.community_a.id,
            }
        )
        Partner.create({"name": "访客", "city_division_id": self.grid_a.id})
        archived = Partner.create(
            {
                "name": "刘强",
                "is_resident": True,
                "resident_id_number": make_resident_id("220204", "19600101", "013"),
                "city_division_id": self.grid_a.id,
            }
        )
        archived.active = False
        self.community_a.invalidate_recordset(["resident_count"])
        self.grid_a.invalidate_recordset(["resident_count"])
        self.street.invalidate_recordset(["resident_count"])
        self.assertEqual(self.community_a.resident_count, 2)
        self.assertEqual(self.grid_a.resident_count, 1)
        self.assertEqual(self.street.resident_count, 3)
        self.district.invalidate_recordset(["resident_count"])
        self.assertEqual(self.district.resident_count, district_before + 1)

    def test_api_data(self):
        self.assertEqual(
            self.grid_a._api_data(),
            {
                "code": "220204901001001",
                "name": "甲一网格",
                "type": "grid",
                "level": 4,
                "parent_code": "220204901001",
                "complete_name": "吉林市 / 船营区 / 测试街道 / 甲社区 / 甲一网格",
            },
        )
        self.assertEqual(
            self.city._api_data(),
            {
                "code": "220200000000",
                "name": "吉林市",
                "type": "city",
                "level": 0,
                "parent_code": None,
                "complete_name": "吉林市",
            },
        )
