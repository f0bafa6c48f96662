import base64

from odoo import api, fields, models

from ..tools import labels


class CityTraceQrMixin(models.AbstractModel):
    """A QR code image of the record's GS1 Digital Link (products, lots, serial items)."""

    _name = "city.trace.qr.mixin"
    _description = "Digital Link QR Code"

    qr_image = fields.Binary(string="QR Code", compute="_compute_qr_image")

    @api.depends("digital_link")
    def _compute_qr_image(self):
        for record in self:
            record.qr_image = base64.b64encode(labels.qr_png(record.digital_link)) if record.digital_link else False
