from odoo import api, fields, models
from odoo.exceptions import ValidationError

DEVICE_TYPES = [("water", "Water Leak"), ("power", "Power"), ("gas", "Gas"), ("smoke", "Smoke")]


class CityAlarmDevice(models.Model):
    """A sensor registered to a building or household; its alarms open community requests."""

    _name = "city.alarm.device"
    _description = "Alarm Device"
    _inherit = ["mail.thread"]
    _order = "code"

    code = fields.Char(required=True, index=True, tracking=True, help="Serial number the device sends.")
    name = fields.Char(required=True)
    type = fields.Selection(DEVICE_TYPES, required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    building_id = fields.Many2one("city.building", required=True, index=True, tracking=True)
    household_id = fields.Many2one("city.household", tracking=True)
    division_id = fields.Many2one(related="building_id.grid_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Contact Resident")
    item_id = fields.Many2one(
        "city.service.item",
        string="Alarm Item",
        required=True,
        domain=[("is_alarm", "=", True)],
        help="The service item of the requests this device opens.",
    )
    burst_minutes = fields.Integer(
        default=60, help="Alarms of the same condition within this window join the open request."
    )
    last_event_date = fields.Datetime(readonly=True)
    event_count = fields.Integer(compute="_compute_event_count")
    request_ids = fields.One2many("city.request", "device_id", string="Requests")

    _sql_constraints = [("code_unique", "unique(code)", "A device code must be unique.")]

    def _compute_event_count(self):
        counts = dict(
            self.env["city.alarm.event"]._read_group([("device_id", "in", self.ids)], ["device_id"], ["__count"])
        )
        for device in self:
            device.event_count = counts.get(device, 0)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for device in self:
            device.display_name = f"{device.name} ({device.code})"

    @api.constrains("household_id", "building_id")
    def _check_household(self):
        for device in self:
            if device.household_id and device.household_id.building_id != device.building_id:
                raise ValidationError(self.env._("The household is not in the device's building."))

    @api.constrains("item_id")
    def _check_item(self):
        for device in self:
            if not device.item_id.is_alarm:
                raise ValidationError(self.env._("A device opens requests of an alarm item only."))

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_community.city_alarm_event_action")
        action["domain"] = [("device_id", "=", self.id)]
        return action
