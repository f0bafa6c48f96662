import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.city_card_operation import fen


class CityCardSubsidy(models.TransientModel):
    """Credit a subsidy (e.g. the monthly allowance of the 80+) to one or many cards."""

    _name = "city.card.subsidy"
    _description = "Card Subsidy Credit"

    card_ids = fields.Many2many("city.card", string="Cards", required=True, domain=[("state", "=", "active")])
    amount_yuan = fields.Float(string="Amount per Card (CNY)", required=True, digits=(16, 2))
    expires_on = fields.Date(required=True, help="Last day the subsidy can be spent.")
    name = fields.Char(string="Subsidy", required=True, help="e.g. 高龄津贴 2026年11月")
    batch_key = fields.Char(default=lambda self: uuid.uuid4().hex, readonly=True)

    @api.constrains("amount_yuan")
    def _check_amount(self):
        for wizard in self:
            fen(self.env, wizard.amount_yuan)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("city_card.group_city_card_manager"):
            raise UserError(self.env._("Only card managers credit subsidies."))
        amount = fen(self.env, self.amount_yuan)
        operations = self.env["city.card.operation"].sudo()
        for card in self.card_ids:
            operation, _response, _replayed = operations._credit_subsidy(
                card.sudo(),
                amount,
                self.expires_on,
                note=self.name,
                key=f"{self.batch_key}:{card.id}",
                scope=f"user:{self.env.uid}",
            )
            card._audit(
                "card.subsidy", {"amount": amount, "operation": operation.id, "expires_on": str(self.expires_on)}
            )
        return {"type": "ir.actions.act_window_close"}
