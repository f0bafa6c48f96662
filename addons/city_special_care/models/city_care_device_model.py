from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityCareDeviceModel(models.Model):
    """A wearable model: what it can report and when it counts as offline."""

    _name = "city.care.device.model"
    _description = "Wearable Model"
    _order = "name"

    name = fields.Char(required=True)
    manufacturer = fields.Char()
    kind = fields.Selection(
        [("watch", "Watch"), ("pendant", "Pendant"), ("badge", "Badge"), ("bracelet", "Bracelet")],
        required=True,
        default="watch",
    )
    heartbeat_interval = fields.Integer(
        string="Heartbeat Interval (s)", required=True, default=300, help="How often the device reports it is alive."
    )
    offline_after = fields.Integer(
        string="Offline After (s)",
        required=True,
        default=900,
        help="Without any heartbeat for this long the device raises 'device offline'.",
    )
    low_battery_percent = fields.Integer(string="Low Battery (%)", default=15)
    has_fall_detection = fields.Boolean(default=True)
    has_vitals = fields.Boolean(string="Measures Vital Signs", default=True)
    has_location = fields.Boolean(string="Reports Location", default=True)
    device_ids = fields.One2many("city.care.device", "model_id", string="Devices")
    active = fields.Boolean(default=True)

    @api.constrains("heartbeat_interval", "offline_after", "low_battery_percent")
    def _check_intervals(self):
        for model in self:
            if model.heartbeat_interval < 10:
                raise ValidationError(self.env._("A heartbeat interval is at least 10 seconds."))
            if model.offline_after <= model.heartbeat_interval:
                raise ValidationError(self.env._("The offline threshold must be longer than the heartbeat interval."))
            if not 0 <= model.low_battery_percent <= 100:
                raise ValidationError(self.env._("The low-battery level is a percentage."))
