import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# (label, width) of the columns; amounts are yuan with two decimals.
COLUMNS = [
    (_lt("Settlement No."), 18),
    (_lt("Business Day"), 12),
    (_lt("Merchant Code"), 12),
    (_lt("Merchant"), 28),
    (_lt("Bank Account"), 24),
    (_lt("Payment Count"), 10),
    (_lt("Payment Amount (CNY)"), 16),
    (_lt("Refund Count"), 10),
    (_lt("Refund Amount (CNY)"), 16),
    (_lt("Fee (CNY)"), 12),
    (_lt("Net (CNY)"), 16),
    (_lt("Status"), 10),
]
AMOUNT_COLUMNS = (6, 8, 9, 10)


class CityCardSettlementExport(models.TransientModel):
    """Settlements of a period as a spreadsheet: one row per settlement, a total per merchant and a
    grand total (amounts in yuan with two decimals)."""

    _name = "city.card.settlement.export"
    _description = "Settlement Export"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.subtract(fields.Date.context_today(self), days=30)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    merchant_ids = fields.Many2many("city.card.merchant", string="Merchants", help="All merchants when empty.")
    row_count = fields.Integer(string="Settlements", readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The period starts after it ends."))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "city.card.merchant" and context.get("active_ids"):
            values["merchant_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    def _settlements(self):
        """The settlements of the period the user may read, by merchant then day."""
        self.ensure_one()
        domain = [("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        if self.merchant_ids:
            domain.append(("merchant_id", "in", self.merchant_ids.ids))
        settlements = self.env["city.card.settlement"].search(domain)
        return settlements.sorted(lambda s: (s.merchant_id.code or "", s.date, s.id))

    def _workbook(self, settlements):
        env = self.env
        states = dict(settlements._fields["state"]._description_selection(env))
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        head = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        total_text = workbook.add_format({"bold": True, "top": 1})
        total_money = workbook.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet(env._("Settlements"))
        for column, (label, width) in enumerate(COLUMNS):
            sheet.set_column(column, column, width, money if column in AMOUNT_COLUMNS else None)
            sheet.write(0, column, label._translate(env.lang), head)
        row = 1
        grand = [0, 0, 0, 0, 0, 0]
        for merchant in settlements.merchant_id.sorted(lambda m: (m.code or "", m.id)):
            totals = [0, 0, 0, 0, 0, 0]
            for settlement in settlements.filtered(lambda s, merchant=merchant: s.merchant_id == merchant):
                figures = [
                    settlement.payment_count,
                    settlement.payment_amount,
                    settlement.refund_count,
                    settlement.refund_amount,
                    settlement.fee_amount,
                    settlement.net_amount,
                ]
                totals = [a + b for a, b in zip(totals, figures, strict=True)]
                sheet.write(row, 0, settlement.name)
                sheet.write_datetime(row, 1, fields.Datetime.to_datetime(settlement.date), date_format)
                sheet.write(row, 2, merchant.code)
                sheet.write(row, 3, merchant.name)
                sheet.write(row, 4, merchant.bank_account or "")
                self._write_figures(sheet, row, figures, None, money)
                sheet.write(row, 11, states.get(settlement.state, settlement.state))
                row += 1
            sheet.write(row, 0, env._("Total %(merchant)s", merchant=merchant.name), total_text)
            for column in (1, 4, 11):
                sheet.write_blank(row, column, None, total_text)
            sheet.write(row, 2, merchant.code, total_text)
            sheet.write(row, 3, merchant.name, total_text)
            self._write_figures(sheet, row, totals, total_text, total_money)
            grand = [a + b for a, b in zip(grand, totals, strict=True)]
            row += 1
        sheet.write(row, 0, env._("Grand Total"), total_text)
        for column in (1, 2, 3, 4, 11):
            sheet.write_blank(row, column, None, total_text)
        self._write_figures(sheet, row, grand, total_text, total_money)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row - 1, 1), len(COLUMNS) - 1)
        workbook.close()
        return output.getvalue()

    @staticmethod
    def _write_figures(sheet, row, figures, count_format, money_format):
        """Counts as integers, amounts (fen) as yuan."""
        payment_count, payment_amount, refund_count, refund_amount, fee, net = figures
        sheet.write_number(row, 5, payment_count, count_format)
        sheet.write_number(row, 6, payment_amount / 100, money_format)
        sheet.write_number(row, 7, refund_count, count_format)
        sheet.write_number(row, 8, refund_amount / 100, money_format)
        sheet.write_number(row, 9, fee / 100, money_format)
        sheet.write_number(row, 10, net / 100, money_format)

    def action_export(self):
        """Build the spreadsheet, keep it as an attachment of the wizard and download it."""
        self.ensure_one()
        settlements = self._settlements()
        data = self._workbook(settlements)
        self.row_count = len(settlements)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"settlements_{self.date_from}_{self.date_to}.xlsx",
                "raw": data,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
