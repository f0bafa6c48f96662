from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .city_school import GRADES

VOLUMES = [("first", "First Volume"), ("second", "Second Volume"), ("single", "Single Volume")]


class CitySchoolChapter(models.Model):
    """A node of a textbook's table of contents (章节): units, chapters and lessons of one book,
    the book being a subject, grade, edition and volume."""

    _name = "city.school.chapter"
    _description = "Textbook Chapter"
    _parent_store = True
    _order = "subject_id, grade, edition_id, volume, parent_path, sequence, id"
    _rec_name = "complete_name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("city.school.chapter", index=True, ondelete="cascade")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("city.school.chapter", "parent_id", string="Sections")
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    subject_id = fields.Many2one("city.school.subject", required=True, index=True, ondelete="restrict")
    grade = fields.Selection(GRADES, required=True, index=True)
    edition_id = fields.Many2one("city.school.edition", required=True, index=True, ondelete="restrict")
    volume = fields.Selection(VOLUMES, required=True, default="first")
    active = fields.Boolean(default=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for chapter in self:
            if chapter.parent_id:
                chapter.complete_name = f"{chapter.parent_id.complete_name} / {chapter.name}"
            else:
                chapter.complete_name = chapter.name

    @api.constrains("parent_id", "subject_id", "grade", "edition_id", "volume")
    def _check_same_book(self):
        for chapter in self:
            parent = chapter.parent_id
            if parent and (
                parent.subject_id,
                parent.grade,
                parent.edition_id,
                parent.volume,
            ) != (chapter.subject_id, chapter.grade, chapter.edition_id, chapter.volume):
                raise ValidationError(
                    self.env._(
                        "Section %(name)s must belong to the same book (subject, grade, edition and volume) "
                        "as its chapter %(parent)s.",
                        name=chapter.name,
                        parent=parent.complete_name,
                    )
                )
        if self._has_cycle():
            raise ValidationError(self.env._("A chapter cannot contain itself."))
