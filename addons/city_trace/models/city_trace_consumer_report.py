import datetime
import io
import re

from PIL import Image, ImageOps

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

DESCRIPTION_MAX = 2000
CONTACT_MAX = 100
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 1920
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Magic numbers of the accepted image types, checked before Pillow parses anything.
PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
# New reports from the public: the duty officer (settings) gets a to-do due in this many days.
DUTY_OFFICER_PARAM = "city_trace.report_duty_user_id"
REPORT_HANDLING_DAYS = 3
CONTACT_PATTERN = re.compile(r"^(\+?[0-9][0-9 \-]{4,19}|[^@\s]+@[^@\s]+\.[^@\s]+)$")


class CityTraceConsumerReport(models.Model):
    """A problem with a product reported by a member of the public from the scan page."""

    _name = "city.trace.consumer.report"
    _description = "Consumer Report"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    description = fields.Text(required=True, tracking=True)
    photo = fields.Image(attachment=True, max_width=PHOTO_MAX_SIDE, max_height=PHOTO_MAX_SIDE)
    contact = fields.Char(
        groups="city_trace.group_city_trace_user",
        help="Phone or e-mail the reporter chose to leave; read by traceability officers only.",
    )
    code = fields.Char(string="Scanned Code", readonly=True, help="Digital Link path of the code the reporter scanned.")
    product_id = fields.Many2one("city.trace.product", index=True, ondelete="restrict", tracking=True)
    lot_id = fields.Many2one("city.trace.lot", index=True, ondelete="restrict", tracking=True)
    serial_id = fields.Many2one("city.trace.serial", string="Serial Item", ondelete="restrict")
    partner_id = fields.Many2one(related="lot_id.partner_id", string="Producer", store=True, index=True)
    category = fields.Selection(related="product_id.category", store=True)
    recalled = fields.Boolean(related="lot_id.recalled", string="Lot Recalled")
    channel = fields.Selection(
        [("scan_page", "Scan Page"), ("backend", "Backend")], default="backend", required=True, readonly=True
    )
    state = fields.Selection(
        [("new", "New"), ("in_progress", "In Progress"), ("closed", "Closed")],
        default="new",
        required=True,
        tracking=True,
        group_expand=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Officer",
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("city_trace.group_city_trace_user").id)],
    )
    conclusion = fields.Text(tracking=True)
    confirmed_abnormal = fields.Boolean(
        tracking=True, help="The officer confirmed that the product is abnormal (counterfeit, spoiled, mislabelled...)."
    )
    closed_date = fields.Datetime(readonly=True)

    _sql_constraints = [("name_unique", "unique(name)", "This reference already exists.")]

    @api.constrains("description", "contact")
    def _check_lengths(self):
        for report in self.sudo():
            if len(report.description or "") > DESCRIPTION_MAX:
                raise ValidationError(
                    self.env._("The description is limited to %(max)s characters.", max=DESCRIPTION_MAX)
                )
            if len(report.contact or "") > CONTACT_MAX:
                raise ValidationError(self.env._("The contact is limited to %(max)s characters.", max=CONTACT_MAX))

    @api.constrains("lot_id", "product_id", "serial_id")
    def _check_code(self):
        for report in self:
            if report.lot_id and report.lot_id.product_id != report.product_id:
                raise ValidationError(self.env._("The lot of a report must be a lot of its product."))
            if report.serial_id and report.serial_id.lot_id != report.lot_id:
                raise ValidationError(self.env._("The serial item of a report must belong to its lot."))

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("city.trace.consumer.report") or "/"
        reports = super().create(vals_list)
        reports.filtered(lambda report: report.channel == "scan_page")._notify_new()
        return reports

    def _notify_new(self):
        """Tell the traceability platform about reports from the public.

        The trace managers are notified in their Odoo inbox (and by e-mail through the mail queue
        when they chose e-mail notifications); the duty officer of the settings, when there is one,
        gets a to-do activity with the legal handling time as deadline.
        """
        managers = (
            self.env.ref("city_trace.group_city_trace_manager")
            .sudo()
            .users.filtered(lambda user: user.active and not user.share)
        )
        duty = self._duty_officer()
        deadline = fields.Date.context_today(self) + datetime.timedelta(days=REPORT_HANDLING_DAYS)
        for report_sudo in self.sudo():
            report_sudo.message_post(
                body=self.env._(
                    "New consumer report %(name)s from the scan page: %(description)s",
                    name=report_sudo.name,
                    description=(report_sudo.description or "")[:200],
                ),
                partner_ids=managers.partner_id.ids,
                message_type="notification",
                subtype_xmlid="mail.mt_comment",
            )
            if duty:
                report_sudo.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=deadline,
                    summary=self.env._("Handle the consumer report"),
                    user_id=duty.id,
                )

    @api.model
    def _duty_officer(self):
        """The traceability officer who handles new consumer reports (settings), if any."""
        value = self.env["ir.config_parameter"].sudo().get_param(DUTY_OFFICER_PARAM)
        user = self.env["res.users"].sudo().browse(int(value) if str(value or "").isdigit() else 0).exists()
        if user and user.active and user.has_group("city_trace.group_city_trace_user"):
            return user
        return self.env["res.users"]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        for report in self:
            if report.state != "new":
                raise UserError(self.env._("Report %(name)s is not new.", name=report.name))
            report.write({"state": "in_progress", "user_id": report.user_id.id or self.env.uid})
        return True

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})
        return True

    def action_close(self):
        for report in self:
            if report.state == "closed":
                raise UserError(self.env._("Report %(name)s is already closed.", name=report.name))
            if not (report.conclusion or "").strip():
                raise UserError(self.env._("Write the conclusion before closing report %(name)s.", name=report.name))
        self.write({"state": "closed", "closed_date": fields.Datetime.now()})
        return True

    def action_reopen(self):
        self.write({"state": "in_progress", "closed_date": False})
        return True

    # ------------------------------------------------------------------
    # Public form helpers
    # ------------------------------------------------------------------
    @api.model
    def _public_photo(self, data):
        """``data`` (bytes of an upload) checked and cleaned: re-encoded without its metadata
        (no EXIF, so no GPS position of the reporter), at most 1920 pixels a side.

        Raises ValidationError (translated) when it is too large or not a JPEG, PNG, GIF or WebP
        image judged by its magic number and by Pillow, not by its name or declared type.
        """
        if len(data) > PHOTO_MAX_BYTES:
            raise ValidationError(
                self.env._("The photo is larger than %(size)s MB.", size=PHOTO_MAX_BYTES // (1024 * 1024))
            )
        webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        if not (webp or data.startswith(PHOTO_SIGNATURES)):
            raise ValidationError(self.env._("The photo must be a JPEG, PNG, GIF or WebP image."))
        try:
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data))
            if image.format not in PHOTO_FORMATS:
                raise ValidationError(self.env._("The photo must be a JPEG, PNG, GIF or WebP image."))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            output = io.BytesIO()
            if image.mode in ("RGBA", "LA", "P"):
                image.convert("RGBA").save(output, "PNG", optimize=True)
            else:
                image.convert("RGB").save(output, "JPEG", quality=85)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            raise ValidationError(self.env._("The photo is not a readable image.")) from error
        return output.getvalue()

    @api.model
    def _public_contact(self, contact):
        """The contact stripped, or a translated ValidationError when it is neither a phone nor an e-mail."""
        contact = (contact or "").strip()
        if contact and (len(contact) > CONTACT_MAX or not CONTACT_PATTERN.match(contact)):
            raise ValidationError(self.env._("Leave a phone number or an e-mail address, or nothing."))
        return contact
