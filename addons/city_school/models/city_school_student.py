from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CitySchoolStudent(models.Model):
    _name = "city.school.student"
    _description = "Student"
    _inherit = ["mail.thread"]
    _order = "school_id, class_id, student_number, id"

    school_id = fields.Many2one("city.school", required=True, index=True, ondelete="restrict", tracking=True)
    class_id = fields.Many2one(
        "city.school.class",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        domain="[('school_id', '=', school_id)]",
    )
    grade = fields.Selection(related="class_id.grade", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Resident",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('is_resident', '=', True)]",
        tracking=True,
        help="The pupil as a resident of the city (with an 18-character resident ID).",
    )
    name = fields.Char(related="partner_id.name", store=True)
    resident_id_masked = fields.Char(related="partner_id.resident_id_masked", string="Resident ID")
    birth_date = fields.Date(related="partner_id.birth_date")
    gender = fields.Selection(related="partner_id.gender")
    guardian_partner_ids = fields.Many2many(
        "res.partner",
        "city_school_student_guardian_rel",
        "student_id",
        "partner_id",
        string="Guardians",
        help="Parents or guardians: with a portal login they see the child's growth records.",
    )
    student_number = fields.Char(required=True, tracking=True, copy=False)
    enrolled_on = fields.Date(tracking=True)
    portfolio_ids = fields.One2many("city.school.portfolio", "student_id", string="Portfolios")
    portfolio_count = fields.Integer(compute="_compute_portfolio_count")
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("number_unique", "unique(school_id, student_number)", "The student number is already used in this school."),
        ("partner_unique", "unique(partner_id, school_id)", "This child is already a student of the school."),
    ]

    @api.depends("portfolio_ids")
    def _compute_portfolio_count(self):
        for student in self:
            student.portfolio_count = len(student.portfolio_ids)

    @api.constrains("partner_id", "class_id", "school_id")
    def _check_student(self):
        for student in self:
            partner = student.partner_id.sudo()
            if not partner.is_resident or not partner.resident_id_number:
                raise ValidationError(
                    self.env._("Student %(name)s must be a registered resident with a resident ID.", name=partner.name)
                )
            if student.class_id and student.class_id.school_id != student.school_id:
                raise ValidationError(self.env._("The class belongs to another school."))

    def action_view_portfolios(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Portfolios"),
            "res_model": "city.school.portfolio",
            "view_mode": "list,form",
            "domain": [("student_id", "=", self.id)],
            "context": {"default_student_id": self.id},
        }
