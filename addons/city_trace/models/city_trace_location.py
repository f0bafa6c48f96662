from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityTraceLocation(models.Model):
    """A place where products are made, stored, handled or sold (EPCIS read point / business location)."""

    _name = "city.trace.location"
    _description = "Traceability Location"
    _inherit = ["mail.thread"]
    _order = "partner_id, name"

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner", string="Enterprise", required=True, index=True, domain=[("trace_enterprise", "=", True)]
    )
    gln = fields.Char(string="GLN", tracking=True)
    address = fields.Char()
    division_id = fields.Many2one("city.division", index=True)
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    active = fields.Boolean(default=True)

    _sql_constraints = [("gln_unique", "unique(gln)", "A GLN identifies one location.")]

    @api.constrains("gln")
    def _check_gln(self):
        for location in self.filtered("gln"):
            self.env["res.partner"]._trace_check_gln(location.gln)

    @api.constrains("latitude", "longitude")
    def _check_coordinates(self):
        for location in self:
            if not (-90 <= location.latitude <= 90 and -180 <= location.longitude <= 180):
                raise ValidationError(self.env._("Latitude or longitude out of range."))

    def write(self, vals):
        # places are named on the steps and as origins on the public pages
        self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().write(vals)

    def unlink(self):
        self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().unlink()
