from odoo import fields, models


class CityRequestExtensionWizard(models.TransientModel):
    _name = "city.request.extension.wizard"
    _description = "Request an Extension"

    request_id = fields.Many2one("city.request", required=True)
    days = fields.Integer(string="Working Days", default=5, required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.request_id.action_request_extension(self.days, self.reason)
        return {"type": "ir.actions.act_window_close"}
