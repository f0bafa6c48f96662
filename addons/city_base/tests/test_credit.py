import datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CityTransactionCase

D = datetime.date


@tagged("post_install", "-at_install")
class TestCredit(CityTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Credit = cls.env["city.credit.record"]

    def new_record(self, partner=None, **values):
        return self.Credit.create(
            {
                "partner_id": (partner or self.organisation).id,
                "source": "信用中国（吉林）",
                "reason": "拒不履行法院判决",
                "valid_from": "2025-01-01",
                "valid_to": "2025-12-31",
                **values,
            }
        )

    def test_reference(self):
        first = self.new_record()
        second = self.new_record(kind="warning")
        self.assertTrue(first.name.startswith("XY"), first.name)
        self.assertTrue(second.name.startswith("XY"), second.name)
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(first.kind, "blacklist")
        self.assertEqual(first.state, "active")
        # an explicit reference is kept
        self.assertEqual(self.new_record(name="EXT-0001").name, "EXT-0001")
        # creation is audited
        entry = self.env["city.audit.log"].search(
            [("event", "=", "credit.create"), ("model", "=", "city.credit.record"), ("res_id", "=", first.id)]
        )
        self.assertEqual(len(entry), 1)

    def test_validity_window(self):
        record = self.new_record()
        is_blacklisted = self.Credit.is_blacklisted
        self.assertFalse(is_blacklisted(self.organisation, D(2024, 12, 31)))
        self.assertTrue(is_blacklisted(self.organisation, D(2025, 1, 1)))
        self.assertTrue(is_blacklisted(self.organisation, D(2025, 6, 1)))
        self.assertTrue(is_blacklisted(self.organisation, D(2025, 12, 31)))
        self.assertFalse(is_blacklisted(self.organisation, D(2026, 1, 1)))
        self.assertFalse(is_blacklisted(self.resident_a, D(2025, 6, 1)))
        record.valid_to = False  # open-ended
        self.assertTrue(is_blacklisted(self.organisation, D(2035, 1, 1)))
        self.assertFalse(is_blacklisted(self.organisation, D(2024, 12, 31)))
        record.revoke_reason = "已履行判决义务"
        record.action_revoke()
        self.assertFalse(is_blacklisted(self.organisation, D(2025, 6, 1)))
        self.assertFalse(is_blacklisted(self.organisation, D(2035, 1, 1)))

    def test_other_kinds_do_not_blacklist(self):
        self.new_record(kind="warning")
        self.new_record(kind="commendation")
        self.assertFalse(self.Credit.is_blacklisted(self.organisation, D(2025, 6, 1)))
        self.new_record(kind="blacklist", partner=self.resident_a)
        self.assertTrue(self.Credit.is_blacklisted(self.resident_a, D(2025, 6, 1)))
        self.assertFalse(self.Credit.is_blacklisted(self.organisation, D(2025, 6, 1)))

    def test_contact_of_blacklisted_company(self):
        self.new_record()
        self.assertTrue(self.Credit.is_blacklisted(self.org_contact, D(2025, 6, 1)))
        self.assertFalse(self.Credit.is_blacklisted(self.org_contact, D(2026, 6, 1)))
        self.org_contact.invalidate_recordset(["city_blacklisted"])
        with freeze_time("2025-06-01 04:00:00"):
            self.assertTrue(self.org_contact.city_blacklisted)

    def test_record_on_a_contact_person(self):
        # A record on a company's contact person (e.g. its legal representative listed personally)
        # blacklists that person, but not the company.
        other = self.env["res.partner"].create({"name": "测试建材有限公司", "is_company": True})
        contact = self.env["res.partner"].create({"name": "钱会计", "parent_id": other.id})
        self.new_record(partner=contact)
        self.assertFalse(self.Credit.is_blacklisted(other, D(2025, 6, 1)))
        self.assertTrue(self.Credit.is_blacklisted(contact, D(2025, 6, 1)))

    @freeze_time("2025-06-01 04:00:00")
    def test_search_blacklisted(self):
        self.new_record()
        self.new_record(kind="warning", partner=self.resident_b)
        partners = self.organisation | self.org_contact | self.resident_a | self.resident_b
        ours = [("id", "in", partners.ids)]
        Partner = self.env["res.partner"]
        blacklisted = Partner.search([*ours, ("city_blacklisted", "=", True)])
        self.assertEqual(blacklisted, self.organisation | self.org_contact)
        self.assertEqual(Partner.search([*ours, ("city_blacklisted", "=", False)]), self.resident_a | self.resident_b)
        self.assertEqual(Partner.search([*ours, ("city_blacklisted", "!=", True)]), self.resident_a | self.resident_b)
        partners.invalidate_recordset(["city_blacklisted"])
        for partner in partners:
            self.assertEqual(partner.city_blacklisted, partner in blacklisted, partner.name)
        current = self.Credit.search([("is_current", "=", True), ("partner_id", "in", partners.ids)])
        self.assertEqual(sorted(current.mapped("kind")), ["blacklist", "warning"])
        self.assertTrue(all(current.mapped("is_current")))

    def test_unlink_refused(self):
        record = self.new_record()
        with self.assertRaises(ValidationError):
            record.unlink()
        record.revoke_reason = "录入错误"
        record.action_revoke()
        with self.assertRaises(ValidationError):
            record.unlink()
        self.assertTrue(record.exists())

    def test_revoke(self):
        record = self.new_record()
        with self.assertRaises(ValidationError):
            record.action_revoke()
        self.assertEqual(record.state, "active")
        AuditLog = self.env["city.audit.log"]
        domain = [("event", "=", "credit.revoke"), ("model", "=", "city.credit.record"), ("res_id", "=", record.id)]
        self.assertFalse(AuditLog.search(domain))
        record.revoke_reason = "已履行判决义务"
        self.assertTrue(record.action_revoke())
        self.assertEqual(record.state, "revoked")
        entry = AuditLog.search(domain)
        self.assertEqual(len(entry), 1)
        self.assertIn('"state":"revoked"', entry.payload)
        self.assertIn(f'"reference":"{record.name}"', entry.payload)
        with self.assertRaises(ValidationError):  # only once
            record.action_revoke()
        self.assertEqual(len(AuditLog.search(domain)), 1)

    def test_access(self):
        values = {
            "partner_id": self.organisation.id,
            "source": "市场监管局",
            "reason": "虚假宣传",
            "valid_from": "2025-01-01",
        }
        self.assertCannotCreate(self.worker_a, "city.credit.record", values)
        record = self.Credit.with_user(self.manager).create(values)
        self.assertTrue(record.name.startswith("XY"))
        self.assertEqual(record.create_uid, self.manager)
        # workers can read records, but not change them
        self.assertCanRead(self.worker_a, record, ["name", "kind", "state"])
        self.assertCannotWrite(self.worker_a, record, {"reason": "改"})

    def test_dates_check(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.new_record(valid_from="2025-06-01", valid_to="2025-05-31")
            self.env.flush_all()
        record = self.new_record(valid_from="2025-06-01", valid_to="2025-06-01")  # one day is fine
        self.assertTrue(self.Credit.is_blacklisted(self.organisation, D(2025, 6, 1)))
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            record.valid_to = "2025-05-01"
            self.env.flush_all()
