import base64
import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# (field of city.request.report, aggregate, column label)
MEASURES = [
    ("__count", None, _lt("Received")),
    ("one_stop_rate", "avg", _lt("Accepted One-stop (%)")),
    ("on_time_rate", "avg", _lt("On-time Completion (%)")),
    ("satisfaction_rate", "avg", _lt("Satisfaction (%)")),
    ("reply_work_hours", "avg", _lt("Average Working Hours to Reply")),
    ("reopen_rate", "avg", _lt("Reopened (%)")),
]


class CityScorecardExportWizard(models.TransientModel):
    """Scorecards per department and per community for a period, as an xlsx workbook."""

    _name = "city.scorecard.export.wizard"
    _description = "Export Scorecards"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.context_today(self).replace(day=1))
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period starts after it ends."))

    def _rows(self, groupby):
        """Scorecard rows grouped by ``groupby`` for the period, with the user's record rules."""
        start = fields.Datetime.to_datetime(self.date_from)
        end = fields.Datetime.to_datetime(fields.Date.add(self.date_to, days=1))
        aggregates = [name if not agg else f"{name}:{agg}" for name, agg, _label in MEASURES]
        groups = self.env["city.request.report"]._read_group(
            [("submit_date", ">=", start), ("submit_date", "<", end)], [groupby], aggregates, order=f"{groupby} asc"
        )
        rows = []
        for group in groups:
            record, *values = group
            rows.append([record.display_name or self.env._("(none)"), *(round(v or 0, 1) for v in values)])
        return rows

    def _workbook(self):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        title = workbook.add_format({"bold": True, "font_size": 14})
        head = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        cell = workbook.add_format({"border": 1})
        number = workbook.add_format({"border": 1, "num_format": "0.0"})
        period = self.env._("Period: %(start)s to %(end)s", start=self.date_from, end=self.date_to)
        for groupby, sheet_name in (
            ("department_id", self.env._("Departments")),
            ("community_id", self.env._("Communities")),
        ):
            sheet = workbook.add_worksheet(sheet_name)
            sheet.write(0, 0, self.env._("Community Service Scorecard"), title)
            sheet.write(1, 0, period)
            labels = [sheet_name] + [label._translate(self.env.lang) for _name, _agg, label in MEASURES]
            for column, label in enumerate(labels):
                sheet.write(3, column, label, head)
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, len(labels) - 1, 16)
            for index, row in enumerate(self._rows(groupby), start=4):
                sheet.write(index, 0, row[0], cell)
                for column, value in enumerate(row[1:], start=1):
                    sheet.write_number(index, column, value, number)
        workbook.close()
        return output.getvalue()

    def action_export(self):
        self.ensure_one()
        self.write(
            {
                "file": base64.b64encode(self._workbook()),
                "filename": f"scorecard_{self.date_from}_{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file&filename_field=filename&download=true",
            "target": "self",
        }
