from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1


class CityTraceSerial(models.Model):
    """One serialised item: GTIN (01) + serial number (21)."""

    _name = "city.trace.serial"
    _description = "Serial Item"
    _inherit = ["city.trace.qr.mixin"]
    _order = "lot_id, name"

    name = fields.Char(string="Serial Number", required=True, index=True)
    lot_id = fields.Many2one("city.trace.lot", required=True, index=True, ondelete="cascade")
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    digital_link = fields.Char(compute="_compute_digital_link")

    _sql_constraints = [
        ("serial_product_unique", "unique(product_id, name)", "This serial number already exists for the product."),
    ]

    @api.depends("name", "lot_id.name", "product_id.gtin")
    def _compute_digital_link(self):
        domain = self.env["city.trace.product"]._digital_link_domain()
        for item in self:
            try:
                item.digital_link = gs1.build_digital_link(
                    domain, item.product_id.gtin or "", lot=item.lot_id.name, serial=item.name
                )
            except gs1.DigitalLinkError:
                item.digital_link = False

    @api.constrains("name")
    def _check_name(self):
        for item in self:
            if not gs1.is_valid_ai_text(item.name or ""):
                raise ValidationError(
                    self.env._("Serial number %(name)s: 1 to 20 letters, digits or GS1 symbols.", name=item.name)
                )

    # the public pages of a lot and of its serial items (city.trace.scan._page_touch)
    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        self.env["city.trace.scan"]._page_touch(lot_ids=items.lot_id.ids)
        return items

    def write(self, vals):
        self.env["city.trace.scan"]._page_touch(lot_ids=self.lot_id.ids + [vals.get("lot_id")])
        return super().write(vals)

    def unlink(self):
        self.env["city.trace.scan"]._page_touch(lot_ids=self.lot_id.ids)
        return super().unlink()
