import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.city_base.tools.dates import city_local_text

_logger = logging.getLogger(__name__)


class CitySchoolBooking(models.Model):
    """A booking of a facility for a time slot; two confirmed bookings of a facility never overlap.

    The check locks the facility row first, so that two users booking the same facility at the same
    time are serialised; the database's exclusion constraint (btree_gist) backs it when available.
    """

    _name = "city.school.booking"
    _description = "Facility Booking"
    _order = "start desc, id desc"

    facility_id = fields.Many2one("city.school.facility", required=True, index=True, ondelete="cascade")
    school_id = fields.Many2one(related="facility_id.school_id", store=True, index=True)
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    user_id = fields.Many2one("res.users", string="Booked By", required=True, default=lambda self: self.env.user)
    class_id = fields.Many2one("city.school.class", domain="[('school_id', '=', school_id)]")
    purpose = fields.Char(required=True)
    state = fields.Selection(
        [("confirmed", "Confirmed"), ("cancelled", "Cancelled")], default="confirmed", required=True, index=True
    )

    _sql_constraints = [("start_before_stop", "CHECK(start < stop)", "A booking must end after it starts.")]

    def init(self):
        result = super().init()
        cr = self.env.cr
        cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'city_school_booking_no_overlap'")
        if cr.fetchone():
            return result
        try:
            with cr.savepoint(flush=False):
                cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
                cr.execute(
                    """ALTER TABLE city_school_booking ADD CONSTRAINT city_school_booking_no_overlap
                       EXCLUDE USING gist (facility_id WITH =, tsrange(start, stop) WITH &&)
                       WHERE (state = 'confirmed')"""
                )
        except Exception as error:  # noqa: BLE001 - the extension needs rights the database may not give
            _logger.info("booking exclusion constraint not created (%s); the locked check alone applies", error)
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "confirmed") == "confirmed":
                self._check_free(vals.get("facility_id"), vals.get("start"), vals.get("stop"))
        return super().create(vals_list)

    def write(self, vals):
        if {"facility_id", "start", "stop", "state"} & set(vals):
            for booking in self:
                if vals.get("state", booking.state) == "confirmed":
                    booking._check_free(
                        vals.get("facility_id", booking.facility_id.id),
                        vals.get("start", booking.start),
                        vals.get("stop", booking.stop),
                        exclude=booking.ids,
                    )
        return super().write(vals)

    @api.constrains("facility_id", "start", "stop", "state")
    def _check_overlap(self):
        for booking in self.filtered(lambda b: b.state == "confirmed"):
            booking._check_free(booking.facility_id.id, booking.start, booking.stop, exclude=booking.ids)

    @api.model
    def _check_free(self, facility_id, start, stop, exclude=()):
        """Refuse a confirmed booking of ``facility_id`` overlapping [start, stop)."""
        if not facility_id or not start or not stop:
            return
        start, stop = fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(stop)
        if start >= stop:
            raise ValidationError(self.env._("A booking must end after it starts."))
        # serialise the bookings of one facility: concurrent transactions wait here
        self.env.cr.execute(SQL("SELECT id FROM city_school_facility WHERE id = %s FOR UPDATE", facility_id))
        clash = self.sudo().search(
            [
                ("id", "not in", list(exclude)),
                ("facility_id", "=", facility_id),
                ("state", "=", "confirmed"),
                ("start", "<", stop),
                ("stop", ">", start),
            ],
            limit=1,
        )
        if clash:
            raise ValidationError(
                self.env._(
                    "%(facility)s is already booked from %(start)s to %(stop)s (%(purpose)s).",
                    facility=clash.facility_id.name,
                    start=city_local_text(clash.start),
                    stop=city_local_text(clash.stop),
                    purpose=clash.purpose,
                )
            )

    @api.constrains("class_id", "facility_id")
    def _check_class(self):
        for booking in self:
            if booking.class_id and booking.class_id.school_id != booking.school_id:
                raise ValidationError(self.env._("The class belongs to another school."))

    def action_cancel(self):
        if any(booking.state != "confirmed" for booking in self):
            raise UserError(self.env._("Only confirmed bookings can be cancelled."))
        self.state = "cancelled"
