from odoo import fields, models
from odoo.exceptions import UserError


class CityCardState(models.TransientModel):
    """Report lost, freeze, replace or cancel a card at the desk, with the reason."""

    _name = "city.card.state"
    _description = "Card Lifecycle Change"

    card_id = fields.Many2one("city.card", required=True)
    action = fields.Selection(
        [("lost", "Report Lost"), ("freeze", "Freeze"), ("replace", "Replace"), ("cancel", "Cancel and Refund")],
        required=True,
    )
    reason = fields.Char(required=True)
    desk_id = fields.Many2one(
        "city.card.desk",
        default=lambda self: self.env["city.card.desk"]._for_user(),
        help="Cancellation: the desk that pays the cash purse out.",
    )
    cash_balance_yuan = fields.Float(related="card_id.cash_balance_yuan")

    def action_confirm(self):
        self.ensure_one()
        card = self.card_id
        card.check_access("write")
        if self.action == "lost":
            card.action_report_lost(self.reason)
        elif self.action == "freeze":
            card.action_freeze(self.reason)
        elif self.action == "replace":
            new_card = card.action_replace(self.reason)
            return {
                "type": "ir.actions.act_window",
                "res_model": "city.card",
                "res_id": new_card.id,
                "view_mode": "form",
            }
        else:
            if card.cash_balance and not self.desk_id:
                raise UserError(self.env._("Choose the desk that pays out the cash purse."))
            card.action_cancel(desk=self.desk_id.sudo(), reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
