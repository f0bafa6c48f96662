from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.city_base.tools.dates import city_today

from .city_school_points_rule import POINT_EVENTS

# advisory lock namespace of the points ledger (one lock per author while a credit is decided)
POINTS_LOCK = 18_2026


class CitySchoolPoints(models.Model):
    """The append-only ledger of contributor points: one line per credited event.

    A line is unique per event, resource, actor and day, so the same visitor viewing, downloading or
    rating a resource again the same day earns nothing more; the rule's daily cap bounds what one author
    earns from one event in a day. Both are enforced by the one INSERT that credits the points.
    """

    _name = "city.school.points"
    _description = "Contributor Points"
    _order = "id desc"

    teacher_id = fields.Many2one("city.school.teacher", required=True, index=True, ondelete="restrict")
    school_id = fields.Many2one("city.school", required=True, index=True, ondelete="restrict")
    slide_id = fields.Many2one("slide.slide", string="Resource", required=True, index=True, ondelete="restrict")
    event = fields.Selection(POINT_EVENTS, required=True)
    actor_id = fields.Many2one("res.users", string="By", required=True, ondelete="restrict")
    points = fields.Integer(required=True)
    date = fields.Date(required=True, index=True)

    _sql_constraints = [
        (
            "event_unique",
            "unique(event, slide_id, actor_id, date)",
            "This event already earned points today.",
        ),
    ]

    def init(self):
        res = super().init()
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_school_points_cap_index ON city_school_points (teacher_id, event, date)"
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list:
            raise UserError(self.env._("Contributor points are credited by the events of the library only."))
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(self.env._("The points ledger is append-only."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The points ledger is append-only."))

    @api.model
    def _award(self, event, slide, actor):
        """Credit the author of ``slide`` for ``event`` done by ``actor``; return the points credited.

        Nothing is credited without an active rule, for a resource without an author teacher, for the
        author's own actions, twice for the same (event, resource, actor, day), or beyond the daily cap
        (the last credit of the day is cut to the cap).
        """
        slide_sudo = slide.sudo()
        teacher = slide_sudo.library_teacher_id
        rule = self.env["city.school.points.rule"].sudo().search([("event", "=", event)], limit=1)
        if not rule or not teacher or (teacher.user_id and teacher.user_id == actor):
            return 0
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [POINTS_LOCK, teacher.id])
        cr.execute(
            """
            INSERT INTO city_school_points
                   (teacher_id, school_id, slide_id, event, actor_id, points, date,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(teacher)s, %(school)s, %(slide)s, %(event)s, %(actor)s,
                   CASE WHEN %(cap)s = 0 THEN %(points)s ELSE LEAST(%(points)s, %(cap)s - used.total) END,
                   %(date)s, %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
              FROM (SELECT COALESCE(SUM(points), 0) AS total
                      FROM city_school_points
                     WHERE teacher_id = %(teacher)s AND event = %(event)s AND date = %(date)s) used
             WHERE %(cap)s = 0 OR used.total < %(cap)s
            ON CONFLICT (event, slide_id, actor_id, date) DO NOTHING
            RETURNING points
            """,
            {
                "teacher": teacher.id,
                "school": teacher.school_id.id,
                "slide": slide.id,
                "event": event,
                "actor": actor.id,
                "points": rule.points,
                "cap": rule.daily_cap,
                "date": city_today(),
                "uid": self.env.uid,
            },
        )
        row = cr.fetchone()
        return row[0] if row else 0
