from odoo import fields, models


class CityTradingType(models.Model):
    """A kind of public resource trading (工程建设招标, 政府采购, 土地使用权出让, 国有产权转让)."""

    _name = "city.trading.type"
    _description = "Trading Type"
    _order = "sequence, id"

    name = fields.Char(required=True)
    code = fields.Selection(
        [
            ("construction", "Construction Tendering"),
            ("procurement", "Government Procurement"),
            ("land", "Land-Use Rights"),
            ("property", "State Property Transfer"),
        ],
        required=True,
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    rule_ids = fields.One2many("city.trading.rule", "type_id", string="Rule Versions")

    _sql_constraints = [("code_unique", "unique(code)", "There is one trading type per code.")]
