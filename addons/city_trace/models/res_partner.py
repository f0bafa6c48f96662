from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1

# What the public scan pages show of an enterprise.
PAGE_FIELDS = {"name", "uscc"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    trace_producer = fields.Boolean(string="Producer")
    trace_processor = fields.Boolean(string="Processor")
    trace_logistics = fields.Boolean(string="Logistics")
    trace_retailer = fields.Boolean(string="Retailer")
    trace_enterprise = fields.Boolean(
        compute="_compute_trace_enterprise", store=True, index=True, string="Traceability Enterprise"
    )
    gln = fields.Char(string="GLN", help="13-digit GS1 global location number of the enterprise (optional).")

    @api.depends("trace_producer", "trace_processor", "trace_logistics", "trace_retailer")
    def _compute_trace_enterprise(self):
        for partner in self:
            partner.trace_enterprise = (
                partner.trace_producer or partner.trace_processor or partner.trace_logistics or partner.trace_retailer
            )

    @api.constrains("trace_enterprise", "is_company", "uscc")
    def _check_trace_enterprise(self):
        for partner in self.filtered("trace_enterprise"):
            if not partner.is_company or not partner.uscc:
                raise ValidationError(
                    self.env._(
                        "%(name)s takes part in traceability: it must be a company with a unified social credit code.",
                        name=partner.name,
                    )
                )

    def write(self, vals):
        if PAGE_FIELDS.intersection(vals):
            # enterprises are named on the public pages of their products and lots
            self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().write(vals)

    @api.constrains("gln")
    def _check_gln(self):
        for partner in self.filtered("gln"):
            partner._trace_check_gln(partner.gln)

    @api.model
    def _trace_check_gln(self, gln):
        """Raise when ``gln`` is not a 13-digit GLN with its GS1 check digit (shared by partners and locations)."""
        if not gs1.is_valid_gln(gln):
            raise ValidationError(
                self.env._("%(gln)s is not a valid GLN (13 digits with the GS1 check digit).", gln=gln)
            )
