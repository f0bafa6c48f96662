from odoo import fields, models


class CitySchoolEdition(models.Model):
    """A textbook edition (教材版本), e.g. the People's Education Press edition (人教版)."""

    _name = "city.school.edition"
    _description = "Textbook Edition"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "The edition code must be unique.")]
