from odoo import fields, models


class CityTradingBidFile(models.Model):
    """One file of a sealed bid: its digest in clear, its content only as AES-GCM ciphertext."""

    _name = "city.trading.bid.file"
    _description = "Sealed Bid File"
    _order = "bid_id, id"
    _rec_name = "filename"

    bid_id = fields.Many2one("city.trading.bid", required=True, ondelete="cascade", index=True)
    procedure_id = fields.Many2one(related="bid_id.procedure_id", store=True, index=True)
    filename = fields.Char(required=True, readonly=True)
    sha256 = fields.Char("SHA-256", required=True, readonly=True)
    size = fields.Integer(readonly=True)
    content = fields.Binary(
        "Sealed Content",
        attachment=False,
        readonly=True,
        groups="base.group_system",
        help="AES-GCM ciphertext; the key is derived only from the opening on.",
    )
