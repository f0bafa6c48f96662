from odoo import api, fields, models
from odoo.exceptions import ValidationError

CANTEEN_PROVIDER_KINDS = ("meal", "station", "day_care")


class CityElderlyCanteen(models.Model):
    """A community canteen (老年助餐点) run by a provider: daily menus are ordered before its cut-off hour."""

    _name = "city.elderly.canteen"
    _description = "Elderly Canteen"
    _order = "name, id"

    name = fields.Char(required=True)
    provider_id = fields.Many2one(
        "city.elderly.provider",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("kind", "in", CANTEEN_PROVIDER_KINDS)],
    )
    division_id = fields.Many2one("city.division", index=True)
    address = fields.Char()
    delivery = fields.Boolean(string="Delivers", help="Meals can be delivered to the elder's home.")
    cutoff_hour = fields.Float(
        string="Cut-off Hour",
        default=10.0,
        help="Orders for a day's meals close at this hour (city time) on that day.",
    )
    daily_capacity = fields.Integer(help="Meals the kitchen serves per day and meal; 0 means no limit.")
    menu_ids = fields.One2many("city.elderly.menu", "canteen_id", string="Menus")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "cutoff_hour_range",
            "CHECK(cutoff_hour >= 0 AND cutoff_hour < 24)",
            "The cut-off hour must be within the day.",
        ),
        ("daily_capacity_positive", "CHECK(daily_capacity >= 0)", "The daily capacity cannot be negative."),
    ]

    @api.constrains("provider_id")
    def _check_provider_id(self):
        for canteen in self:
            if canteen.provider_id.kind not in CANTEEN_PROVIDER_KINDS:
                raise ValidationError(
                    self.env._(
                        "The canteen %(name)s must be run by a meal company, a service station or a day-care centre.",
                        name=canteen.name,
                    )
                )
