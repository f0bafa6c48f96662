from odoo import api, fields, models

from .city_school_application import MATERIALS


class CitySchoolApplicationMaterial(models.Model):
    _name = "city.school.application.material"
    _description = "Application Material"
    _order = "application_id, id"

    application_id = fields.Many2one("city.school.application", required=True, index=True, ondelete="cascade")
    kind = fields.Selection(MATERIALS, required=True)
    kind_label = fields.Char(compute="_compute_kind_label")
    attachment = fields.Binary(attachment=True, copy=False)
    filename = fields.Char()
    verified = fields.Boolean(copy=False, help="Checked against the original by the reviewer.")
    note = fields.Char()

    _sql_constraints = [("kind_unique", "unique(application_id, kind)", "Each material is listed once.")]

    @api.depends("kind")
    @api.depends_context("lang")
    def _compute_kind_label(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for material in self:
            material.kind_label = labels.get(material.kind, "")
