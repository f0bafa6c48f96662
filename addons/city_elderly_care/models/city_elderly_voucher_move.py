from odoo import api, fields, models
from odoo.exceptions import UserError

from .city_elderly_voucher import LEDGER


class CityElderlyVoucherMove(models.Model):
    """One line of the voucher ledger (append-only): issue +, spend −, refund +, expire −."""

    _name = "city.elderly.voucher.move"
    _description = "Elderly Voucher Ledger Move"
    _order = "date desc, id desc"

    voucher_id = fields.Many2one("city.elderly.voucher", required=True, readonly=True, index=True, ondelete="restrict")
    recipient_id = fields.Many2one(
        "city.care.recipient", string="Elder", required=True, readonly=True, index=True, ondelete="restrict"
    )
    community_id = fields.Many2one("city.division", readonly=True, index=True, help="The elder's community then.")
    policy_id = fields.Many2one(related="voucher_id.policy_id", string="Subsidy Policy")
    order_id = fields.Many2one(
        "city.elderly.order", string="Service Order", readonly=True, index=True, ondelete="restrict"
    )
    kind = fields.Selection(
        [("issue", "Issue"), ("spend", "Spend"), ("refund", "Refund"), ("expire", "Expiry")],
        required=True,
        readonly=True,
        index=True,
    )
    amount_fen = fields.Integer(string="Amount (fen)", required=True, readonly=True)
    amount = fields.Float(compute="_compute_amount", store=True, digits=(12, 2))
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)

    @api.depends("amount_fen")
    def _compute_amount(self):
        for move in self:
            move.amount = move.amount_fen / 100.0

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(LEDGER):
            raise UserError(self.env._("Ledger moves are written by the voucher ledger only."))
        vouchers = self.env["city.elderly.voucher"].browse([vals["voucher_id"] for vals in vals_list])
        for vals, voucher in zip(vals_list, vouchers, strict=True):
            vals.setdefault("recipient_id", voucher.recipient_id.id)
            vals.setdefault("community_id", voucher.recipient_id.community_id.id)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get(LEDGER):
            raise UserError(self.env._("Ledger moves cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Ledger moves cannot be deleted."))
