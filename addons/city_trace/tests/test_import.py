import base64
import csv
import datetime
import io
from unittest.mock import patch

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.city_base.tests.common import make_uscc

from ..wizard import city_trace_import
from .common import TraceCase

COLUMNS = city_trace_import.COLUMN_KEYS
RICE_GTIN = "06901234567892"
PADDY_GTIN = "06901234567809"


@tagged("post_install", "-at_install")
class TestTraceImport(TraceCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.dist = Partner.create(
            {
                "name": "吉林市粮油批发有限公司",
                "is_company": True,
                "uscc": make_uscc("91220204MA0TR0003"),
                "trace_logistics": True,
            }
        )
        cls.paddy = cls.env["city.trace.product"].create(
            {
                "name": "稻谷",
                "gtin": "6901234567809",
                "category": "agricultural",
                "partner_id": cls.farm.id,
                "uom": "kg",
            }
        )
        Lot = cls.env["city.trace.lot"]
        day = datetime.date(2026, 10, 1)
        cls.paddy_lot = Lot.create(
            {
                "name": "P1",
                "product_id": cls.paddy.id,
                "partner_id": cls.farm.id,
                "production_date": day,
                "quantity": 1000,
            }
        )
        cls.rice_lot = Lot.create(
            {
                "name": "R1",
                "product_id": cls.rice.id,
                "partner_id": cls.mill.id,
                "production_date": day,
                "quantity": 300,
            }
        )
        cls.mill_user = cls.enterprise_user("t_trace_import_mill", cls.mill, "米业录入员")
        cls.Import = cls.env["city.trace.import"]
        cls.Event = cls.env["city.trace.event"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def rows(self):
        """A commissioning of a new rice batch and a shipment of two batches (two rows, one event)."""
        return [
            {
                "event_ref": "SC-001",
                "biz_step": "commissioning",
                "disposition": "active",
                "event_time": "2026-11-20 08:00",
                "enterprise_uscc": self.mill.uscc,
                "gtin": RICE_GTIN,
                "batch": "R7",
                "quantity": "400",
            },
            {
                "event_ref": "FH-001",
                "event_type": "object",
                "action": "OBSERVE",
                "biz_step": "shipping",
                "disposition": "in_transit",
                "event_time": "2026-11-20 09:30",
                "enterprise_uscc": self.mill.uscc,
                "destination_uscc": self.dist.uscc,
                "doc_type": "desadv",
                "doc_number": "FH-2026-001",
                "gtin": RICE_GTIN,
                "batch": "R7",
                "quantity": "150",
            },
            {"event_ref": "FH-001", "gtin": "6901234567892", "batch": "R1", "quantity": "1,000"},
        ]

    @staticmethod
    def csv_bytes(rows, header=None, encoding="utf-8-sig"):
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow(header or COLUMNS)
        for row in rows:
            writer.writerow([row.get(key, "") for key in COLUMNS])
        return stream.getvalue().encode(encoding)

    def run_wizard(self, data, filename="events.csv", user=None, **values):
        wizard = self.Import.with_user(user or self.officer).create(
            {"file": base64.b64encode(data), "filename": filename, **values}
        )
        wizard.action_import()
        return wizard

    def report_rows(self, wizard):
        book = openpyxl.load_workbook(io.BytesIO(wizard.report_id.raw), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))[1:]
        return [(row, column.split("(")[-1].rstrip(")") if column else None, message) for row, column, message in rows]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_import_csv_and_replay(self):
        before = self.Event.search_count([])
        wizard = self.run_wizard(self.csv_bytes(self.rows()))
        self.assertEqual(wizard.state, "done", wizard.error_html)
        self.assertEqual((wizard.row_count, wizard.created_count, wizard.duplicate_count), (3, 2, 0))
        self.assertEqual(self.Event.search_count([]), before + 2)
        new_lot = self.env["city.trace.lot"].search([("product_id", "=", self.rice.id), ("name", "=", "R7")])
        self.assertEqual((new_lot.quantity, new_lot.partner_id), (400, self.mill), "created by its commissioning")
        self.assertEqual(new_lot.production_date, datetime.date(2026, 11, 20))
        shipment = self.Event.search([("client_event_id", "=", "FH-001")])
        self.assertEqual(shipment.capture_channel, "import")
        self.assertEqual(shipment.event_time, datetime.datetime(2026, 11, 20, 1, 30), "09:30 in UTC+8")
        self.assertEqual((shipment.event_tz, shipment.dest_partner_id), ("+08:00", self.dist))
        self.assertEqual((shipment.biz_transaction_type, shipment.biz_transaction_ref), ("desadv", "FH-2026-001"))
        self.assertEqual(
            {(line.lot_id, line.quantity) for line in shipment.line_ids}, {(new_lot, 150), (self.rice_lot, 1000)}
        )
        self.assertEqual(wizard.event_ids, self.Event.search([("client_event_id", "in", ["SC-001", "FH-001"])]))
        self.assertEqual(wizard.action_view_events()["domain"], [("id", "in", wizard.event_ids.ids)])
        # the same file again: duplicates only
        again = self.run_wizard(self.csv_bytes(self.rows()))
        self.assertEqual((again.state, again.created_count, again.duplicate_count), ("done", 0, 2))
        self.assertEqual(self.Event.search_count([]), before + 2)

    def test_errors_are_reported_per_row_and_nothing_is_imported(self):
        rows = self.rows()
        rows[1]["event_time"] = "2099-01-01 08:00"
        rows[2]["gtin"] = "6901234567893"
        rows += [
            {"event_ref": "FH-002", "event_time": "2026-11-21 10:00", "gtin": RICE_GTIN, "batch": "NOPE"},
            {
                "event_ref": "FH-003",
                "event_time": "2026-11-21 11:00",
                "gtin": RICE_GTIN,
                "batch": "R1",
                "quantity": "-5",
            },
            {
                "event_ref": "FH-004",
                "event_time": "2026-11-21 12:00",
                "gtin": RICE_GTIN,
                "batch": "R1",
                "biz_step": "x",
            },
            {"event_ref": "FH-004", "event_time": "2026-11-22 12:00", "gtin": RICE_GTIN, "batch": "R1"},
            {"event_ref": "FH-005", "event_time": "yesterday", "gtin": RICE_GTIN, "batch": "R1"},
            {"event_ref": "FH-006", "event_time": "2026-11-21 12:00", "enterprise_uscc": self.mill.uscc},
        ]
        before = self.Event.search_count([])
        lots = self.env["city.trace.lot"].search_count([])
        wizard = self.run_wizard(self.csv_bytes(rows), partner_id=self.mill.id)
        self.assertEqual(wizard.state, "error")
        self.assertEqual(
            [(row, column) for row, column, _message in self.report_rows(wizard)],
            [
                (3, "event_time"),
                (4, "gtin"),
                (5, "batch"),
                (6, "quantity"),
                (7, "biz_step"),
                (8, "event_time"),
                (9, "event_time"),
                (10, "gtin"),
            ],
        )
        self.assertTrue(all(message for _row, _column, message in self.report_rows(wizard)))
        self.assertEqual(wizard.error_count, 8)
        self.assertIn("<table", wizard.error_html)
        self.assertEqual(self.Event.search_count([]), before)
        self.assertEqual(self.env["city.trace.lot"].search_count([]), lots, "the commissioned batch is not kept")
        action = wizard.action_download_report()
        self.assertIn(f"/web/content/{wizard.report_id.id}", action["url"])
        wizard.action_reset()
        self.assertEqual(wizard.state, "draft")

    def test_gbk_csv_with_chinese_headers(self):
        header = [f"列{index} ({key})" for index, key in enumerate(COLUMNS)]
        rows = self.rows()
        rows[1]["doc_number"] = "发货单-001"
        data = self.csv_bytes(rows, header=header, encoding="gbk")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")
        wizard = self.run_wizard(data)
        self.assertEqual((wizard.state, wizard.created_count), ("done", 2), wizard.error_html)
        self.assertEqual(self.Event.search([("client_event_id", "=", "FH-001")]).biz_transaction_ref, "发货单-001")

    def test_xlsx_from_the_template(self):
        template = openpyxl.load_workbook(io.BytesIO(self.Import._template_xlsx()))
        sheet = template.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        self.assertEqual([value.split("(")[-1].rstrip(")") for value in header], COLUMNS)
        self.assertEqual(len(template.worksheets[1]["A"]), len(COLUMNS) + 1, "the column guide")
        example = {key: cell.value for key, cell in zip(COLUMNS, sheet[2], strict=True)}
        self.assertEqual((example["gtin"], example["quantity"]), (RICE_GTIN, 100))
        # the example row with this test's enterprises: selection labels are understood as they are
        values = dict(
            example,
            enterprise_uscc=self.mill.uscc,
            destination_uscc=self.dist.uscc,
            location_gln=None,
            batch="R1",
            event_time=datetime.datetime(2026, 11, 20, 9, 30),
        )
        for column, key in enumerate(COLUMNS, start=1):
            sheet.cell(row=2, column=column, value=values[key])
        sheet.cell(row=3, column=1, value="FH-20261120-01")
        sheet.cell(row=3, column=COLUMNS.index("gtin") + 1, value=int(PADDY_GTIN))  # a GTIN typed as a number
        sheet.cell(row=3, column=COLUMNS.index("batch") + 1, value="P1")
        sheet.cell(row=3, column=COLUMNS.index("quantity") + 1, value=20.5)
        stream = io.BytesIO()
        template.save(stream)
        # the mill received the farm's paddy: it may ship it
        self.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "receiving",
                    "event_time": datetime.datetime(2026, 10, 2),
                    "partner_id": self.mill.id,
                    "source_partner_id": self.farm.id,
                    "lines": [{"role": "epc", "lot_id": self.paddy_lot.id, "quantity": 1000}],
                }
            ]
        )
        wizard = self.run_wizard(stream.getvalue(), filename="events.xlsx")
        self.assertEqual((wizard.state, wizard.created_count), ("done", 1), wizard.error_html)
        event = wizard.event_ids
        self.assertEqual(
            (event.biz_step, event.disposition, event.biz_transaction_type), ("shipping", "in_transit", "desadv")
        )
        self.assertEqual(event.event_time, datetime.datetime(2026, 11, 20, 1, 30))
        self.assertEqual(
            {(line.lot_id, line.quantity) for line in event.line_ids}, {(self.rice_lot, 100), (self.paddy_lot, 20.5)}
        )

    def test_file_limits(self):
        with self.assertRaises(UserError):
            self.Import._read_file(b"")
        with self.assertRaises(UserError):
            self.Import._read_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls")
        with patch.object(city_trace_import, "MAX_ROWS", 2), self.assertRaises(UserError):
            self.Import._read_file(self.csv_bytes(self.rows()))
        with patch.object(city_trace_import, "MAX_BYTES", 100), self.assertRaises(UserError):
            self.Import._read_file(self.csv_bytes(self.rows()))
        rows, errors = self.Import._read_file(b"event_ref,when,gtin\nA,2026-11-20 09:00,x\n")
        self.assertEqual(len(rows), 1)
        self.assertEqual([(error["row"], error["column"]) for error in errors], [(1, "when"), (1, "event_time")])

    def test_enterprise_user_imports_for_its_own_enterprise(self):
        """What the enterprise portal calls: the user's enterprise by default, no other."""
        Import = self.Import.with_user(self.mill_user)
        rows = [dict(row, row=number) for number, row in enumerate(self.rows(), start=2)]
        for row in rows:
            row.pop("enterprise_uscc", None)
        vals_list, errors = Import._import_rows(rows)
        self.assertEqual(errors, [])
        self.assertEqual({vals["partner_id"] for vals in vals_list}, {self.mill.id})
        results = self.Event.with_user(self.mill_user)._capture(vals_list, channel="import")
        self.assertEqual([result["status"] for result in results], ["created", "created"])
        # a row naming another enterprise is refused
        rows[0]["enterprise_uscc"] = self.farm.uscc
        rows[0]["event_ref"] = "SC-FARM"
        vals_list, errors = Import._import_rows(rows)
        self.assertEqual(vals_list, [])
        self.assertEqual([(error["row"], error["column"]) for error in errors], [(2, "enterprise_uscc")])
        # a whole file, as the portal sends it
        rows = self.rows()[1:]
        rows[0].update(event_ref="FH-FARM", enterprise_uscc=self.farm.uscc)
        rows[1]["event_ref"] = "FH-FARM"
        outcome = Import._import_file(self.csv_bytes(rows))
        self.assertEqual([(error["row"], error["column"]) for error in outcome["errors"]], [(2, "enterprise_uscc")])
        self.assertEqual(outcome["results"], [])
        # the backend wizard itself is for traceability officers
        with self.assertRaises(AccessError):
            Import.create({"filename": "events.csv"})
