from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CitySchoolSyncAttendance(models.Model):
    """Attendance of one receiving class at a synchronous classroom session."""

    _name = "city.school.sync.attendance"
    _description = "Synchronous Classroom Attendance"
    _order = "session_id, class_id"

    session_id = fields.Many2one("city.school.sync.session", required=True, index=True, ondelete="cascade")
    class_id = fields.Many2one("city.school.class", string="Receiving Class", required=True, ondelete="restrict")
    school_id = fields.Many2one(related="class_id.school_id", store=True, index=True)
    enrolled_count = fields.Integer(related="class_id.student_count", string="Students")
    present_count = fields.Integer(string="Present")
    absent_count = fields.Integer(string="Absent")
    connected = fields.Boolean(default=True, help="The class followed the live stream.")
    note = fields.Char()

    _sql_constraints = [
        ("class_unique", "unique(session_id, class_id)", "A class has one attendance line per session."),
        ("counts_positive", "CHECK(present_count >= 0 AND absent_count >= 0)", "Counts cannot be negative."),
    ]

    @api.constrains("class_id", "session_id")
    def _check_receiving(self):
        for line in self.sudo():
            if line.class_id not in line.session_id.receiving_class_ids:
                raise ValidationError(
                    self.env._("%(name)s is not a receiving class of the session.", name=line.class_id.name)
                )
