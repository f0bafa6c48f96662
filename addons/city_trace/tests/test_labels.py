import io
from unittest.mock import patch

import qrcode

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.city_trace.tools import labels

from .supply_chain import SupplyChainCase


@tagged("post_install", "-at_install")
class TestLabels(SupplyChainCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serials = cls.env["city.trace.serial"].create(
            [{"name": f"SN{number:04d}", "lot_id": cls.rice_lot.id} for number in range(1, 4)]
        )
        cls.Label = cls.env["city.trace.label"].with_user(cls.officer)

    def wizard(self, **values):
        return self.Label.create(values)

    def pdf_of(self, action):
        self.assertIn("download=true", action["url"])
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(attachment.mimetype, "application/pdf")
        return attachment.raw

    def pages(self, pdf):
        return len(PdfFileReader(io.BytesIO(pdf)).pages)

    def capture_payloads(self, function):
        """Run ``function`` and return what was given to qrcode to encode."""
        labels._qr_matrix.cache_clear()
        payloads = []
        original = qrcode.QRCode.add_data

        def spy(code, data, *args, **kwargs):
            payloads.append(data)
            return original(code, data, *args, **kwargs)

        with patch.object(qrcode.QRCode, "add_data", spy):
            result = function()
        return result, payloads

    def test_label_roll_per_lot(self):
        wizard = self.wizard(
            lot_ids=[(6, 0, (self.paddy_1 | self.rice_lot).ids)], per="lot", size="40x30", sheet="roll", copies=2
        )
        self.assertEqual(wizard.label_count, 4)
        pdf, payloads = self.capture_payloads(lambda: self.pdf_of(wizard.action_print()))
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(self.pages(pdf), 4)  # one label per page on a label printer
        # each QR code encodes exactly the lot's GS1 Digital Link (copies reuse the same code)
        self.assertEqual(sorted(payloads), sorted([self.paddy_1.digital_link, self.rice_lot.digital_link]))
        self.assertTrue(self.rice_lot.digital_link.endswith("/01/06901234567892/10/R1"))
        reader = PdfFileReader(io.BytesIO(pdf))
        width, height = (float(value) for value in reader.pages[0].mediabox[2:])
        self.assertAlmostEqual(width, 40 * 72 / 25.4, places=1)
        self.assertAlmostEqual(height, 30 * 72 / 25.4, places=1)

    def test_a4_sheet_per_serial(self):
        wizard = self.wizard(lot_ids=[(6, 0, self.rice_lot.ids)], per="serial", size="40x30", sheet="a4", copies=11)
        # 40 x 30 mm labels on A4 with 10 mm margins and 2 mm gaps: 4 columns, 8 rows
        self.assertEqual(wizard.per_page, 32)
        self.assertEqual(wizard.label_count, 33)
        pdf, payloads = self.capture_payloads(lambda: self.pdf_of(wizard.action_print()))
        self.assertEqual(self.pages(pdf), 2)  # 33 labels: one full sheet and one more
        self.assertEqual(sorted(payloads), sorted(self.serials.mapped("digital_link")))
        self.assertTrue(all("/10/R1/21/SN" in payload for payload in payloads))

    def test_launched_from_serial_items(self):
        wizard = self.Label.with_context(active_model="city.trace.serial", active_ids=self.serials[:2].ids).create({})
        self.assertEqual(wizard.per, "serial")
        self.assertEqual(wizard.serial_ids, self.serials[:2])
        items = wizard._labels()
        self.assertEqual([item.serial for item in items], ["SN0001", "SN0002"])
        self.assertEqual(items[0].batch, "R1")
        self.assertEqual(items[0].gtin, "06901234567892")
        self.assertEqual(items[0].product, self.rice.name)
        self.assertEqual(items[0].expiry, "2027-10-01")  # production date + 365 days of shelf life
        # one label per lot of the selected serial items
        wizard.per = "lot"
        self.assertEqual([item.payload for item in wizard._labels()], [self.rice_lot.digital_link])

    def test_custom_size_and_invalid_sizes(self):
        wizard = self.wizard(
            lot_ids=[(6, 0, self.rice_lot.ids)], size="custom", width_mm=30, height_mm=40, sheet="roll"
        )
        pdf = self.pdf_of(wizard.action_print())
        self.assertEqual(self.pages(pdf), 1)
        for values in (
            {"size": "custom", "width_mm": 10, "height_mm": 10},  # too small for a readable code
            {"size": "custom", "width_mm": 0, "height_mm": 30},
            {"size": "custom", "width_mm": 300, "height_mm": 30},
            {"size": "custom", "width_mm": 200, "height_mm": 280, "sheet": "a4"},  # larger than A4 minus margins
            {"size": "50x30", "sheet": "a4", "margin_mm": -1},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.wizard(lot_ids=[(6, 0, self.rice_lot.ids)], **values)
        with self.assertRaises(ValidationError):
            self.wizard(lot_ids=[(6, 0, self.rice_lot.ids)], copies=0)

    def test_nothing_to_print(self):
        wizard = self.wizard(lot_ids=[(6, 0, self.paddy_1.ids)], per="serial")
        with self.assertRaises(UserError):
            wizard.action_print()
        with self.assertRaises(labels.LabelError):
            labels.label_sheet_pdf([], 50, 30)
        label = labels.Label("https://example.com/01/06901234567892/10/R1", "大米", "06901234567892", "R1")
        with self.assertRaises(labels.LabelError):
            labels.label_sheet_pdf([label] * (labels.MAX_LABELS + 1), 50, 30)

    def test_enterprise_users_cannot_print_here(self):
        with self.assertRaises(AccessError):
            self.env["city.trace.label"].with_user(self.portal_business).create(
                {"lot_ids": [(6, 0, self.rice_lot.ids)]}
            )

    def test_qr_png(self):
        png = labels.qr_png("https://example.com/01/06901234567892/10/R1", box_size=2)
        self.assertTrue(png.startswith(b"\x89PNG\r\n\x1a\n"))
        code = labels.qr_code("https://example.com/01/06901234567892/10/R1")
        self.assertEqual(code.error_correction, qrcode.constants.ERROR_CORRECT_M)
        self.assertEqual(code.border, labels.QUIET_ZONE)
