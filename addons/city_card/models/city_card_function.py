from odoo import fields, models


class CityCardFunction(models.Model):
    """A function a card can have enabled: social security, medical, transit, library, ..."""

    _name = "city.card.function"
    _description = "Card Function"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable code used by terminals and the API.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "A card function code must be unique.")]
