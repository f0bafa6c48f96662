from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CityTransactionCase, make_resident_id


@tagged("post_install", "-at_install")
class TestDivisionScope(CityTransactionCase):
    def test_worker_sees_only_own_community(self):
        Partner = self.env["res.partner"].with_user(self.worker_a)
        residents = Partner.search([("is_resident", "=", True), ("id", "in", (self.resident_a | self.resident_b).ids)])
        self.assertEqual(residents, self.resident_a)
        self.assertCanRead(self.worker_a, self.resident_a)
        self.assertCannotRead(self.worker_a, self.resident_b)
        self.assertCannotRead(self.worker_b, self.resident_a)
        self.assertCannotWrite(self.worker_a, self.resident_b, {"mobile": "13800000000"})

    def test_worker_cannot_create_resident_elsewhere(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.worker_a).create(
                {
                    "name": "王强",
                    "is_resident": True,
                    "resident_id_input": make_resident_id("220204", "19850505", "071"),
                    "city_division_id": self.grid_b.id,
                }
            )
        created = (
            self.env["res.partner"]
            .with_user(self.worker_a)
            .create(
                {
                    "name": "王强",
                    "is_resident": True,
                    "resident_id_input": make_resident_id("220204", "19850505", "071"),
                    "city_division_id": self.grid_a.id,
                }
            )
        )
        number = make_resident_id("220204", "19850505", "071")
        self.assertEqual(created.resident_id_masked, number[:6] + "********" + number[14:])
        self.assertEqual(created.sudo().resident_id_number, number)
        self.assertEqual(created.gender, "male")

    def test_buildings_and_households_scoped(self):
        self.assertCanRead(self.worker_a, self.building_a)
        self.assertCannotRead(self.worker_a, self.building_b)
        self.assertCannotRead(self.worker_b, self.household_a)
        buildings = self.env["city.building"].with_user(self.worker_b).search([])
        self.assertNotIn(self.building_a, buildings)
        self.assertIn(self.building_b, buildings)

    def test_manager_scope_covers_subtree(self):
        # the manager serves the street: both communities are under it
        self.assertCanRead(self.manager, self.resident_a | self.resident_b)
        self.resident_b.with_user(self.manager).write({"mobile": "13800000001"})
        self.assertEqual(self.resident_b.mobile, "13800000001")

    def test_supervisor_reads_all_writes_nothing(self):
        self.assertCanRead(self.supervisor, self.resident_a | self.resident_b)
        self.assertCanRead(self.supervisor, self.building_a | self.building_b)
        self.assertCannotWrite(self.supervisor, self.resident_a, {"mobile": "13800000002"})
        self.assertCannotWrite(self.supervisor, self.building_a, {"name": "2号楼"})

    def test_internal_user_without_division_sees_no_resident(self):
        plain = self.env["res.users"].create({"name": "plain", "login": "t_plain"})
        self.assertFalse(
            self.env["res.partner"].with_user(plain).search([("id", "in", (self.resident_a | self.resident_b).ids)])
        )
        # ... but still its own partner and organisations
        self.assertCanRead(plain, plain.partner_id | self.organisation)

    def test_portal_users(self):
        self.assertCanRead(self.portal_resident, self.resident_a)
        self.assertCannotRead(self.portal_resident, self.resident_b)
        self.assertCannotRead(self.portal_business, self.resident_a)
        self.assertCannotRead(self.portal_resident, self.building_a)
        self.assertCannotWrite(self.portal_resident, self.resident_a, {"name": "x"})
        # portal groups are distinguishable
        self.assertTrue(self.portal_resident.has_group("city_base.group_city_base_resident"))
        self.assertFalse(self.portal_resident.has_group("city_base.group_city_base_business"))
        self.assertTrue(self.portal_business.has_group("city_base.group_city_base_business"))
        self.assertTrue(self.portal_business.share)

    def test_configuration_rights(self):
        self.assertCannotCreate(
            self.worker_a,
            "city.division",
            {"name": "x", "code": "220204901003", "type": "community", "parent_id": self.street.id},
        )
        self.assertCannotWrite(self.worker_a, self.community_a, {"name": "改名"})
        self.community_a.with_user(self.manager).write({"name": "甲社区（新）"})
        self.assertCannotCreate(self.worker_a, "city.holiday", {"date": "2031-01-01", "name": "元旦"})
        self.assertCannotRead(self.worker_a, self.env["city.audit.log"].sudo().record("test.event"))
        self.assertCannotRead(self.manager, self.env["city.audit.chain"].sudo().search([], limit=1))
        self.assertCannotCreate(
            self.worker_a, "city.credit.record", {"partner_id": self.organisation.id, "source": "x", "reason": "y"}
        )
