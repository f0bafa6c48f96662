from odoo import fields, models

from .city_elderly_order import COMPLAINT_ITEM_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    elderly_complaint_item_id = fields.Many2one(
        "city.service.item",
        string="Complaint Service Item",
        config_parameter=COMPLAINT_ITEM_PARAM,
        domain=[("is_alarm", "=", False)],
        help="Complaints about elderly-care orders become community requests of this service item.",
    )
