from odoo import fields, models


class CityRequestAnswer(models.Model):
    """The applicant's answer to one structured question of the item."""

    _name = "city.request.answer"
    _description = "Request Answer"
    _order = "sequence, id"

    request_id = fields.Many2one("city.request", required=True, ondelete="cascade", index=True)
    question_id = fields.Many2one("city.service.question", required=True, ondelete="restrict")
    sequence = fields.Integer(related="question_id.sequence", store=True)
    question = fields.Char(related="question_id.name", string="Question Text")
    value = fields.Text(string="Answer")

    _sql_constraints = [
        ("question_unique", "unique(request_id, question_id)", "A question is answered once per request."),
    ]
