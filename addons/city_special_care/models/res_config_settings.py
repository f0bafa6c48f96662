from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    care_ack_escalation_seconds = fields.Integer(
        string="Escalate Unacknowledged Alarms After (s)",
        config_parameter="city_special_care.ack_escalation_seconds",
        default=60,
    )
    care_arrival_timeout_minutes = fields.Integer(
        string="Re-fire When Arrival Not Confirmed After (min)",
        config_parameter="city_special_care.arrival_timeout_minutes",
        default=30,
    )
    care_follow_up_hours = fields.Integer(
        string="Follow-up Visit After SOS or Fall Within (h)",
        config_parameter="city_special_care.follow_up_hours",
        default=48,
    )
    care_visit_escalate_days = fields.Integer(
        string="Escalate Overdue Visits After (days)",
        config_parameter="city_special_care.visit_escalate_days",
        default=3,
    )
