from odoo import api, fields, models


class CityElderlyStatementLine(models.Model):
    """A done service order on a provider's monthly statement (each order on one statement only)."""

    _name = "city.elderly.statement.line"
    _description = "Provider Statement Line"
    _order = "date, id"

    statement_id = fields.Many2one("city.elderly.statement", required=True, index=True, ondelete="cascade")
    provider_id = fields.Many2one(related="statement_id.provider_id", store=True, index=True)
    order_id = fields.Many2one("city.elderly.order", string="Service Order", required=True, ondelete="restrict")
    date = fields.Date(help="Day of the check-out (city time).")
    recipient_id = fields.Many2one("city.care.recipient", string="Elder", ondelete="restrict")
    service_id = fields.Many2one("city.elderly.service", ondelete="restrict")
    amount_fen = fields.Integer(string="Amount (fen)")
    voucher_fen = fields.Integer(string="Paid by Voucher (fen)")
    self_pay_fen = fields.Integer(string="Self-pay (fen)")
    amount = fields.Float(compute="_compute_yuan", digits=(12, 2))
    voucher_amount = fields.Float(string="Paid by Voucher", compute="_compute_yuan", digits=(12, 2))
    self_pay_amount = fields.Float(string="Self-pay", compute="_compute_yuan", digits=(12, 2))

    _sql_constraints = [
        ("order_unique", "unique(order_id)", "A service order belongs to one statement only."),
        (
            "payment_split",
            "CHECK(voucher_fen >= 0 AND self_pay_fen >= 0 AND voucher_fen + self_pay_fen = amount_fen)",
            "The amount is the voucher part plus the self-pay part.",
        ),
    ]

    @api.depends("amount_fen", "voucher_fen", "self_pay_fen")
    def _compute_yuan(self):
        for line in self:
            line.amount = line.amount_fen / 100
            line.voucher_amount = line.voucher_fen / 100
            line.self_pay_amount = line.self_pay_fen / 100

    @api.depends("order_id", "recipient_id", "service_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = line.order_id.sudo().name or ""
