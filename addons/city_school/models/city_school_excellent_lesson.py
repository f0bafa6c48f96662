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

    A teacher has one nomination per book node: grade, subject, edition and chapter (a chapter
    belongs to one book, so the chapter names the node). A nomination that was not selected leaves
    the node free for another lesson of the teacher.
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

    def init(self):
        result = super().init()
        # the rule of _check_node_free, also between two nominations saved at the same time
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS city_school_excellent_lesson_node_uniq
                ON city_school_excellent_lesson (teacher_id, chapter_id) WHERE state != 'rejected'"""
        )
        return result

    @api.constrains("teacher_id", "slide_id")
    def _check_nomination(self):
        for lesson in self:
            if not lesson.chapter_id:
                raise ValidationError(
                    self.env._("An excellent lesson is nominated for a chapter of a textbook; set the chapter.")
                )
            if lesson.slide_id.library_teacher_id != lesson.teacher_id:
                raise ValidationError(self.env._("The nominated lesson must be the teacher's own resource."))

    def _check_node_free(self, teacher, slide):
        """Refuse a nomination of ``slide`` for ``teacher`` when the teacher already has a live
        nomination for its chapter (checked before saving: the unique index refuses it anyway)."""
        if not teacher or not slide.school_chapter_id:
            return
        # every nomination of the teacher counts, also those the user may not read
        duplicate = self.sudo().search_count(
            [
                ("id", "not in", self.ids),
                ("state", "!=", "rejected"),
                ("teacher_id", "=", teacher.id),
                ("chapter_id", "=", slide.school_chapter_id.id),
            ]
        )
        if duplicate:
            raise ValidationError(
                self.env._(
                    "%(teacher)s already has a nomination for %(chapter)s; one lesson per teacher per grade, "
                    "subject, edition and chapter.",
                    teacher=teacher.name,
                    chapter=slide.school_chapter_id.complete_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        Teacher, Slide = self.env["city.school.teacher"], self.env["slide.slide"]
        for vals in vals_list:
            self._check_node_free(Teacher.browse(vals.get("teacher_id")), Slide.browse(vals.get("slide_id")))
        lessons = super().create(vals_list)
        Review = self.env["city.school.resource.review"]
        for lesson in lessons:
            Review._check_reviewer("school", lesson.school_id)
        return lessons

    def write(self, vals):
        if "state" in vals and not self.env.context.get("city_school_lesson_move"):
            raise UserError(self.env._("The selection status changes only through the selection steps."))
        if "teacher_id" in vals or "slide_id" in vals:
            Teacher, Slide = self.env["city.school.teacher"], self.env["slide.slide"]
            for lesson in self.filtered(lambda lesson: lesson.state != "rejected"):
                teacher = Teacher.browse(vals["teacher_id"]) if "teacher_id" in vals else lesson.teacher_id
                slide = Slide.browse(vals["slide_id"]) if "slide_id" in vals else lesson.slide_id
                lesson._check_node_free(teacher, slide)
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
