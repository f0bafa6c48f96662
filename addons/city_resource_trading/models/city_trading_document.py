from odoo import fields, models


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
