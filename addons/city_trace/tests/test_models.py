import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTraceModels(TraceCase, TransactionCase):
    def test_product_gtin_is_validated_and_normalised(self):
        self.assertEqual(self.rice.gtin, "06901234567892", "stored as GTIN-14")
        self.assertEqual(self.rice.digital_link, "https://trace.jlcity.gov.cn/01/06901234567892")
        Product = self.env["city.trace.product"]
        with self.assertRaises(ValidationError):
            Product.create({"name": "坏码", "gtin": "6901234567893", "category": "food", "partner_id": self.mill.id})
        # the same product under its 13-digit form is a duplicate
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            Product.create({"name": "重复", "gtin": "6901234567892", "category": "food", "partner_id": self.mill.id})

    def test_enterprise_needs_uscc(self):
        with self.assertRaises(ValidationError):
            self.env["res.partner"].create({"name": "无证商户", "is_company": True, "trace_retailer": True})
        with self.assertRaises(ValidationError):
            self.farm.gln = "0614141000013"
        self.farm.gln = "0614141000012"

    def test_lot_dates_and_link(self):
        Lot = self.env["city.trace.lot"]
        lot = Lot.create(
            {
                "name": "SL2025-10",
                "product_id": self.rice.id,
                "partner_id": self.farm.id,
                "production_date": "2025-10-08",
                "quantity": 2000,
            }
        )
        self.assertEqual(lot.expiry_date, datetime.date(2026, 10, 8))
        self.assertEqual(lot.digital_link, "https://trace.jlcity.gov.cn/01/06901234567892/10/SL2025-10")
        with self.assertRaises(ValidationError):
            lot.expiry_date = "2025-01-01"
        with self.assertRaises(ValidationError):
            Lot.create(
                {
                    "name": "批次一",
                    "product_id": self.rice.id,
                    "partner_id": self.farm.id,
                    "production_date": "2025-10-08",
                    "quantity": 1,
                }
            )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            Lot.create(
                {
                    "name": "SL2025-10",
                    "product_id": self.rice.id,
                    "partner_id": self.farm.id,
                    "production_date": "2025-10-09",
                    "quantity": 1,
                }
            )

    def test_expired_search(self):
        Lot = self.env["city.trace.lot"]
        old = Lot.create(
            {
                "name": "OLD1",
                "product_id": self.rice.id,
                "partner_id": self.farm.id,
                "production_date": "2020-01-01",
                "quantity": 10,
            }
        )
        fresh = Lot.create(
            {
                "name": "NEW1",
                "product_id": self.rice.id,
                "partner_id": self.farm.id,
                "production_date": fields_today(),
                "quantity": 10,
            }
        )
        self.assertTrue(old.is_expired)
        self.assertFalse(fresh.is_expired)
        expired = Lot.search([("is_expired", "=", True), ("id", "in", (old | fresh).ids)])
        self.assertEqual(expired, old)
        self.assertEqual(Lot.search([("is_expired", "=", False), ("id", "in", (old | fresh).ids)]), fresh)

    def test_serials_and_logistic_units(self):
        lot = self.env["city.trace.lot"].create(
            {
                "name": "L1",
                "product_id": self.rice.id,
                "partner_id": self.farm.id,
                "production_date": "2025-10-08",
                "quantity": 2,
            }
        )
        item = self.env["city.trace.serial"].create({"name": "0001", "lot_id": lot.id})
        self.assertEqual(item.product_id, self.rice)
        self.assertTrue(item.digital_link.endswith("/10/L1/21/0001"))
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["city.trace.serial"].create({"name": "0001", "lot_id": lot.id})
        Unit = self.env["city.trace.logistic.unit"]
        pallet = Unit.create({"sscc": "106141411234567897", "partner_id": self.mill.id})
        case = Unit.create(
            {
                "sscc": "006141411234567890",
                "partner_id": self.mill.id,
                "parent_id": pallet.id,
                "lot_ids": [(6, 0, lot.ids)],
            }
        )
        self.assertEqual(Unit.search([("id", "child_of", pallet.id)]), pallet | case)
        with self.assertRaises(UserError):  # the parent store refuses the cycle first (ValidationError is one too)
            pallet.parent_id = case
        with self.assertRaises(ValidationError):
            Unit.create({"sscc": "106141411234567898", "partner_id": self.mill.id})


def fields_today():
    return datetime.date.today().isoformat()
