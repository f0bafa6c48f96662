import base64
import datetime
import io

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

ACTIVE_DAYS = 30


class CitySchoolIndicatorReport(models.TransientModel):
    """Digital-resource indicators per district: schools with published resources, active teachers.

    A school counts when at least one published resource (``slide.slide``) belongs to it; a teacher
    is active when the teacher's user published a resource or opened one (``slide.slide.partner``)
    in the last 30 days before the report date.
    """

    _name = "city.school.indicator.report"
    _description = "School Digital Resource Indicators"

    date = fields.Date(string="As Of", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("city.school.indicator.report.line", "report_id", string="Districts")
    school_count = fields.Integer(compute="_compute_totals")
    school_with_resources = fields.Integer(compute="_compute_totals")
    school_rate = fields.Float(string="Schools with Resources (%)", compute="_compute_totals")
    teacher_count = fields.Integer(compute="_compute_totals")
    active_teacher_count = fields.Integer(string="Active Teachers", compute="_compute_totals")
    teacher_rate = fields.Float(string="Active Teachers (%)", compute="_compute_totals")
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.depends("line_ids")
    def _compute_totals(self):
        for report in self:
            lines = report.line_ids
            report.school_count = sum(lines.mapped("school_count"))
            report.school_with_resources = sum(lines.mapped("school_with_resources"))
            report.teacher_count = sum(lines.mapped("teacher_count"))
            report.active_teacher_count = sum(lines.mapped("active_teacher_count"))
            report.school_rate = _rate(report.school_with_resources, report.school_count)
            report.teacher_rate = _rate(report.active_teacher_count, report.teacher_count)

    def _rows(self):
        """[(district id, schools, schools with resources, teachers, active teachers)] for readable schools."""
        self.ensure_one()
        schools = self.env["city.school"].search([("active", "=", True)])
        teachers = self.env["city.school.teacher"].search([("school_id", "in", schools.ids)])
        since = datetime.datetime.combine(self.date, datetime.time.max) - datetime.timedelta(days=ACTIVE_DAYS)
        until = datetime.datetime.combine(self.date, datetime.time.max)
        self.env["slide.slide"].flush_model(["school_id", "is_published", "active", "date_published", "user_id"])
        self.env["slide.slide.partner"].flush_model(["partner_id", "write_date"])
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT school_id FROM slide_slide
                    WHERE school_id = ANY(%s) AND is_published AND active
                      AND (date_published IS NULL OR date_published <= %s)""",
                schools.ids,
                until,
            )
        )
        with_resources = {row[0] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """SELECT t.id FROM city_school_teacher t JOIN res_users u ON u.id = t.user_id
                    WHERE t.id = ANY(%(ids)s)
                      AND (EXISTS (SELECT 1 FROM slide_slide s
                                    WHERE s.user_id = u.id AND s.is_published
                                      AND s.date_published BETWEEN %(since)s AND %(until)s)
                           OR EXISTS (SELECT 1 FROM slide_slide_partner p
                                       WHERE p.partner_id = u.partner_id
                                         AND p.write_date BETWEEN %(since)s AND %(until)s))""",
                ids=teachers.ids,
                since=since,
                until=until,
            )
        )
        active = {row[0] for row in self.env.cr.fetchall()}
        per_district = {}
        for school in schools:
            row = per_district.setdefault(school.district_id.id, [0, 0, 0, 0])
            row[0] += 1
            row[1] += school.id in with_resources
        for teacher in teachers:
            row = per_district.setdefault(teacher.school_id.district_id.id, [0, 0, 0, 0])
            row[2] += 1
            row[3] += teacher.id in active
        return [(district, *counts) for district, counts in per_district.items()]

    def action_compute(self):
        self.ensure_one()
        self.line_ids = [(5, 0, 0)] + [
            (
                0,
                0,
                {
                    "district_id": district,
                    "school_count": schools,
                    "school_with_resources": with_resources,
                    "teacher_count": teachers,
                    "active_teacher_count": active,
                },
            )
            for district, schools, with_resources, teachers, active in self._rows()
        ]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _xlsx(self):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet(self.env._("Indicators"))
        bold = book.add_format({"bold": True})
        percent = book.add_format({"num_format": "0.0%"})
        headers = [
            self.env._("District"),
            self.env._("Schools"),
            self.env._("Schools with Published Resources"),
            self.env._("Schools with Resources (%)"),
            self.env._("Teachers"),
            self.env._("Active Teachers"),
            self.env._("Active Teachers (%)"),
        ]
        sheet.write_row(0, 0, headers, bold)
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 6, 16)
        lines = list(self.line_ids) + [None]
        for row, line in enumerate(lines, start=1):
            if line is None:
                values = (
                    self.env._("Total"),
                    self.school_count,
                    self.school_with_resources,
                    self.teacher_count,
                    self.active_teacher_count,
                )
                fmt = bold
            else:
                values = (
                    line.district_id.name or self.env._("No District"),
                    line.school_count,
                    line.school_with_resources,
                    line.teacher_count,
                    line.active_teacher_count,
                )
                fmt = None
            sheet.write(row, 0, values[0], fmt)
            sheet.write(row, 1, values[1])
            sheet.write(row, 2, values[2])
            sheet.write(row, 3, values[2] / values[1] if values[1] else 0, percent)
            sheet.write(row, 4, values[3])
            sheet.write(row, 5, values[4])
            sheet.write(row, 6, values[4] / values[3] if values[3] else 0, percent)
        sheet.write(len(lines) + 2, 0, self.env._("As of %(date)s", date=self.date))
        book.close()
        return output.getvalue()

    def action_export(self):
        self.ensure_one()
        if not self.line_ids:
            self.action_compute()
        self.write({"file_data": base64.b64encode(self._xlsx()), "file_name": f"school-indicators-{self.date}.xlsx"})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{self.file_name}?download=true",
            "target": "self",
        }


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0
