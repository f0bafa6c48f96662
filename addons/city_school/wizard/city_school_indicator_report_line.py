from odoo import api, fields, models

from .city_school_indicator_report import _rate


class CitySchoolIndicatorReportLine(models.TransientModel):
    _name = "city.school.indicator.report.line"
    _description = "School Indicators of a District"
    _order = "district_id"

    report_id = fields.Many2one("city.school.indicator.report", required=True, ondelete="cascade")
    district_id = fields.Many2one("city.division")
    school_count = fields.Integer(string="Schools")
    school_with_resources = fields.Integer(string="With Published Resources")
    school_rate = fields.Float(string="Schools (%)", compute="_compute_rates")
    teacher_count = fields.Integer(string="Teachers")
    active_teacher_count = fields.Integer(string="Active Teachers")
    teacher_rate = fields.Float(string="Active Teachers (%)", compute="_compute_rates")

    @api.depends("school_count", "school_with_resources", "teacher_count", "active_teacher_count")
    def _compute_rates(self):
        for line in self:
            line.school_rate = _rate(line.school_with_resources, line.school_count)
            line.teacher_rate = _rate(line.active_teacher_count, line.teacher_count)
