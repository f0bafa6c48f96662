import datetime
import io

import openpyxl

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.city_trace.tools import gs1
from odoo.addons.city_trace.wizard.city_trace_export import COLUMNS

from .supply_chain import T0, SupplyChainCase

HOUR = datetime.timedelta(hours=1)


@tagged("post_install", "-at_install")
class TestExport(SupplyChainCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # headers are checked in English (the test database only has zh_CN active)
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.build_chain()  # every event on 2 October 2026, local time (+08:00)
        body = "36901234000000001"
        cls.pallet = cls.env["city.trace.logistic.unit"].create(
            {"sscc": body + gs1.check_digit(body), "partner_id": cls.dist.id}
        )
        cls.serial = cls.env["city.trace.serial"].create({"name": "SN0001", "lot_id": cls.rice_lot.id})
        body = "693000000001"
        cls.store = cls.env["city.trace.location"].create(
            {"name": "西安路仓库", "partner_id": cls.dist.id, "gln": body + gs1.check_digit(body)}
        )
        # packed on 2 October 23:00 local, stored at midnight and one bag sold at 01:00 on 3 October
        cls.packing = cls.capture(
            event_type="aggregation",
            action="ADD",
            biz_step="packing",
            event_time=T0 + 14 * HOUR,
            partner_id=cls.dist.id,
            lines=[
                {"role": "parent", "unit_id": cls.pallet.id},
                {"role": "child", "lot_id": cls.rice_lot.id, "quantity": 50},
            ],
        )
        cls.pallet_storage = cls.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="storing",
            disposition="sellable_accessible",
            event_time=T0 + 15 * HOUR,
            partner_id=cls.dist.id,
            location_id=cls.store.id,
            lines=[{"role": "epc", "unit_id": cls.pallet.id}],
        )
        cls.sale = cls.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="retail_selling",
            disposition="retail_sold",
            event_time=T0 + 16 * HOUR,
            partner_id=cls.shop_a.id,
            lines=[{"role": "epc", "serial_id": cls.serial.id}],
        )
        cls.Export = cls.env["city.trace.export"].with_user(cls.officer)

    def export(self, user=None, **values):
        values.setdefault("date_from", "2026-10-01")
        values.setdefault("date_to", "2026-10-03")
        Export = self.Export.with_user(user) if user else self.Export
        wizard = Export.create(values)
        action = wizard.action_export()
        self.assertIn("download=true", action["url"])
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        self.assertEqual((attachment.res_model, attachment.res_id), (wizard._name, wizard.id))
        self.assertTrue(attachment.name.endswith(".xlsx"))
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(wizard.row_count, len(rows) - 1)
        return sheet, rows[0], rows[1:]

    def test_rows_and_key_data_elements(self):
        sheet, header, rows = self.export(product_id=self.rice.id)
        self.assertEqual(header, [str(label) for label, _width in COLUMNS])
        self.assertEqual(header[0], "Event Time (local)")
        self.assertEqual(len(header), 25)
        # sortable: frozen header and an auto-filter over every row and column
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.auto_filter.ref, f"A1:Y{len(rows) + 1}")
        # the output of milling, 8 moves of the rice, packing (pallet and content), the pallet's
        # storage and the sale of one serial item
        self.assertEqual(len(rows), 13)
        times = [row[0] for row in rows]
        self.assertEqual(times, sorted(times))
        column = {str(label): index for index, (label, _width) in enumerate(COLUMNS)}
        shipment = self.Event.search([("partner_id", "=", self.mill.id), ("biz_step", "=", "shipping")], limit=1)
        row = next(row for row in rows if row[column["Event ID (hash)"]] == shipment.event_hash)
        expected = {
            "Event Time (local)": datetime.datetime(2026, 10, 2, 15, 0),  # 07:00 UTC
            "Time Zone": "+08:00",
            "Event Type": "Object Event",
            "Business Step": "Shipping",
            "Disposition": "In Transit",
            "Enterprise": self.mill.name,
            "Enterprise USCC": self.mill.uscc,
            "Location": None,
            "Source": None,
            "Destination": self.dist.name,
            "Destination USCC": self.dist.uscc,
            "Document Type": "Despatch Advice",
            "Document Number": f"DA-R1-{self.dist.id}",
            "Object Role": "Object",
            "GTIN": "06901234567892",
            "Product": self.rice.name,
            "Batch": "R1",
            "Serial Number": None,
            "SSCC": None,
            "Quantity": 300,
            "Unit": "Bag",
            "Declared Erroneous": None,
        }
        self.assertEqual({name: row[column[name]] for name in expected}, expected)
        milling = next(row for row in rows if row[column["Event ID (hash)"]] == self.milling.event_hash)
        self.assertEqual((milling[column["Object Role"]], milling[column["Quantity"]]), ("Output", 300))
        sale = next(row for row in rows if row[column["Event ID (hash)"]] == self.sale.event_hash)
        self.assertEqual((sale[column["Serial Number"]], sale[column["Batch"]]), ("SN0001", "R1"))
        pallet = next(row for row in rows if row[column["Event ID (hash)"]] == self.pallet_storage.event_hash)
        self.assertEqual((pallet[column["SSCC"]], pallet[column["Batch"]]), (self.pallet.sscc, "R1"))
        self.assertEqual(
            (pallet[column["Location"]], pallet[column["Location GLN"]]), (self.store.name, self.store.gln)
        )
        self.assertIsNone(pallet[column["Quantity"]])  # the pallet's content is not counted again

    def test_date_range_uses_event_local_time(self):
        # 2 October local: the pallet's storage (00:00 on the 3rd, local) and the sale are out
        _sheet, _header, rows = self.export(product_id=self.rice.id, date_from="2026-10-02", date_to="2026-10-02")
        self.assertEqual(len(rows), 11)
        _sheet, _header, rows = self.export(product_id=self.rice.id, date_from="2026-10-03", date_to="2026-10-03")
        self.assertEqual({row[-1] for row in rows}, {self.pallet_storage.event_hash, self.sale.event_hash})
        _sheet, _header, rows = self.export(product_id=self.rice.id, date_from="2026-09-01", date_to="2026-10-01")
        self.assertEqual(rows, [])

    def test_lot_and_enterprise_filters(self):
        # paddy lot 1: shipped, received, then milled (as an input)
        _sheet, _header, rows = self.export(lot_ids=[(6, 0, self.paddy_1.ids)])
        self.assertEqual(len(rows), 3)
        self.assertEqual({row[18] for row in rows}, {"P1"})
        self.assertIn("Input", {row[15] for row in rows})
        # the first supermarket: what it recorded and what was sent to it
        _sheet, _header, rows = self.export(product_id=self.rice.id, partner_id=self.shop_a.id)
        self.assertEqual(len(rows), 3)
        for row in rows:
            self.assertIn(self.shop_a.name, (row[5], row[9], row[11]))
        # a lot of another product with the product: nothing of that lot
        _sheet, _header, rows = self.export(product_id=self.paddy.id, lot_ids=[(6, 0, self.rice_lot.ids)])
        self.assertEqual(rows, [])

    def test_erroneous_events_are_flagged(self):
        self.capture(
            event_type="object",
            action="OBSERVE",
            event_time=T0 + 17 * HOUR,
            partner_id=self.shop_a.id,
            declares_error_of_id=self.sale.id,
            error_reason="did_not_occur",
            lines=[],
        )
        _sheet, _header, rows = self.export(product_id=self.rice.id)
        flagged = [row for row in rows if row[23]]
        self.assertEqual([row[-1] for row in flagged], [self.sale.event_hash])
        self.assertEqual(flagged[0][23], "Yes")

    def test_access_and_validation(self):
        # supervisors read everything: they may export
        _sheet, _header, rows = self.export(user=self.supervisor, product_id=self.rice.id)
        self.assertEqual(len(rows), 13)
        # enterprises do not export other enterprises' records
        with self.assertRaises(AccessError):
            self.env["city.trace.export"].with_user(self.portal_business).create(
                {"product_id": self.rice.id, "date_from": "2026-10-01", "date_to": "2026-10-03"}
            )
        with self.assertRaises(UserError):
            self.Export.create({"date_from": "2026-10-01", "date_to": "2026-10-03"}).action_export()
        with self.assertRaises(ValidationError):
            self.Export.create({"product_id": self.rice.id, "date_from": "2026-10-03", "date_to": "2026-10-01"})
