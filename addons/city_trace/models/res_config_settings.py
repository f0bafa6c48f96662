from odoo import fields, models

from .city_trace_consumer_report import DUTY_OFFICER_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    trace_report_duty_user_id = fields.Many2one(
        "res.users",
        string="Consumer Report Duty Officer",
        config_parameter=DUTY_OFFICER_PARAM,
        domain=lambda self: [("groups_id", "in", self.env.ref("city_trace.group_city_trace_user").id)],
        help="Gets a to-do for every report sent from a scan page; the trace managers are notified in any case.",
    )
