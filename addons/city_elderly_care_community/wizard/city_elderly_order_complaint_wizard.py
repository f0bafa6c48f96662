from odoo import api, fields, models
from odoo.exceptions import UserError


class CityElderlyOrderComplaintWizard(models.TransientModel):
    """A worker files a complaint about a service order as a community request for the elder."""

    _name = "city.elderly.order.complaint.wizard"
    _description = "Complain about an Elderly Care Service Order"

    order_id = fields.Many2one("city.elderly.order", required=True, readonly=True, ondelete="cascade")
    recipient_id = fields.Many2one(related="order_id.recipient_id")
    item_id = fields.Many2one(
        "city.service.item",
        string="Service Item",
        required=True,
        domain=[("is_alarm", "=", False)],
        default=lambda self: self.env["city.elderly.order"]._elderly_complaint_item(),
    )
    description = fields.Text(required=True, help="The elder reads this description in the portal.")

    @api.model_create_multi
    def create(self, vals_list):
        # The wizard shows the elder: only for an order the user may change.
        order_ids = [vals["order_id"] for vals in vals_list if vals.get("order_id")]
        self.env["city.elderly.order"].browse(order_ids).check_access("write")
        return super().create(vals_list)

    def action_confirm(self):
        self.ensure_one()
        if not (self.description or "").strip():
            raise UserError(self.env._("Describe what went wrong with the service."))
        self.env["city.elderly.order"]._elderly_complain(self.order_id, self.description, item=self.item_id)
        return {"type": "ir.actions.act_window_close"}
