from odoo import fields, models


class CityRequestReasonWizard(models.TransientModel):
    """Asks for the reason of a refusal (不予受理), a send-back (退单) or a rejected send-back."""

    _name = "city.request.reason.wizard"
    _description = "Request Step with a Reason"

    request_ids = fields.Many2many("city.request", required=True)
    action = fields.Selection(
        [("refuse", "Refuse"), ("send_back", "Send Back"), ("reject_return", "Reject Send-back")], required=True
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        method = {
            "refuse": "action_refuse",
            "send_back": "action_send_back",
            "reject_return": "action_reject_return",
        }[self.action]
        getattr(self.request_ids, method)(self.reason)
        return {"type": "ir.actions.act_window_close"}
