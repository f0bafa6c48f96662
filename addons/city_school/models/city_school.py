from odoo import api, fields, models
from odoo.exceptions import ValidationError

STAGES = [("primary", "Primary School"), ("junior", "Junior Middle School"), ("senior", "Senior High School")]
GRADES = [
    ("1", "Grade 1"),
    ("2", "Grade 2"),
    ("3", "Grade 3"),
    ("4", "Grade 4"),
    ("5", "Grade 5"),
    ("6", "Grade 6"),
    ("7", "Grade 7"),
    ("8", "Grade 8"),
    ("9", "Grade 9"),
    ("10", "Grade 10"),
    ("11", "Grade 11"),
    ("12", "Grade 12"),
]
# Grades taught at each stage, and the entry grade of the stage (the one enrolment fills).
STAGE_GRADES = {"primary": range(1, 7), "junior": range(7, 10), "senior": range(10, 13)}
STAGE_ENTRY_GRADE = {"primary": "1", "junior": "7", "senior": "10"}


class CitySchool(models.Model):
    """A school of the city, placed in a division, serving the divisions of its school district (学区)."""

    _name = "city.school"
    _description = "School"
    _inherit = ["mail.thread"]
    _order = "stage, name, id"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True, help="The school's identification code (学校标识码).")
    stage = fields.Selection(STAGES, required=True, index=True, tracking=True)
    division_id = fields.Many2one(
        "city.division",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        help="Where the school is (normally its district or street).",
    )
    district_id = fields.Many2one(
        "city.division",
        compute="_compute_district_id",
        store=True,
        index=True,
        help="The district or county the school belongs to (for the indicators).",
    )
    district_division_ids = fields.Many2many(
        "city.division",
        "city_school_district_division_rel",
        "school_id",
        "division_id",
        string="School District",
        help="The divisions served by the school (学区): a child whose household or home is under one of "
        "them belongs to the school's district.",
    )
    principal_id = fields.Many2one("res.partner", ondelete="restrict", tracking=True, index="btree_not_null")
    phone = fields.Char()
    address = fields.Char()
    capacity_ids = fields.One2many("city.school.capacity", "school_id")
    class_ids = fields.One2many("city.school.class", "school_id", string="Classes")
    teacher_ids = fields.One2many("city.school.teacher", "school_id", string="Teachers")
    student_ids = fields.One2many("city.school.student", "school_id", string="Students")
    class_count = fields.Integer(compute="_compute_counts")
    teacher_count = fields.Integer(compute="_compute_counts")
    student_count = fields.Integer(compute="_compute_counts")
    user_ids = fields.Many2many(
        "res.users",
        "city_school_res_users_rel",
        "school_id",
        "user_id",
        string="Staff Users",
        help="Users who work for the school and see its records.",
    )
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [("code_unique", "unique(code)", "The school code must be unique.")]

    @api.depends("division_id.parent_path")
    def _compute_district_id(self):
        divisions = self.env["city.division"].sudo()
        for school in self:
            district = divisions
            if school.division_id:
                ids = [int(part) for part in school.division_id.sudo().parent_path.split("/") if part]
                district = divisions.browse(ids).filtered(lambda d: d.type == "district")[:1]
            school.district_id = district or school.division_id

    def _compute_counts(self):
        for field, model in (
            ("class_count", "city.school.class"),
            ("teacher_count", "city.school.teacher"),
            ("student_count", "city.school.student"),
        ):
            counts = dict(self.env[model]._read_group([("school_id", "in", self.ids)], ["school_id"], ["__count"]))
            for school in self:
                school[field] = counts.get(school, 0)

    @api.constrains("capacity_ids", "stage")
    def _check_capacity_grades(self):
        for school in self:
            grades = STAGE_GRADES[school.stage]
            wrong = school.capacity_ids.filtered(lambda line, grades=grades: int(line.grade) not in grades)
            if wrong:
                raise ValidationError(
                    self.env._("School %(school)s does not teach the grade of a capacity line.", school=school.name)
                )

    def _seats(self, year, grade=None):
        """Seats offered in ``year`` for ``grade`` (the stage's entry grade by default)."""
        self.ensure_one()
        grade = grade or STAGE_ENTRY_GRADE[self.stage]
        return sum(self.capacity_ids.filtered(lambda c: c.year == year and c.grade == grade).mapped("seats"))

    def _action_open(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("school_id", "=", self.id)],
            "context": {"default_school_id": self.id},
        }

    def action_view_classes(self):
        return self._action_open("city.school.class", self.env._("Classes"))

    def action_view_teachers(self):
        return self._action_open("city.school.teacher", self.env._("Teachers"))

    def action_view_students(self):
        return self._action_open("city.school.student", self.env._("Students"))
