from odoo import fields, models


class CityTradingExpertSpecialty(models.Model):
    """A specialty of the evaluation expert pool (评标专家专业), e.g. road engineering, procurement of IT goods."""

    _name = "city.trading.expert.specialty"
    _description = "Expert Specialty"
    _order = "code, name"

    name = fields.Char(required=True)
    code = fields.Char(required=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "The specialty code must be unique.")]
