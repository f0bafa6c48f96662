from odoo import api, fields, models
from odoo.exceptions import ValidationError

QUESTION_TYPES = [
    ("char", "Short Text"),
    ("text", "Long Text"),
    ("integer", "Whole Number"),
    ("float", "Number"),
    ("date", "Date"),
    ("boolean", "Yes / No"),
    ("selection", "Choice"),
]


class CityServiceQuestion(models.Model):
    """A typed question the applicant answers when applying for a service item."""

    _name = "city.service.question"
    _description = "Service Item Question"
    _order = "sequence, id"

    item_id = fields.Many2one("city.service.item", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True)
    type = fields.Selection(QUESTION_TYPES, required=True, default="char")
    required = fields.Boolean()
    options = fields.Char(help="Choices of a 'Choice' question, separated by semicolons.")
    help_text = fields.Char()

    @api.constrains("type", "options")
    def _check_options(self):
        for question in self:
            if question.type == "selection" and len(question._option_list()) < 2:
                raise ValidationError(
                    self.env._("The choice question %(name)s needs at least two options.", name=question.name)
                )

    def _option_list(self):
        self.ensure_one()
        raw = (self.options or "").replace("；", ";")
        return [option.strip() for option in raw.split(";") if option.strip()]

    def _parse_answer(self, raw):
        """Validate the applicant's raw answer; return the text to store (False when empty)."""
        self.ensure_one()
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, "", False) and self.type != "boolean":
            if self.required:
                raise ValidationError(self.env._("Please answer: %(question)s", question=self.name))
            return False
        try:
            if self.type == "integer":
                return str(int(value))
            if self.type == "float":
                return str(float(value))
            if self.type == "date":
                return fields.Date.to_string(fields.Date.to_date(value))
        except (TypeError, ValueError) as error:
            raise ValidationError(
                self.env._(
                    "The answer to %(question)s is not a valid %(type)s.",
                    question=self.name,
                    type=dict(self._fields["type"]._description_selection(self.env))[self.type],
                )
            ) from error
        if self.type == "boolean":
            truthy = value in (True, 1) or (
                isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "是")
            )
            if self.required and not truthy:
                raise ValidationError(self.env._("Please confirm: %(question)s", question=self.name))
            return self.env._("Yes") if truthy else self.env._("No")
        if self.type == "selection":
            if value not in self._option_list():
                raise ValidationError(
                    self.env._("The answer to %(question)s must be one of the options.", question=self.name)
                )
            return value
        value = str(value)
        if len(value) > (10000 if self.type == "text" else 500):
            raise ValidationError(self.env._("The answer to %(question)s is too long.", question=self.name))
        return value
