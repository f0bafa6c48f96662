import base64
import io

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.city_base.tools.dates import CITY_TZ, city_today


class CityElderlySubsidyReport(models.TransientModel):
    """Subsidy spending per month, community and provider, as an Excel file."""

    _name = "city.elderly.subsidy.report"
    _description = "Elderly Subsidy Spending Report"

    month_from = fields.Date(string="From Month", required=True, default=lambda self: city_today().replace(day=1))
    month_to = fields.Date(string="To Month", required=True, default=lambda self: city_today().replace(day=1))
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.constrains("month_from", "month_to")
    def _check_months(self):
        for wizard in self:
            if wizard.month_to < wizard.month_from:
                raise UserError(self.env._("The last month of the report comes before its first month."))

    def _rows(self):
        """``[(month, community_id, provider_id, spent_fen, orders)]``: net voucher spending (spend − refund)."""
        self.ensure_one()
        Move = self.env["city.elderly.voucher.move"]
        Move.check_access("read")
        Move.flush_model()
        Order = self.env["city.elderly.order"]
        Order.flush_model()
        start = self.month_from.replace(day=1)
        end = self.month_to.replace(day=1) + relativedelta(months=1)
        # the order's provider (city.elderly.order.provider_id) once the orders have one
        provider = SQL("o.provider_id") if "provider_id" in Order._fields else SQL("NULL::int")
        query = SQL(
            """SELECT date_trunc('month', m.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS month,
                       m.community_id, %(provider)s AS provider_id,
                       -sum(m.amount_fen) AS spent_fen, count(DISTINCT m.order_id) AS orders
                  FROM city_elderly_voucher_move m
                  LEFT JOIN city_elderly_order o ON o.id = m.order_id
                 WHERE m.kind IN ('spend', 'refund') AND m.order_id IS NOT NULL
                   AND m.date >= (%(start)s::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
                   AND m.date < (%(end)s::timestamp AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
                 GROUP BY 1, 2, 3
                 ORDER BY 1, 2, 3""",
            provider=provider,
            tz=CITY_TZ,
            start=start,
            end=end,
        )
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    def _xlsx(self, rows):
        communities = {d.id: d.display_name for d in self.env["city.division"].browse({r[1] for r in rows if r[1]})}
        providers = {}
        if "city.elderly.provider" in self.env:
            providers = {
                p.id: p.display_name for p in self.env["city.elderly.provider"].browse({r[2] for r in rows if r[2]})
            }
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet(self.env._("Subsidy Spending"))
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
        headers = [
            self.env._("Month"),
            self.env._("Community"),
            self.env._("Provider"),
            self.env._("Orders"),
            self.env._("Voucher Amount Spent (yuan)"),
        ]
        for col, header in enumerate(headers):
            sheet.write(0, col, header, bold)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 2, 28)
        sheet.set_column(3, 3, 8)
        sheet.set_column(4, 4, 20)
        total = 0
        for line, (month, community_id, provider_id, spent_fen, orders) in enumerate(rows, start=1):
            sheet.write(line, 0, month.strftime("%Y-%m"))
            sheet.write(line, 1, communities.get(community_id, ""))
            sheet.write(line, 2, providers.get(provider_id, ""))
            sheet.write_number(line, 3, orders)
            sheet.write_number(line, 4, spent_fen / 100.0, money)
            total += spent_fen
        sheet.write(len(rows) + 1, 0, self.env._("Total"), bold)
        sheet.write_number(len(rows) + 1, 4, total / 100.0, money_bold)
        book.close()
        return output.getvalue()

    def action_export(self):
        self.ensure_one()
        data = self._xlsx(self._rows())
        self.write(
            {
                "file_data": base64.b64encode(data),
                "file_name": "subsidy-spending-{}-{}.xlsx".format(
                    self.month_from.strftime("%Y%m"), self.month_to.strftime("%Y%m")
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{self.file_name}?download=true",
            "target": "self",
        }
