from odoo import fields, models


class CityServiceMaterial(models.Model):
    """One entry of an item's required materials checklist (申请材料)."""

    _name = "city.service.material"
    _description = "Required Material"
    _order = "sequence, id"

    item_id = fields.Many2one("city.service.item", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    required = fields.Boolean(default=True)
    copies = fields.Integer(default=1)
    note = fields.Char()
