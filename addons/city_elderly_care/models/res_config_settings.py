from odoo import fields, models

from .city_care_alarm import DEFAULT_POSITION_MAX_AGE_HOURS
from .city_elderly_order import DEFAULT_MAX_DISTANCE_M, DEFAULT_SHORT_TOLERANCE_PERCENT


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    elderly_checkin_max_distance_m = fields.Integer(
        string="Check-in Distance Limit (m)",
        config_parameter="city_elderly_care.checkin_max_distance_m",
        default=DEFAULT_MAX_DISTANCE_M,
    )
    elderly_short_tolerance_percent = fields.Integer(
        string="Short Visit Tolerance (%)",
        config_parameter="city_elderly_care.short_tolerance_percent",
        default=DEFAULT_SHORT_TOLERANCE_PERCENT,
    )
    elderly_carer_position_max_age_hours = fields.Integer(
        string="Carer Position Valid For (h)",
        config_parameter="city_elderly_care.carer_position_max_age_hours",
        default=DEFAULT_POSITION_MAX_AGE_HOURS,
    )
