from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

LESSON_STATES = [
    ("school", "School Selection"),
    ("district", "District Selection"),
    ("city", "City Excellent Lesson"),
    ("rejected", "Not Selected"),
]
# the review level deciding in each state, and where a selection leads
LESSON_LEVEL = {"school": "district", "district": "city"}
LESSON_NEXT = {"school": "district", "district": "city"}


class CitySchoolExcellentLesson(models.Model):
    """一师一优课: a teacher's lesson nominated by the school, selected by the district, then by the city.

    A teacher has one nomination per book node: grade, subject, edition and chapter.
    """

    _name = "city.school.excellent.lesson"
    _description = "Excellent Lesson Nomination"
    _inherit = ["mail.thread"]
    _order = "year desc, id desc"

    name = fields.Char(related="slide_id.name")
    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    teacher_id = fields.Many2one("city.school.teacher", required=True, index=True, ondelete="restrict", tracking=True)
    school_id = fields.Many2one(related="teacher_id.school_id", store=True, index=True)
    slide_id = fields.Many2one(
        "slide.slide",
        string="Lesson Resource",
        required=True,
        ondelete="restrict",
        domain="[('library_teacher_id', '=', teacher_id), ('library_state', '=', 'published')]",
    )
    grade = fields.Selection(related="slide_id.school_grade", store=True)
    subject_id = fields.Many2one(related="slide_id.school_subject_id", store=True)
    edition_id = fields.Many2one(related="slide_id.school_edition_id", store=True)
    chapter_id = fields.Many2one(related="slide_id.school_chapter_id", store=True)
    state = fields.Selection(LESSON_STATES, default="school", required=True, readonly=True, tracking=True)
    reason = fields.Text(tracking=True)

    @api.constrains("teacher_id", "slide_id")
    def _check_one_per_node(self):
        for lesson in self:
            if not lesson.chapter_id:
                raise ValidationError(
                    self.env._("An excellent lesson is nominated for a chapter of a textbook; set the chapter.")
                )
            if lesson.slide_id.library_teacher_id != lesson.teacher_id:
                raise ValidationError(self.env._("The nominated lesson must be the teacher's own resource."))
            duplicate = self.search_count(
                [
                    ("id", "!=", lesson.id),
                    ("teacher_id", "=", lesson.teacher_id.id),
                    ("grade", "=", lesson.grade),
                    ("subject_id", "=", lesson.subject_id.id),
                    ("edition_id", "=", lesson.edition_id.id),
                    ("chapter_id", "=", lesson.chapter_id.id),
                ]
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "%(teacher)s already has a nomination for %(chapter)s; one lesson per teacher per grade, "
                        "subject, edition and chapter.",
                        teacher=lesson.teacher_id.name,
                        chapter=lesson.chapter_id.complete_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lessons = super().create(vals_list)
        Review = self.env["city.school.resource.review"]
        for lesson in lessons:
            Review._check_reviewer("school", lesson.school_id)
        return lessons

    def write(self, vals):
        if "state" in vals and not self.env.context.get("city_school_lesson_move"):
            raise UserError(self.env._("The selection status changes only through the selection steps."))
        return super().write(vals)

    def _lesson_decide(self, select, reason=False):
        Review = self.env["city.school.resource.review"]
        for lesson in self:
            lesson.check_access("read")
            level = LESSON_LEVEL.get(lesson.state)
            if not level:
                raise UserError(self.env._("The nomination of %(name)s is already decided.", name=lesson.display_name))
            Review._check_reviewer(level, lesson.school_id)
            values = {"state": LESSON_NEXT[lesson.state] if select else "rejected"}
            if reason:
                values["reason"] = reason
            lesson.sudo().with_context(city_school_lesson_move=True).write(values)
        return True

    def action_select(self):
        return self._lesson_decide(True)

    def action_reject(self):
        return self._lesson_decide(False)
