import base64

from odoo import fields, models

from ..tools import sealing


class CityTradingBidFile(models.Model):
    """One file of a sealed bid: its digest in clear, its content only as sealed ciphertext."""

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
        help="Sealed (X25519 + AES-GCM) ciphertext; the key opening it is derived only from the opening on.",
    )

    def _aad(self):
        return f"{self.bid_id.reference}:{self.filename}".encode()

    def _unseal(self, private_key):
        self.ensure_one()
        return sealing.unseal(private_key, base64.b64decode(self.sudo().content or b""), self._aad())

    def _plaintext(self):
        """The decrypted file, for users who read the bid, once the procedure's key was released."""
        self.ensure_one()
        self.check_access("read")
        content = self._unseal(self.procedure_id.sudo()._bid_private_key())
        if sealing.sha256_hex(content) != self.sha256:
            raise sealing.SealError("hash mismatch")
        return content
