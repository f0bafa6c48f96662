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
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("partner_school_unique", "unique(partner_id, school_id)", "This person is already a teacher of the school."),
    ]

    @api.constrains("partner_id")
    def _check_partner(self):
        for teacher in self:
            if not teacher.partner_id.is_resident:
                raise ValidationError(
                    self.env._("Teacher %(name)s must be a registered resident.", name=teacher.partner_id.name)
                )
