from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityElderlyAttendance(models.Model):
    """One elder's day at a day-care centre (日间照料): check-in and check-out times."""

    _name = "city.elderly.attendance"
    _description = "Day-Care Attendance"
    _order = "date desc, provider_id, id"

    provider_id = fields.Many2one(
        "city.elderly.provider",
        string="Day-Care Centre",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("kind", "=", "day_care")],
    )
    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="restrict")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    checkin_at = fields.Datetime(string="Check-in")
    checkout_at = fields.Datetime(string="Check-out")
    hours = fields.Float(compute="_compute_hours", store=True, aggregator="avg")
    note = fields.Char()

    _sql_constraints = [
        ("recipient_date_unique", "unique(recipient_id, date)", "The elder already has an attendance on that day."),
        (
            "checkout_after_checkin",
            "CHECK(checkout_at IS NULL OR checkin_at IS NULL OR checkout_at >= checkin_at)",
            "The check-out cannot be before the check-in.",
        ),
    ]

    @api.depends("recipient_id.name", "date")
    def _compute_display_name(self):
        for attendance in self:
            attendance.display_name = f"{attendance.recipient_id.name or ''} {attendance.date or ''}".strip()

    @api.depends("checkin_at", "checkout_at")
    def _compute_hours(self):
        for attendance in self:
            if attendance.checkin_at and attendance.checkout_at:
                attendance.hours = (attendance.checkout_at - attendance.checkin_at).total_seconds() / 3600
            else:
                attendance.hours = 0.0

    @api.constrains("provider_id")
    def _check_provider_id(self):
        for attendance in self:
            if attendance.provider_id.kind != "day_care":
                raise ValidationError(
                    self.env._("%(name)s is not a day-care centre.", name=attendance.provider_id.name)
                )

    def action_checkin(self):
        self.filtered(lambda a: not a.checkin_at).write({"checkin_at": fields.Datetime.now()})

    def action_checkout(self):
        self.filtered(lambda a: a.checkin_at and not a.checkout_at).write({"checkout_at": fields.Datetime.now()})
