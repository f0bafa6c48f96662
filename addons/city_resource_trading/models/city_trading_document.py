import base64

from odoo import fields, models
from odoo.exceptions import UserError


class CityTradingDocument(models.Model):
    """A tender document of a procedure; its file is handed only to registered bidders."""

    _name = "city.trading.document"
    _description = "Tender Document"
    _order = "procedure_id, sequence, id"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    datas = fields.Binary(
        "File",
        attachment=True,
        required=True,
        groups="city_resource_trading.group_city_resource_trading_officer,"
        "city_resource_trading.group_city_resource_trading_supervisor",
    )
    filename = fields.Char()
    download_count = fields.Integer(compute="_compute_download_count")

    def _compute_download_count(self):
        counts = dict(
            self.env["city.trading.download"]._read_group(
                [("document_id", "in", self.ids)], ["document_id"], ["__count"]
            )
        )
        for document in self:
            document.download_count = counts.get(document, 0)

    def write(self, vals):
        if "datas" in vals and any(document.procedure_id.state != "draft" for document in self):
            raise UserError(self.env._("A published tender document is changed only through an amendment."))
        return super().write(vals)

    def _download(self, ip=None):
        """The file for a registered bidder (``(filename, bytes)``); the download is logged."""
        self.ensure_one()
        self.check_access("read")
        self.procedure_id._check_registered()
        document_sudo = self.sudo()
        self.env["city.trading.download"].sudo().create(
            {
                "document_id": self.id,
                "partner_id": self.env.user.commercial_partner_id.id,
                "user_id": self.env.user.id,
                "ip": ip,
            }
        )
        self.procedure_id._audit("download", {"document": self.id, "ip": ip})
        return document_sudo.filename or document_sudo.name, base64.b64decode(document_sudo.datas or b"")
