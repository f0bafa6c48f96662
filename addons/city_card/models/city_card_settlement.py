from odoo import fields, models


class CityCardSettlement(models.Model):
    """A daily settlement batch of one merchant: payments − refunds − fees, out of clearing."""

    _name = "city.card.settlement"
    _description = "Merchant Settlement"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True, default="/")
    merchant_id = fields.Many2one("city.card.merchant", required=True, readonly=True, ondelete="restrict", index=True)
    date = fields.Date(string="Business Day", required=True, readonly=True, index=True)
    cutoff_at = fields.Datetime(string="Cut-off", required=True, readonly=True)
    payment_count = fields.Integer(readonly=True)
    payment_amount = fields.Integer(readonly=True, help="Fen.")
    refund_count = fields.Integer(readonly=True)
    refund_amount = fields.Integer(readonly=True, help="Fen.")
    fee_amount = fields.Integer(readonly=True, help="Fen.")
    net_amount = fields.Integer(readonly=True, help="Fen paid to the merchant: payments − refunds − fees.")
    state = fields.Selection(
        [("posted", "Posted"), ("paid", "Paid")], default="posted", required=True, readonly=True, tracking=True
    )
    operation_id = fields.Many2one("city.card.operation", string="Settlement Posting", readonly=True,
                                   ondelete="restrict")
    payout_operation_id = fields.Many2one("city.card.operation", string="Payout Posting", readonly=True,
                                          ondelete="restrict")
    settled_operation_ids = fields.One2many("city.card.operation", "settlement_id", string="Settled Operations")

    _sql_constraints = [
        ("merchant_day_unique", "unique(merchant_id, date)", "A merchant is settled once per business day."),
    ]
