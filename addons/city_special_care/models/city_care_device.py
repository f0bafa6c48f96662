from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..tools.imei import imei_error, normalize_imei

_lt = LazyTranslate(__name__)
IMEI_ERRORS = {
    "length": _lt("must have 15 digits"),
    "format": _lt("must contain digits only"),
    "check": _lt("has a wrong check digit"),
}


class CityCareDevice(models.Model):
    """A wearable terminal registered to a care recipient, known to the API by its IMEI."""

    _name = "city.care.device"
    _description = "Wearable Device"
    _inherit = ["mail.thread"]
    _order = "imei"
    _rec_name = "imei"

    imei = fields.Char(string="IMEI", required=True, index=True, tracking=True)
    model_id = fields.Many2one("city.care.device.model", required=True, tracking=True)
    sim_number = fields.Char(string="SIM Number", tracking=True, help="Phone number of the SIM card.")
    iccid = fields.Char(string="ICCID")
    recipient_id = fields.Many2one("city.care.recipient", string="Worn By", index=True, tracking=True)
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    state = fields.Selection(
        [("active", "In Use"), ("stock", "In Stock"), ("retired", "Retired")],
        default="stock",
        required=True,
        tracking=True,
    )
    is_online = fields.Boolean(string="Online", readonly=True)
    last_heartbeat_at = fields.Datetime(string="Last Heard", readonly=True)
    last_event_at = fields.Datetime(readonly=True)
    battery = fields.Integer(string="Battery (%)", readonly=True)
    offline_alarm_id = fields.Many2one("city.care.alarm", readonly=True)
    note = fields.Text()

    _sql_constraints = [("imei_unique", "unique(imei)", "A device with this IMEI is already registered.")]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("imei"):
                vals["imei"] = normalize_imei(vals["imei"])
            if vals.get("recipient_id") and "state" not in vals:
                vals["state"] = "active"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("imei"):
            vals = dict(vals, imei=normalize_imei(vals["imei"]))
        return super().write(vals)

    @api.constrains("imei")
    def _check_imei(self):
        for device in self:
            error = imei_error(device.imei)
            if error:
                raise ValidationError(
                    self.env._("The IMEI %(imei)s %(reason)s.", imei=device.imei, reason=str(IMEI_ERRORS[error]))
                )

    @api.constrains("state", "recipient_id")
    def _check_assignment(self):
        for device in self:
            if device.state == "active" and not device.recipient_id:
                raise ValidationError(self.env._("A device in use must be assigned to a recipient."))

    def action_retire(self):
        for device in self:
            if device.state == "retired":
                raise UserError(self.env._("The device is already retired."))
        self.write({"state": "retired", "recipient_id": False, "is_online": False})
        return True

    @api.model
    def _cron_offline(self):
        """Raise 'device offline' for devices in use that missed their heartbeat (per-model threshold)."""
        self.flush_model()
        self.env.cr.execute(
            """
            SELECT d.id FROM city_care_device d
              JOIN city_care_device_model m ON m.id = d.model_id
             WHERE d.state = 'active' AND d.recipient_id IS NOT NULL
               AND (d.is_online OR d.offline_alarm_id IS NULL)
               AND COALESCE(d.last_heartbeat_at, d.write_date)
                   < (now() at time zone 'utc') - make_interval(secs => m.offline_after)
            """
        )
        devices = self.browse([row[0] for row in self.env.cr.fetchall()])
        if devices:
            devices.write({"is_online": False})
            self.env["city.care.alarm"]._raise_offline(devices)
        return len(devices)
