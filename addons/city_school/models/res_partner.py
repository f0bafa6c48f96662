from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    city_school_student_ids = fields.One2many("city.school.student", "partner_id", string="Enrolments")
    city_school_teacher_ids = fields.One2many("city.school.teacher", "partner_id", string="Teaching Posts")
    city_school_ward_ids = fields.Many2many(
        "city.school.student",
        "city_school_student_guardian_rel",
        "partner_id",
        "student_id",
        string="Children at School",
    )
