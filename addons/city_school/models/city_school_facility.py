from odoo import fields, models


class CitySchoolFacility(models.Model):
    """A bookable room or piece of equipment of a school."""

    _name = "city.school.facility"
    _description = "School Facility"
    _inherit = ["mail.thread"]
    _order = "school_id, kind, name, id"

    school_id = fields.Many2one("city.school", required=True, index=True, ondelete="restrict")
    name = fields.Char(required=True)
    kind = fields.Selection(
        [
            ("classroom", "Classroom"),
            ("lab", "Laboratory"),
            ("computer", "Computer Room"),
            ("hall", "Hall"),
            ("sports", "Sports Ground"),
            ("equipment", "Equipment"),
        ],
        required=True,
        default="classroom",
    )
    capacity = fields.Integer(help="Seats of a room (0 for equipment).")
    location = fields.Char()
    booking_ids = fields.One2many("city.school.booking", "facility_id", string="Bookings")
    active = fields.Boolean(default=True)

    _sql_constraints = [("capacity_positive", "CHECK(capacity >= 0)", "The capacity cannot be negative.")]
