from odoo import fields, models


class CityTradingCriterion(models.Model):
    """A technical evaluation item of a procedure (技术评分项) and its maximum points."""

    _name = "city.trading.criterion"
    _description = "Technical Criterion"
    _order = "procedure_id, sequence, id"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    max_points = fields.Float(required=True, digits=(16, 2))

    _sql_constraints = [("max_points_positive", "CHECK(max_points > 0)", "An item is worth more than 0 points.")]
