from odoo import fields, models

from ..models.city_request import SATISFACTION


class CityRequestVisitWizard(models.TransientModel):
    """A worker records the return visit (回访) made by phone or in person."""

    _name = "city.request.visit.wizard"
    _description = "Record Return Visit"

    request_id = fields.Many2one("city.request", required=True)
    satisfaction = fields.Selection(SATISFACTION, required=True)
    channel = fields.Selection([("phone", "Phone"), ("visit", "In Person")], default="phone", required=True)
    comment = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        self.request_id.action_visit(self.satisfaction, self.channel, self.comment)
        return {"type": "ir.actions.act_window_close"}
