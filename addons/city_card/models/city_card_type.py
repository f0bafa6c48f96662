from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityCardType(models.Model):
    """A card type (standard, senior, student, disabled) with its transit fare rule."""

    _name = "city.card.type"
    _description = "Card Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fare_percent = fields.Integer(
        string="Transit Fare (%)",
        default=100,
        required=True,
        help="Share of the full transit fare this card type pays: 100 pays the full fare, 50 half, 0 rides free.",
    )
    min_age = fields.Integer(string="Minimum Age", help="Holders must be at least this old (0: no limit).")
    max_age = fields.Integer(string="Maximum Age", help="Holders must be at most this old (0: no limit).")
    function_ids = fields.Many2many(
        "city.card.function", string="Default Functions", help="Functions enabled on new cards of this type."
    )
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A card type code must be unique."),
        ("fare_percent_range", "CHECK(fare_percent BETWEEN 0 AND 100)", "The transit fare share is 0 to 100 %."),
    ]

    @api.constrains("min_age", "max_age")
    def _check_ages(self):
        for card_type in self:
            if card_type.min_age < 0 or card_type.max_age < 0:
                raise ValidationError(self.env._("Ages cannot be negative."))
            if card_type.max_age and card_type.min_age > card_type.max_age:
                raise ValidationError(self.env._("The minimum age is above the maximum age."))

    def _fare(self, full_fare):
        """The fare this type pays for ``full_fare`` fen (rounded down to whole fen)."""
        self.ensure_one()
        return full_fare * self.fare_percent // 100
