from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .city_school import GRADES, STAGE_GRADES


class CitySchoolClass(models.Model):
    _name = "city.school.class"
    _description = "School Class"
    _inherit = ["mail.thread"]
    _order = "school_id, year desc, grade, section, id"

    school_id = fields.Many2one("city.school", required=True, index=True, ondelete="restrict", tracking=True)
    grade = fields.Selection(GRADES, required=True, tracking=True)
    section = fields.Integer(required=True, default=1, help="The class number within the grade.")
    name = fields.Char(compute="_compute_name", store=True, readonly=False, required=True, precompute=True)
    year = fields.Integer(required=True, help="The school year starting in September of this year.")
    head_teacher_id = fields.Many2one(
        "city.school.teacher",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        domain="[('school_id', '=', school_id)]",
    )
    student_ids = fields.One2many("city.school.student", "class_id", string="Students")
    student_count = fields.Integer(compute="_compute_student_count")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("section_positive", "CHECK(section > 0)", "The class number must be positive."),
        ("class_unique", "unique(school_id, year, grade, section)", "This class already exists in the school."),
    ]

    @api.depends("grade", "section")
    def _compute_name(self):
        labels = dict(self._fields["grade"]._description_selection(self.env))
        for record in self:
            if record.grade and record.section:
                record.name = self.env._(
                    "%(grade)s Class %(section)s", grade=labels[record.grade], section=record.section
                )
            else:
                record.name = record.name or False

    def _compute_student_count(self):
        counts = dict(
            self.env["city.school.student"]._read_group([("class_id", "in", self.ids)], ["class_id"], ["__count"])
        )
        for record in self:
            record.student_count = counts.get(record, 0)

    @api.constrains("grade", "school_id", "head_teacher_id")
    def _check_grade(self):
        for record in self:
            if int(record.grade) not in STAGE_GRADES[record.school_id.stage]:
                raise ValidationError(
                    self.env._(
                        "%(school)s does not teach the grade of class %(name)s.",
                        school=record.school_id.name,
                        name=record.name,
                    )
                )
            if record.head_teacher_id and record.head_teacher_id.school_id != record.school_id:
                raise ValidationError(self.env._("The head teacher must teach at the class's school."))
