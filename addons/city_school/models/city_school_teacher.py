from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CitySchoolTeacher(models.Model):
    _name = "city.school.teacher"
    _description = "Teacher"
    _inherit = ["mail.thread"]
    _order = "school_id, name, id"

    school_id = fields.Many2one("city.school", required=True, index=True, ondelete="restrict", tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Resident",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('is_resident', '=', True)]",
        tracking=True,
    )
    name = fields.Char(related="partner_id.name", store=True)
    user_id = fields.Many2one(
        "res.users",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        help="The teacher's login: resources published or viewed by this user count as the teacher's activity.",
    )
    subject_ids = fields.Many2many("city.school.subject", string="Subjects")
    title = fields.Selection(
        [
            ("third", "Third-Grade Teacher"),
            ("second", "Second-Grade Teacher"),
            ("first", "First-Grade Teacher"),
            ("senior", "Senior Teacher"),
            ("professor", "Professor-Level Senior Teacher"),
        ],
        string="Professional Title",
        tracking=True,
    )
    phone = fields.Char(related="partner_id.mobile", string="Mobile")
    growth_ids = fields.One2many("city.school.teacher.growth", "teacher_id", string="Growth Records")
    training_hours = fields.Float(compute="_compute_growth", help="Training hours of the current calendar year.")
    lesson_count = fields.Integer(compute="_compute_growth", string="Open Lessons")
    reward_count = fields.Integer(compute="_compute_growth", string="Rewards")
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("partner_school_unique", "unique(partner_id, school_id)", "This person is already a teacher of the school."),
    ]

    @api.depends("growth_ids.kind", "growth_ids.hours", "growth_ids.date")
    def _compute_growth(self):
        year = fields.Date.context_today(self).year
        for teacher in self:
            records = teacher.growth_ids
            teacher.training_hours = sum(
                records.filtered(lambda r, year=year: r.kind == "training" and r.date.year == year).mapped("hours")
            )
            teacher.lesson_count = len(records.filtered(lambda r: r.kind == "lesson"))
            teacher.reward_count = len(records.filtered(lambda r: r.kind == "reward"))

    @api.constrains("partner_id")
    def _check_partner(self):
        for teacher in self:
            if not teacher.partner_id.is_resident:
                raise ValidationError(
                    self.env._("Teacher %(name)s must be a registered resident.", name=teacher.partner_id.name)
                )
