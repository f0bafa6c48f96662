from odoo import api, fields, models
from odoo.exceptions import UserError

RESULTS = [("pass", "Passed"), ("fail", "Failed")]


class CityTraceInspection(models.Model):
    """An inspection or laboratory test of a lot by the regulator or an accredited body."""

    _name = "city.trace.inspection"
    _description = "Lot Inspection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "inspection_date desc, id desc"

    name = fields.Char(string="Report Number", required=True, copy=False, tracking=True)
    lot_id = fields.Many2one("city.trace.lot", required=True, index=True, ondelete="restrict", tracking=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    category = fields.Selection(related="lot_id.category", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Inspected Enterprise",
        required=True,
        index=True,
        domain=[("trace_enterprise", "=", True)],
        tracking=True,
    )
    agency = fields.Char(string="Inspection Body", required=True, tracking=True)
    inspection_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    items = fields.Text(string="Test Items", required=True, help="What was tested, e.g. cadmium, pesticide residues.")
    result = fields.Selection(RESULTS, required=True, tracking=True)
    conclusion = fields.Text()
    report_file = fields.Binary(attachment=True)
    report_filename = fields.Char()
    published = fields.Boolean(default=True, tracking=True, help="Shown on the public scan page of the lot.")
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")], default="draft", required=True, tracking=True
    )

    _sql_constraints = [("name_unique", "unique(name)", "This report number already exists.")]

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id and not self.partner_id:
            self.partner_id = self.lot_id.partner_id

    @api.model_create_multi
    def create(self, vals_list):
        inspections = super().create(vals_list)
        self.env["city.trace.scan"]._page_touch(lot_ids=inspections.lot_id.ids)
        return inspections

    def write(self, vals):
        locked = set(vals) - {"published", "message_main_attachment_id"}
        if locked and self.filtered(lambda inspection: inspection.state == "confirmed"):
            raise UserError(self.env._("A confirmed inspection cannot be changed."))
        self.env["city.trace.scan"]._page_touch(lot_ids=self.lot_id.ids + [vals.get("lot_id")])
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if self.filtered(lambda inspection: inspection.state == "confirmed"):
            raise UserError(self.env._("A confirmed inspection cannot be deleted."))

    def unlink(self):
        self.env["city.trace.scan"]._page_touch(lot_ids=self.lot_id.ids)
        return super().unlink()

    def action_confirm(self):
        for inspection in self:
            if inspection.state != "draft":
                raise UserError(self.env._("Inspection %(name)s is already confirmed.", name=inspection.name))
        self.write({"state": "confirmed"})
        for inspection in self.filtered(lambda i: i.result == "fail"):
            inspection.lot_id.message_post(
                body=self.env._("Inspection %(name)s failed: %(items)s", name=inspection.name, items=inspection.items)
            )
        return True
