from odoo import fields, models


class CityCardTerminalKey(models.TransientModel):
    """Shows a newly generated terminal key once; it is not stored in clear anywhere."""

    _name = "city.card.terminal.key"
    _description = "Terminal API Key"
    _transient_max_hours = 0.1

    terminal_id = fields.Many2one("city.card.terminal", required=True, readonly=True)
    key = fields.Char(readonly=True)
