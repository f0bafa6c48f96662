from odoo import fields, models


class CityCardOutlet(models.Model):
    """A place of a merchant where terminals stand (a shop, a canteen, a bus depot)."""

    _name = "city.card.outlet"
    _description = "Merchant Outlet"
    _order = "merchant_id, name"

    name = fields.Char(required=True)
    merchant_id = fields.Many2one("city.card.merchant", required=True, ondelete="cascade", index=True)
    division_id = fields.Many2one("city.division", ondelete="restrict")
    address = fields.Char()
    active = fields.Boolean(default=True)
    terminal_ids = fields.One2many("city.card.terminal", "outlet_id", string="Terminals")
