import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.geo import distance_m
from .city_care_recipient import user_today

ESCALATION_CHUNK = 500
REASONS = [
    ("routine", "Routine"),
    ("major_change", "Major Change"),
    ("alarm_follow_up", "Alarm Follow-up"),
    ("manual", "Other"),
]


class CityCareVisit(models.Model):
    """A proactive care visit (主动关怀): planned by policy or event, recorded by a worker."""

    _name = "city.care.visit"
    _description = "Care Visit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_sequence, due_date, id"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    community_id = fields.Many2one(related="recipient_id.community_id", store=True)
    user_id = fields.Many2one("res.users", string="Worker", index=True, tracking=True)
    reason = fields.Selection(REASONS, required=True, default="manual", tracking=True)
    reason_note = fields.Char(string="Why")
    alarm_id = fields.Many2one("city.care.alarm", index="btree_not_null", ondelete="set null")
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    due_date = fields.Datetime(string="Due", required=True, tracking=True)
    is_overdue = fields.Boolean(string="Overdue", readonly=True, index=True)
    escalation_level = fields.Integer(readonly=True)
    visited_at = fields.Datetime(tracking=True)
    is_late = fields.Boolean(string="Late", readonly=True, help="Recorded after its deadline.")
    checkin_latitude = fields.Float(string="Check-in Latitude", digits=(10, 7))
    checkin_longitude = fields.Float(string="Check-in Longitude", digits=(10, 7))
    checkin_distance = fields.Integer(
        string="Distance from Home (m)", readonly=True, help="From the check-in to the recipient's building."
    )
    mode = fields.Selection(
        [("home", "Home Visit"), ("phone", "Phone Call"), ("video", "Video Call")], default="home", required=True
    )
    wellbeing = fields.Selection([("good", "Good"), ("fair", "Fair"), ("poor", "Poor")])
    findings = fields.Text()
    needs_follow_up = fields.Boolean(string="Needs Help", help="The findings call for a community request or task.")
    photo_ids = fields.Many2many("ir.attachment", string="Photos")

    def init(self):
        result = super().init()
        # One planned routine visit per recipient at most (concurrent schedulers cannot double it).
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS city_care_visit_planned_routine_uniq
                ON city_care_visit (recipient_id) WHERE state = 'planned' AND reason = 'routine'"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_care_visit_done_idx
                ON city_care_visit (recipient_id, visited_at) WHERE state = 'done'"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_care_visit_planned_due_idx
                ON city_care_visit (due_date) WHERE state = 'planned'"""
        )
        return result

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {"planned": 0, "done": 1, "cancelled": 2}
        for visit in self:
            visit.state_sequence = order.get(visit.state, 3)

    @api.depends("recipient_id", "due_date", "visited_at")
    def _compute_display_name(self):
        for visit in self:
            moment = visit.visited_at or visit.due_date
            day = fields.Date.context_today(visit, moment) if moment else ""
            visit.display_name = f"{visit.recipient_id.name} {day}"

    @api.constrains("checkin_latitude", "checkin_longitude")
    def _check_coordinates(self):
        for visit in self:
            if not (-90 <= visit.checkin_latitude <= 90 and -180 <= visit.checkin_longitude <= 180):
                raise ValidationError(self.env._("The check-in coordinates are not a place on Earth."))

    @api.constrains("photo_ids")
    def _check_photos(self):
        for visit in self:
            for photo in visit.photo_ids:
                if photo.mimetype and not photo.mimetype.startswith("image/"):
                    raise ValidationError(self.env._("%(name)s is not a photo.", name=photo.name))
                if photo.file_size and photo.file_size > 10 * 1024 * 1024:
                    raise ValidationError(self.env._("%(name)s is larger than 10 MB.", name=photo.name))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("user_id") and vals.get("recipient_id"):
                recipient = self.env["city.care.recipient"].browse(vals["recipient_id"])
                vals["user_id"] = recipient.responsible_user_id.id
        return super().create(vals_list)

    def write(self, vals):
        if {"state", "is_late", "is_overdue", "escalation_level"} & set(vals) and not (
            self.env.su or self.env.context.get("city_care_step")
        ):
            raise UserError(self.env._("A visit's state changes only by recording or cancelling it."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_done(self):
        """Record the visit; after its deadline it is still accepted and marked late."""
        now = fields.Datetime.now()
        for visit in self:
            if visit.state != "planned":
                raise UserError(self.env._("Only a planned visit can be recorded."))
            if not (visit.findings or "").strip():
                raise UserError(self.env._("Write down the findings of the visit."))
            visited_at = visit.visited_at or now
            if visited_at > now + datetime.timedelta(minutes=5):
                raise UserError(self.env._("A visit cannot be recorded for a time in the future."))
            values = {
                "state": "done",
                "visited_at": visited_at,
                "is_late": visited_at > visit.due_date,
                "is_overdue": False,
                "user_id": visit.user_id.id or self.env.uid,
            }
            building = visit.recipient_id.partner_id.city_building_id
            if (visit.checkin_latitude or visit.checkin_longitude) and (building.latitude or building.longitude):
                values["checkin_distance"] = round(
                    distance_m(visit.checkin_latitude, visit.checkin_longitude, building.latitude, building.longitude)
                )
            visit.with_context(city_care_step=True).write(values)
            visit.activity_unlink(
                ["city_special_care.mail_activity_type_visit", "city_special_care.mail_activity_type_visit_overdue"]
            )
        recipients = self.recipient_id.sudo()
        for recipient in recipients:
            last = max(self.filtered(lambda v, r=recipient: v.recipient_id == r).mapped("visited_at"))
            if not recipient.last_visit_date or last > recipient.last_visit_date:
                recipient.last_visit_date = last
        recipients._schedule_visits()
        return True

    def action_cancel(self):
        for visit in self:
            if visit.state != "planned":
                raise UserError(self.env._("Only a planned visit can be cancelled."))
            if visit.reason == "routine" and visit.recipient_id.active:
                raise UserError(
                    self.env._(
                        "The routine visit follows the visit policy; record it, or change the policy or risk level."
                    )
                )
        self.with_context(city_care_step=True).write({"state": "cancelled", "is_overdue": False})
        return True

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------
    @api.model
    def _book(self, recipient, reason, deadline, note=None, alarm=None):
        """A visit by ``deadline`` unless one is already planned by then."""
        planned = self.search(
            [("recipient_id", "=", recipient.id), ("state", "=", "planned"), ("due_date", "<=", deadline)], limit=1
        )
        if planned:
            if note:
                planned.message_post(body=note)
            return planned
        visit = self.with_context(mail_create_nolog=True).create(
            {
                "recipient_id": recipient.id,
                "reason": reason,
                "reason_note": note,
                "due_date": deadline,
                "alarm_id": alarm.id if alarm else False,
            }
        )
        if visit.user_id:
            visit.activity_schedule(
                "city_special_care.mail_activity_type_visit",
                date_deadline=fields.Date.context_today(visit, deadline),
                summary=note,
                user_id=visit.user_id.id,
            )
        return visit

    @api.model
    def _schedule_routine(self, recipients):
        """Set-based: every active recipient gets exactly one planned routine visit, due by policy.

        The deadline is the last visit (or the file's creation) plus the policy interval.
        """
        if not recipients:
            return
        recipients.flush_recordset()
        self.flush_model()
        params = {"ids": recipients.ids, "uid": self.env.uid}
        self.env.cr.execute(
            SQL(
                """
                UPDATE city_care_visit v
                   SET due_date = COALESCE(r.last_visit_date, r.create_date)
                                  + make_interval(days => GREATEST(r.visit_interval_days, 1)),
                       write_date = now() at time zone 'utc', write_uid = %(uid)s
                  FROM city_care_recipient r
                 WHERE v.recipient_id = r.id AND r.id = ANY(%(ids)s)
                   AND v.state = 'planned' AND v.reason = 'routine'
                   AND v.due_date IS DISTINCT FROM COALESCE(r.last_visit_date, r.create_date)
                                  + make_interval(days => GREATEST(r.visit_interval_days, 1))
                """,
                **params,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO city_care_visit (recipient_id, division_id, community_id, user_id, reason, state,
                                             state_sequence, mode, due_date, is_overdue, escalation_level,
                                             create_uid, create_date, write_uid, write_date)
                SELECT r.id, r.division_id, r.community_id, r.responsible_user_id, 'routine', 'planned', 0, 'home',
                       COALESCE(r.last_visit_date, r.create_date)
                           + make_interval(days => GREATEST(r.visit_interval_days, 1)),
                       false, 0, %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
                  FROM city_care_recipient r
                 WHERE r.id = ANY(%(ids)s) AND r.active
                ON CONFLICT (recipient_id) WHERE state = 'planned' AND reason = 'routine' DO NOTHING
                """,
                **params,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE city_care_recipient r SET next_visit_due = v.due
                  FROM (SELECT recipient_id, min(due_date) AS due FROM city_care_visit
                         WHERE state = 'planned' AND recipient_id = ANY(%(ids)s) GROUP BY recipient_id) v
                 WHERE r.id = v.recipient_id AND r.next_visit_due IS DISTINCT FROM v.due
                """,
                **params,
            )
        )
        self.invalidate_model(["due_date"])
        recipients.invalidate_recordset(["next_visit_due"])

    @api.model
    def _cron_overdue(self):
        """Flag overdue visits (an activity for the worker), escalate the long-overdue to managers."""
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE city_care_visit SET is_overdue = true, escalation_level = 1
                 WHERE state = 'planned' AND due_date < %(now)s AND is_overdue IS NOT TRUE
                RETURNING id
                """,
                now=now,
            )
        )
        newly = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.invalidate_model(["is_overdue", "escalation_level"])
        # One create for all activities: a bulk import can make thousands of visits due at once.
        activity_type = self.env.ref("city_special_care.mail_activity_type_visit_overdue")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = user_today(self)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": visit.id,
                    "activity_type_id": activity_type.id,
                    "summary": activity_type.summary,
                    "user_id": visit.user_id.id,
                    "date_deadline": today,
                    "automated": True,
                }
                for visit in newly.filtered("user_id")
            ]
        )
        days = int(self.env["ir.config_parameter"].sudo().get_param("city_special_care.visit_escalate_days", 3))
        domain = [
            ("state", "=", "planned"),
            ("escalation_level", "=", 1),
            ("due_date", "<", now - datetime.timedelta(days=days)),
        ]
        late = self.search(domain, limit=ESCALATION_CHUNK, order="due_date, id")
        if late:
            late.with_context(city_care_step=True).write({"escalation_level": 2})
            body = self.env._("Visit overdue by more than %(days)s days: escalated to the care managers.", days=days)
            managers_of = {}
            for visit in late:
                if visit.division_id not in managers_of:
                    managers_of[visit.division_id] = self.env["city.care.alarm"]._managers_for(visit.division_id)
                visit.message_post(
                    body=body,
                    partner_ids=managers_of[visit.division_id].partner_id.ids,
                    message_type="notification",
                    subtype_xmlid="mail.mt_comment",
                )
            if len(late) == ESCALATION_CHUNK:
                # More to do: let the cron run again right away instead of one huge transaction.
                self.env["ir.cron"]._notify_progress(done=len(late), remaining=self.search_count(domain))
        return len(newly), len(late)
