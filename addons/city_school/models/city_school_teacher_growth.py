from odoo import fields, models

from .city_school_portfolio_entry import LEVELS


class CitySchoolTeacherGrowth(models.Model):
    """A teacher's growth record: training hours, open and demonstration lessons, rewards, research."""

    _name = "city.school.teacher.growth"
    _description = "Teacher Growth Record"
    _order = "date desc, id desc"

    teacher_id = fields.Many2one("city.school.teacher", required=True, index=True, ondelete="cascade")
    school_id = fields.Many2one(related="teacher_id.school_id", store=True, index=True)
    kind = fields.Selection(
        [("training", "Training"), ("lesson", "Open Lesson"), ("reward", "Reward"), ("research", "Research")],
        required=True,
        default="training",
    )
    name = fields.Char(string="Title", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    hours = fields.Float(help="Training hours (学时) credited.")
    level = fields.Selection(LEVELS)
    note = fields.Text()

    _sql_constraints = [("hours_positive", "CHECK(hours >= 0)", "Training hours cannot be negative.")]
