from odoo import fields, models


class CityRequest(models.Model):
    _inherit = "city.request"

    elderly_order_id = fields.Many2one(
        "city.elderly.order",
        string="Elderly Care Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The elderly-care service order this complaint is about.",
    )
    elderly_order_ref = fields.Char(
        string="Elderly Care Order Reference",
        related="elderly_order_id.name",
        related_sudo=True,
    )

    def action_view_elderly_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.elderly.order",
            "name": self.env._("Elderly Care Order"),
            "view_mode": "form",
            "res_id": self.elderly_order_id.id,
        }
