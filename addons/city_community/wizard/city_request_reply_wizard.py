from odoo import fields, models


class CityRequestReplyWizard(models.TransientModel):
    """办结: the department's reply to the resident, with attachments."""

    _name = "city.request.reply.wizard"
    _description = "Reply to Request"

    request_id = fields.Many2one("city.request", required=True)
    reply = fields.Html(required=True, sanitize=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")

    def action_confirm(self):
        self.ensure_one()
        self.request_id.action_reply(self.reply, self.attachment_ids)
        return {"type": "ir.actions.act_window_close"}
