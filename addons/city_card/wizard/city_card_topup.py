import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.city_card_operation import fen, yuan


class CityCardTopup(models.TransientModel):
    """Top up a card's cash purse at a service desk (cash or bank transfer)."""

    _name = "city.card.topup"
    _description = "Card Top-up at the Desk"

    card_id = fields.Many2one("city.card", required=True, domain=[("state", "=", "active")])
    desk_id = fields.Many2one(
        "city.card.desk", required=True, default=lambda self: self.env["city.card.desk"]._for_user()
    )
    amount_yuan = fields.Float(string="Amount (CNY)", required=True, digits=(16, 2))
    method = fields.Selection([("cash", "Cash"), ("transfer", "Bank Transfer")], default="cash", required=True)
    reference = fields.Char(help="Bank transfer reference.")
    # One key per wizard: a double click or a resent form posts once.
    idempotency_key = fields.Char(default=lambda self: uuid.uuid4().hex, readonly=True)

    @api.constrains("amount_yuan")
    def _check_amount(self):
        for wizard in self:
            fen(self.env, wizard.amount_yuan)

    def action_confirm(self):
        self.ensure_one()
        self.card_id.check_access("write")
        if self.method == "transfer" and not self.reference:
            raise UserError(self.env._("A bank transfer needs its reference."))
        amount = fen(self.env, self.amount_yuan)
        operation, _response, _replayed = (
            self.env["city.card.operation"]
            .sudo()
            ._topup(
                self.card_id.sudo(),
                amount,
                channel="desk",
                desk=self.desk_id.sudo(),
                key=self.idempotency_key,
                scope=f"user:{self.env.uid}",
                note=dict(self._fields["method"]._description_selection(self.env))[self.method],
                external_ref=self.reference,
            )
        )
        self.card_id._audit("card.topup", {"amount": amount, "operation": operation.id, "desk": self.desk_id.code})
        self.card_id.message_post(
            body=self.env._("Topped up %(amount)s yuan at %(desk)s.", amount=yuan(amount), desk=self.desk_id.name)
        )
        return {"type": "ir.actions.act_window_close"}
