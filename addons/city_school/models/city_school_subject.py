from odoo import fields, models


class CitySchoolSubject(models.Model):
    _name = "city.school.subject"
    _description = "School Subject"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    stage_primary = fields.Boolean(string="Primary School", default=True)
    stage_junior = fields.Boolean(string="Junior Middle School", default=True)
    stage_senior = fields.Boolean(string="Senior High School", default=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "The subject code must be unique.")]
