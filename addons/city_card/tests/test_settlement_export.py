import io

import openpyxl

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged

from .settlement_common import SettlementCase


@tagged("post_install", "-at_install")
class TestSettlementExport(SettlementCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ops = cls.env["city.card.operation"].sudo()
        Settlement = cls.env["city.card.settlement"]
        with cls.at(cls.day, 10):
            ops._pay(cls.card_a, cls.canteen, 10000)
            ops._pay(cls.card_b, cls.bus, 200)
        Settlement._settle(cls.day)
        with cls.at(cls.next_day, 10):
            ops._pay(cls.card_a, cls.canteen, 2550)
        Settlement._settle(cls.next_day)

    def export(self, user, **values):
        wizard = (
            self.env["city.card.settlement.export"]
            .with_user(user)
            .create({"date_from": self.day, "date_to": self.next_day, **values})
        )
        action = wizard.action_export()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertTrue(attachment.name.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
        return wizard, [list(row) for row in sheet.iter_rows(values_only=True)]

    def test_rows_and_totals(self):
        wizard, rows = self.export(self.card_manager, merchant_ids=[(6, 0, (self.canteen | self.bus).ids)])
        header, *body = rows
        self.assertEqual(header[0], "Settlement No.")
        self.assertEqual(header[10], "Net (CNY)")
        self.assertEqual(wizard.row_count, 3)
        canteen = self.env["city.card.settlement"].search([("merchant_id", "=", self.canteen.id)], order="date")
        bus = self.env["city.card.settlement"].search([("merchant_id", "=", self.bus.id)])
        names = [row[0] for row in body]
        self.assertEqual(
            names,
            [
                canteen[0].name,
                canteen[1].name,
                f"Total {self.canteen.name}",
                bus.name,
                f"Total {self.bus.name}",
                "Grand Total",
            ],
            "one row per settlement, a total per merchant and a grand total",
        )
        first = body[0]
        self.assertEqual(first[2:5], ["T0001", self.canteen.name, "中国银行吉林分行 6217 0000 1111 2222"])
        self.assertEqual(first[1].date(), self.day)
        self.assertEqual((first[5], first[6], first[9], first[10]), (1, 100.0, 0.6, 99.4))
        self.assertEqual(first[11], "Posted")
        canteen_total = body[2]
        # 2,550 fen × 0.60 % = 15.3 fen: 15 fen
        self.assertEqual((canteen_total[5], canteen_total[6]), (2, 125.5))
        self.assertAlmostEqual(canteen_total[9], 0.75, places=2)
        self.assertAlmostEqual(canteen_total[10], 124.75, places=2)
        grand = body[5]
        self.assertEqual(grand[5], 3)
        self.assertAlmostEqual(grand[6], 127.5, places=2)
        self.assertAlmostEqual(grand[10], 124.75 + 1.99, places=2)

    def test_one_merchant_and_supervisor(self):
        _wizard, rows = self.export(self.supervisor, merchant_ids=[(6, 0, self.bus.ids)])
        self.assertEqual([row[0] for row in rows[1:]][-2:], [f"Total {self.bus.name}", "Grand Total"])
        self.assertEqual(len(rows), 4)

    def test_access_and_dates(self):
        with self.assertRaises(AccessError):
            self.env["city.card.settlement.export"].with_user(self.operator).create(
                {"date_from": self.day, "date_to": self.next_day}
            )
        with self.assertRaises(ValidationError):
            self.env["city.card.settlement.export"].with_user(self.card_manager).create(
                {"date_from": self.next_day, "date_to": self.day}
            )
