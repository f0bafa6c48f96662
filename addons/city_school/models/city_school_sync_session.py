from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.city_base.tools.dates import city_local_text


class CitySchoolSyncSession(models.Model):
    """专递课堂: a lesson taught live by a host class's teacher and followed by receiving classes
    of other (often rural) schools in the same time slot."""

    _name = "city.school.sync.session"
    _description = "Synchronous Classroom Session"
    _inherit = ["mail.thread"]
    _order = "start desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    subject_id = fields.Many2one("city.school.subject", required=True, ondelete="restrict", tracking=True)
    host_class_id = fields.Many2one("city.school.class", required=True, index=True, ondelete="restrict", tracking=True)
    host_school_id = fields.Many2one(related="host_class_id.school_id", store=True, index=True)
    teacher_id = fields.Many2one(
        "city.school.teacher",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('school_id', '=', host_school_id)]",
    )
    room = fields.Char(required=True, tracking=True, help="The host school's classroom the lesson is taught from.")
    start = fields.Datetime(required=True, tracking=True)
    end = fields.Datetime(required=True, tracking=True)
    receiving_class_ids = fields.Many2many(
        "city.school.class",
        "city_school_sync_session_class_rel",
        "session_id",
        "class_id",
        string="Receiving Classes",
        required=True,
    )
    receiving_school_ids = fields.Many2many(
        "city.school", compute="_compute_receiving_school_ids", store=True, string="Receiving Schools"
    )
    attendance_ids = fields.One2many("city.school.sync.attendance", "session_id")
    present_total = fields.Integer(compute="_compute_attendance_totals", store=True, string="Present")
    absent_total = fields.Integer(compute="_compute_attendance_totals", store=True, string="Absent")
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        tracking=True,
    )

    @api.depends("subject_id", "host_class_id", "start")
    def _compute_name(self):
        for session in self:
            session.name = " ".join(
                part
                for part in (
                    session.subject_id.name,
                    session.host_class_id.school_id.name,
                    session.host_class_id.name,
                    city_local_text(session.start) if session.start else "",
                )
                if part
            )

    @api.depends("receiving_class_ids.school_id")
    def _compute_receiving_school_ids(self):
        for session in self:
            session.receiving_school_ids = session.receiving_class_ids.school_id

    @api.depends("attendance_ids.present_count", "attendance_ids.absent_count")
    def _compute_attendance_totals(self):
        for session in self:
            session.present_total = sum(session.attendance_ids.mapped("present_count"))
            session.absent_total = sum(session.attendance_ids.mapped("absent_count"))

    @api.constrains("host_class_id", "receiving_class_ids", "teacher_id", "start", "end")
    def _check_classes(self):
        # integrity of the schedule across schools: read as superuser (the classes and teachers of
        # other schools are not readable by a school's staff)
        for session in self.sudo():
            if session.start >= session.end:
                raise ValidationError(self.env._("A session ends after it starts."))
            if session.teacher_id.school_id != session.host_school_id:
                raise ValidationError(self.env._("The teacher of a session teaches at the host school."))
            if session.host_school_id in session.receiving_class_ids.school_id:
                raise ValidationError(self.env._("Receiving classes are classes of other schools than the host."))

    @api.constrains("start", "end", "teacher_id", "room", "host_class_id", "receiving_class_ids", "state")
    def _check_clashes(self):
        """No teacher, host room or class (host or receiving) in two sessions whose slots overlap."""
        self.flush_model()
        self.env["city.school.class"].flush_model()
        for session in self.sudo().filtered(lambda s: s.state != "cancelled"):
            classes = session.host_class_id | session.receiving_class_ids
            self.env.cr.execute(
                """
                WITH other AS (
                    SELECT s.id, s.teacher_id, s.host_school_id, lower(trim(s.room)) AS room, s.host_class_id
                      FROM city_school_sync_session s
                     WHERE s.id != %(id)s AND s.state != 'cancelled'
                       AND s.start < %(end)s AND s."end" > %(start)s
                )
                SELECT o.id,
                       o.teacher_id = %(teacher)s,
                       o.host_school_id = %(school)s AND o.room = lower(trim(%(room)s)),
                       o.host_class_id = ANY(%(classes)s) OR EXISTS (
                           SELECT 1 FROM city_school_sync_session_class_rel r
                            WHERE r.session_id = o.id AND r.class_id = ANY(%(classes)s))
                  FROM other o
                """,
                {
                    "id": session.id,
                    "start": session.start,
                    "end": session.end,
                    "teacher": session.teacher_id.id,
                    "school": session.host_school_id.id,
                    "room": session.room,
                    "classes": classes.ids,
                },
            )
            for other_id, teacher_clash, room_clash, class_clash in self.env.cr.fetchall():
                if not (teacher_clash or room_clash or class_clash):
                    continue
                other = self.browse(other_id).sudo()
                what = (
                    self.env._("the teacher")
                    if teacher_clash
                    else self.env._("the room")
                    if room_clash
                    else self.env._("a class")
                )
                raise ValidationError(
                    self.env._(
                        "Session %(name)s clashes with session %(other)s: %(what)s is already taken in that slot.",
                        name=session.name,
                        other=other.name,
                        what=what,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        sessions = super().create(vals_list)
        sessions._sync_attendance_lines()
        return sessions

    def write(self, vals):
        res = super().write(vals)
        if "receiving_class_ids" in vals:
            self._sync_attendance_lines()
        return res

    def _sync_attendance_lines(self):
        """One attendance line per receiving class (lines of classes no longer receiving are removed).

        Called after the user created or wrote the sessions (rights checked there); the lines of the
        receiving schools' classes are kept as superuser.
        """
        Attendance = self.env["city.school.sync.attendance"].sudo()
        for session in self.sudo():
            existing = session.attendance_ids
            receiving = session.receiving_class_ids
            stale = existing.filtered(lambda line, receiving=receiving: line.class_id not in receiving)
            missing = receiving - existing.class_id
            stale.unlink()
            Attendance.create([{"session_id": session.id, "class_id": cls.id} for cls in missing])

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancelled"})

    def action_plan(self):
        self.write({"state": "planned"})
