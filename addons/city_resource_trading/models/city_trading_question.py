from odoo import api, fields, models
from odoo.exceptions import UserError


class CityTradingQuestion(models.Model):
    """A clarification question (答疑). The asker is known only to the platform auditor."""

    _name = "city.trading.question"
    _description = "Clarification Question"
    _order = "procedure_id, asked_at desc, id desc"
    _rec_name = "question"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    question = fields.Text(required=True, readonly=True)
    answer = fields.Text()
    asked_at = fields.Datetime(default=fields.Datetime.now, readonly=True, required=True)
    answered_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("asked", "Asked"), ("answered", "Answered")], default="asked", required=True, readonly=True
    )
    is_public = fields.Boolean(compute="_compute_is_public", store=True, index=True)
    asker_partner_id = fields.Many2one(
        "res.partner",
        string="Asked by (organisation)",
        readonly=True,
        groups="city_resource_trading.group_city_resource_trading_auditor",
    )
    asker_user_id = fields.Many2one(
        "res.users",
        string="Asked by (user)",
        readonly=True,
        groups="city_resource_trading.group_city_resource_trading_auditor",
    )

    @api.depends("state")
    def _compute_is_public(self):
        for question in self:
            question.is_public = question.state == "answered"

    def write(self, vals):
        if "answer" in vals and any(question.state == "answered" for question in self):
            raise UserError(self.env._("A published answer is not changed; publish an amendment instead."))
        return super().write(vals)

    def action_answer(self):
        """Publish the answer to everyone (the asker stays anonymous)."""
        self.check_access("write")
        for question in self:
            if question.state != "asked":
                raise UserError(self.env._("This question was already answered."))
            if not (question.answer or "").strip():
                raise UserError(self.env._("Write the answer first."))
            super(CityTradingQuestion, question).write({"state": "answered", "answered_at": fields.Datetime.now()})
            question.procedure_id._audit("answer", {"question": question.id})
        return True
