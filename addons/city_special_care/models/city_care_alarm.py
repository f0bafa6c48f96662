import datetime

import psycopg2
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.city_base.tools.dates import CITY_TZ, city_local_text

ALARM_KINDS = [
    ("sos", "SOS"),
    ("fall", "Fall"),
    ("geofence", "Left Safe Zone"),
    ("vitals", "Abnormal Vital Signs"),
    ("device_offline", "Device Offline"),
    ("low_battery", "Low Battery"),
]
SEVERITY = {
    "sos": "critical",
    "fall": "critical",
    "geofence": "high",
    "vitals": "high",
    "device_offline": "low",
    "low_battery": "low",
}
STATES = [
    ("new", "New"),
    ("acknowledged", "Acknowledged"),
    ("called", "Called Back"),
    ("dispatched", "Dispatched"),
    ("arrived", "Responder Arrived"),
    ("resolved", "Resolved"),
]
OPEN_STATES = ("new", "acknowledged", "called", "dispatched", "arrived")
# The closed loop; low-severity alarms may also be resolved right after acknowledgement.
TRANSITIONS = {
    "acknowledge": ("new",),
    "callback": ("acknowledged",),
    "dispatch": ("called",),
    "arrive": ("dispatched",),
    "resolve": ("called", "arrived"),
}
OUTCOMES = [
    ("false_alarm", "False Alarm"),
    ("by_phone", "Settled by Phone"),
    ("assisted", "Assisted on Site"),
    ("hospital", "Taken to Hospital"),
    ("device", "Device Problem"),
    ("other", "Other"),
]
DUTY_GROUP = "city_special_care.group_city_special_care_duty"
# Written by the closed-loop steps only, never directly (they are the desk's statistics).
PROTECTED_FIELDS = frozenset(
    {
        "state",
        "ack_at",
        "ack_user_id",
        "ack_partner_id",
        "family_ack_at",
        "ack_seconds",
        "ack_within_60",
        "ack_within_180",
        "callback_result",
        "called_at",
        "dispatched_at",
        "arrived_at",
        "arrive_minutes",
        "resolved_at",
        "resolved_user_id",
        "resolve_minutes",
        "escalation_level",
        "refire_count",
        "fired_at",
        "raised_at",
        "event_count",
        "notified",
    }
)
# A critical event this long after the last one of its alarm is a new emergency, not the same burst.
REOPEN_AFTER = datetime.timedelta(minutes=10)
MANAGER_GROUP = "city_special_care.group_city_special_care_manager"


def _param(env, key, default):
    try:
        return int(env["ir.config_parameter"].sudo().get_param(f"city_special_care.{key}", default))
    except (TypeError, ValueError):
        return default


class CityCareAlarm(models.Model):
    """An alarm at the desk: closed loop from the device event to the outcome."""

    _name = "city.care.alarm"
    _description = "Care Alarm"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_sequence, severity_sequence desc, raised_at desc, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/", index=True)
    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, readonly=True)
    device_id = fields.Many2one("city.care.device", index="btree_not_null", readonly=True)
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True, string="Grid")
    community_id = fields.Many2one(related="recipient_id.community_id", store=True, index=True)
    # For the call-back at the desk
    recipient_phone = fields.Char(related="recipient_id.phone", string="Recipient Mobile")
    contact_ids = fields.One2many(related="recipient_id.contact_ids", string="Contacts to Call")
    kind = fields.Selection(ALARM_KINDS, required=True, readonly=True)
    severity = fields.Selection(
        [("low", "Low"), ("high", "High"), ("critical", "Critical")], required=True, readonly=True
    )
    severity_sequence = fields.Integer(compute="_compute_sequences", store=True)
    state = fields.Selection(
        STATES,
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        group_expand="_read_group_state",
    )
    state_sequence = fields.Integer(compute="_compute_sequences", store=True)
    detail = fields.Text(readonly=True, groups="city_special_care.group_city_special_care_worker")
    latitude = fields.Float(digits=(10, 7), readonly=True, groups="base.group_user")
    longitude = fields.Float(digits=(10, 7), readonly=True, groups="base.group_user")
    raised_at = fields.Datetime(required=True, readonly=True, index=True, default=fields.Datetime.now)
    fired_at = fields.Datetime(
        string="Last Fired At",
        readonly=True,
        default=fields.Datetime.now,
        help="When the alarm last came to the desk (raised or fired again); escalation counts from here.",
    )
    last_event_at = fields.Datetime(readonly=True)
    event_count = fields.Integer(default=1, readonly=True, help="Events of this burst collapsed into the alarm.")
    event_ids = fields.One2many("city.care.event", "alarm_id", string="Events")
    notified = fields.Boolean(readonly=True, help="Included in a duty summary.")
    escalation_level = fields.Integer(readonly=True, tracking=True)
    refire_count = fields.Integer(string="Re-fired", readonly=True)
    # Closed loop
    ack_user_id = fields.Many2one("res.users", string="Acknowledged By", readonly=True)
    ack_partner_id = fields.Many2one(
        "res.partner",
        string="Acknowledged by Family",
        readonly=True,
        help="The family member who said in the portal that they are taking care of it. The desk still "
        "acknowledges and calls back: a family acknowledgement neither stops the escalation nor counts "
        "in the desk's statistics.",
    )
    family_ack_at = fields.Datetime(string="Family Acknowledged At", readonly=True)
    ack_at = fields.Datetime(string="Acknowledged At", readonly=True)
    callback_result = fields.Selection(
        [("verified", "Verified"), ("no_answer", "No Answer")], string="Call-back", readonly=True, tracking=True
    )
    called_at = fields.Datetime(readonly=True)
    responder_type = fields.Selection(
        [("worker", "Community Worker"), ("family", "Family"), ("ambulance", "Emergency 120")],
        string="Dispatched To",
        tracking=True,
    )
    responder_user_id = fields.Many2one("res.users", string="Responding Worker")
    responder_contact_id = fields.Many2one(
        "city.care.contact", string="Responding Family Member", domain="[('recipient_id', '=', recipient_id)]"
    )
    dispatched_at = fields.Datetime(readonly=True)
    arrived_at = fields.Datetime(readonly=True)
    outcome = fields.Selection(OUTCOMES, tracking=True)
    resolution = fields.Text()
    resolved_at = fields.Datetime(readonly=True)
    resolved_user_id = fields.Many2one("res.users", string="Resolved By", readonly=True)
    # Statistics (seconds from the alarm; averages per community and month in the pivot)
    ack_seconds = fields.Integer(string="Seconds to Acknowledge", readonly=True, aggregator="avg")
    ack_within_60 = fields.Integer(string="Acknowledged ≤ 60 s (%)", readonly=True, aggregator="avg")
    ack_within_180 = fields.Integer(string="Acknowledged ≤ 180 s (%)", readonly=True, aggregator="avg")
    arrive_minutes = fields.Float(string="Minutes to Arrive", readonly=True, aggregator="avg", digits=(16, 1))
    resolve_minutes = fields.Float(string="Minutes to Resolve", readonly=True, aggregator="avg", digits=(16, 1))

    def init(self):
        result = super().init()
        # At most one open alarm per recipient, kind and device: bursts join it.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS city_care_alarm_open_uniq
                ON city_care_alarm (recipient_id, kind, COALESCE(device_id, 0))
             WHERE state IN ('new', 'acknowledged', 'called', 'dispatched', 'arrived')"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_care_alarm_unnotified_idx
                ON city_care_alarm (id) WHERE NOT notified"""
        )
        return result

    @api.model
    def _read_group_state(self, states, domain):
        """Every step of the loop is a column of the alarm board, also when it is empty."""
        return [code for code, _label in STATES]

    @api.depends("state", "severity")
    def _compute_sequences(self):
        states = {code: index for index, (code, _label) in enumerate(STATES)}
        states["resolved"] = 99
        for alarm in self:
            alarm.state_sequence = states.get(alarm.state, 0)
            alarm.severity_sequence = {"low": 0, "high": 1, "critical": 2}.get(alarm.severity, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("city.care.alarm") or "/"
            vals.setdefault("severity", SEVERITY.get(vals.get("kind"), "high"))
            vals.setdefault("fired_at", vals.get("raised_at") or fields.Datetime.now())
        alarms = super().create(vals_list)
        alarms._schedule_escalation()
        return alarms

    # ------------------------------------------------------------------
    # Closed loop
    # ------------------------------------------------------------------
    def write(self, vals):
        if PROTECTED_FIELDS & set(vals) and not (self.env.su or self.env.context.get("city_care_step")):
            raise UserError(self.env._("The state and timing of an alarm change only through its steps."))
        return super().write(vals)

    def _check_step(self, step):
        allowed = TRANSITIONS[step]
        labels = dict(self._fields["state"]._description_selection(self.env))
        for alarm in self:
            states = allowed
            if step == "resolve" and alarm.severity == "low":
                states = (*allowed, "acknowledged")
            if step == "resolve" and alarm.state == "called" and alarm.callback_result != "verified":
                raise UserError(
                    self.env._("%(alarm)s: nobody answered the call-back; dispatch a responder.", alarm=alarm.name)
                )
            if alarm.state not in states:
                raise UserError(
                    self.env._(
                        "%(alarm)s is %(state)s; this step needs it to be %(allowed)s.",
                        alarm=alarm.name,
                        state=labels[alarm.state],
                        allowed=" / ".join(labels[s] for s in states),
                    )
                )

    def action_acknowledge(self):
        self.check_access("write")
        self._check_step("acknowledge")
        self._acknowledge(user=self.env.user)
        return True

    def _acknowledge(self, user):
        """The desk's acknowledgement: the alarm moves on in the closed loop and stops escalating."""
        now = fields.Datetime.now()
        for alarm in self:
            values = {"state": "acknowledged"}
            if not alarm.ack_at:  # statistics keep the first acknowledgement (a re-fire does not reset it)
                seconds = max(0, int((now - alarm.raised_at).total_seconds()))
                values.update(
                    ack_at=now,
                    ack_seconds=seconds,
                    ack_within_60=100 if seconds <= 60 else 0,
                    ack_within_180=100 if seconds <= 180 else 0,
                    ack_user_id=user.id,
                )
                # 0 is a value here (the pivot averages it): forget the 0 the cache holds for NULL, else
                # the write would skip it as unchanged and the average would leave late alarms out.
                alarm.invalidate_recordset(["ack_seconds", "ack_within_60", "ack_within_180"])
            alarm.sudo().write(values)
            alarm.sudo().message_post(
                body=self.env._("Acknowledged by %(who)s.", who=user.name), message_type="notification"
            )
        self.sudo().activity_unlink(["city_special_care.mail_activity_type_alarm_escalation"])

    def _family_acknowledge(self, partner):
        """A family member says in the portal that they are taking care of the alarm.

        Recorded beside the desk's steps, not as one of them: the alarm keeps its state, its
        escalation and the desk's statistics, because the desk must still call back. Only the
        first family acknowledgement of an open alarm is kept.
        """
        for alarm in self:
            if alarm.state not in OPEN_STATES or alarm.ack_partner_id:
                raise UserError(self.env._("This alarm is closed or a family member has already acknowledged it."))
            alarm.sudo().write({"ack_partner_id": partner.id, "family_ack_at": fields.Datetime.now()})
            alarm.sudo().message_post(
                body=self.env._(
                    "%(who)s (family) is taking care of the alarm; the desk still acknowledges and calls back.",
                    who=partner.name,
                ),
                message_type="notification",
            )

    def action_callback_verified(self):
        return self._callback("verified")

    def action_callback_no_answer(self):
        return self._callback("no_answer")

    def _callback(self, result):
        self._check_step("callback")
        self.with_context(city_care_step=True).write(
            {"state": "called", "callback_result": result, "called_at": fields.Datetime.now()}
        )
        return True

    def action_dispatch(self):
        self._check_step("dispatch")
        for alarm in self:
            if not alarm.responder_type:
                raise UserError(self.env._("Choose whom the alarm is dispatched to."))
            if alarm.responder_type == "worker" and not alarm.responder_user_id:
                raise UserError(self.env._("Choose the responding worker."))
            if alarm.responder_type == "family" and not alarm.responder_contact_id:
                raise UserError(self.env._("Choose the responding family member."))
        self.with_context(city_care_step=True).write({"state": "dispatched", "dispatched_at": fields.Datetime.now()})
        for alarm in self.filtered(lambda a: a.responder_type == "worker"):
            alarm.activity_schedule(
                "city_special_care.mail_activity_type_alarm_response",
                user_id=alarm.responder_user_id.id,
                summary=self.env._("Go to %(name)s", name=alarm.recipient_id.name),
            )
        self._schedule_refire()
        return True

    def action_arrived(self):
        self._check_step("arrive")
        now = fields.Datetime.now()
        for alarm in self:
            alarm.with_context(city_care_step=True).write(
                {"state": "arrived", "arrived_at": now, "arrive_minutes": (now - alarm.raised_at).total_seconds() / 60}
            )
        return True

    def action_resolve(self):
        self._check_step("resolve")
        now = fields.Datetime.now()
        for alarm in self:
            if not alarm.outcome:
                raise UserError(self.env._("Record the outcome of %(alarm)s.", alarm=alarm.name))
            alarm.with_context(city_care_step=True).write(
                {
                    "state": "resolved",
                    "resolved_at": now,
                    "resolved_user_id": self.env.uid,
                    "resolve_minutes": (now - alarm.raised_at).total_seconds() / 60,
                }
            )
        self.activity_unlink(
            [
                "city_special_care.mail_activity_type_alarm_response",
                "city_special_care.mail_activity_type_alarm_escalation",
            ]
        )
        self.sudo()._follow_up()
        return True

    def _follow_up(self):
        """A resolved SOS or fall books a follow-up visit; a fall also a Barthel reassessment."""
        Visit = self.env["city.care.visit"]
        deadline = fields.Datetime.now() + datetime.timedelta(hours=_param(self.env, "follow_up_hours", 48))
        for alarm in self.filtered(lambda a: a.kind in ("sos", "fall") and a.outcome != "false_alarm"):
            Visit._book(
                alarm.recipient_id,
                "alarm_follow_up",
                deadline,
                self.env._("Follow-up of alarm %(alarm)s.", alarm=alarm.name),
                alarm=alarm,
            )
            if alarm.kind == "fall":
                assessment = self.env["city.care.assessment"].create(
                    {"recipient_id": alarm.recipient_id.id, "reason": "after_fall", "assessor_id": self.env.uid}
                )
                responsible = alarm.recipient_id.responsible_user_id
                if responsible:
                    assessment.activity_schedule(
                        "city_special_care.mail_activity_type_reassessment",
                        date_deadline=fields.Date.context_today(alarm, deadline),
                        user_id=responsible.id,
                        summary=self.env._("Reassess after the fall of alarm %(alarm)s.", alarm=alarm.name),
                    )

    # ------------------------------------------------------------------
    # Raising and collapsing
    # ------------------------------------------------------------------
    @api.model
    def _raise_from_events(self, triggers):
        """Open alarms for ``[(event row, kind, detail)]``; events of one burst join the open alarm.

        Returns ``{(device_id, event uid): alarm reference}``.
        """
        if not triggers:
            return {}
        Alarm = self.sudo()
        keys = {(row["recipient_id"], kind, row["device_id"]) for row, kind, _detail in triggers if row["recipient_id"]}
        open_alarms = Alarm.search(
            [
                ("recipient_id", "in", list({key[0] for key in keys})),
                ("state", "in", OPEN_STATES),
                ("kind", "in", list({key[1] for key in keys})),
            ]
        )
        current = {(a.recipient_id.id, a.kind, a.device_id.id): a for a in open_alarms}
        touched = {}
        alarm_of = {}
        created = reopened = Alarm.browse()
        for row, kind, detail in sorted(triggers, key=lambda t: t[0]["occurred_at"]):
            if not row["recipient_id"]:
                continue
            key = (row["recipient_id"], kind, row["device_id"])
            # One open alarm per recipient, condition and device: the burst joins it.
            alarm = current.get(key)
            if not alarm:
                alarm, is_new = self._create_or_join(
                    {
                        "recipient_id": row["recipient_id"],
                        "device_id": row["device_id"],
                        "kind": kind,
                        "detail": detail,
                        # The person pressed or fell at the device's time (never later than now).
                        "raised_at": min(row["occurred_at"], fields.Datetime.now())
                        if kind in ("sos", "fall")
                        else fields.Datetime.now(),
                        "last_event_at": row["occurred_at"],
                        "latitude": row["latitude"],
                        "longitude": row["longitude"],
                    }
                )
                current[key] = alarm
                if is_new:
                    created |= alarm
                    touched[alarm] = {"event_count": 1, "last_event_at": row["occurred_at"]}
                    alarm_of[(row["device_id"], row["event_uid"])] = alarm
                    continue
            values = touched.setdefault(alarm, {"event_count": alarm.event_count, "last_event_at": alarm.last_event_at})
            last = values["last_event_at"]
            values["event_count"] += 1
            values["last_event_at"] = max(last or row["occurred_at"], row["occurred_at"])
            if detail:
                values["detail"] = detail
            if row["latitude"] is not None:
                values.update(latitude=row["latitude"], longitude=row["longitude"])
            if (
                kind in ("sos", "fall")
                and alarm.state != "new"
                and alarm not in reopened
                and (not last or row["occurred_at"] - last > REOPEN_AFTER)
            ):
                # A new SOS or fall after the burst is over brings a handled alarm back to the desk.
                reopened |= alarm
            alarm_of[(row["device_id"], row["event_uid"])] = alarm
        for alarm, values in touched.items():
            if alarm not in created or values["event_count"] > 1:
                alarm.with_context(city_care_step=True).write(values)
        pairs = list(alarm_of.items())
        self.env.cr.execute(
            SQL(
                """
                UPDATE city_care_event e SET alarm_id = t.a
                  FROM unnest(%(d)s::int[], %(u)s::varchar[], %(a)s::int[]) AS t(d, u, a)
                 WHERE e.device_id = t.d AND e.event_uid = t.u
                """,
                d=[key[0] for key, _alarm in pairs],
                u=[key[1] for key, _alarm in pairs],
                a=[alarm.id for _key, alarm in pairs],
            )
        )
        self.env["city.care.event"].invalidate_model(["alarm_id"])
        for alarm in reopened:
            alarm._fire_again(self.env._("A new %(kind)s event arrived after the burst.", kind=alarm._kind_label()))
        # Only new (and reopened) alarms are announced: events joining an open alarm make no new notification.
        (created | reopened)._announce()
        reopened._schedule_escalation()
        return {key: alarm.name for key, alarm in alarm_of.items()}

    @api.model
    def _create_or_join(self, values):
        """Create the alarm, or join the one a concurrent request just opened (unique open alarm)."""
        Alarm = self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        try:
            with self.env.cr.savepoint():
                return Alarm.create(values), True
        except psycopg2.errors.UniqueViolation:
            existing = Alarm.search(
                [
                    ("recipient_id", "=", values["recipient_id"]),
                    ("kind", "=", values["kind"]),
                    ("device_id", "=", values.get("device_id") or False),
                    ("state", "in", OPEN_STATES),
                ],
                limit=1,
            )
            if not existing:
                raise
            return existing, False

    def _fire_again(self, reason):
        """Back to the desk: state new, escalation timer restarted from now."""
        for alarm in self:
            alarm.with_context(city_care_step=True).write(
                {
                    "state": "new",
                    "refire_count": alarm.refire_count + 1,
                    "escalation_level": 0,
                    "fired_at": fields.Datetime.now(),
                    "callback_result": False,
                    "dispatched_at": False,
                }
            )
            alarm.message_post(body=reason, message_type="notification")

    @api.model
    def _raise_offline(self, devices):
        """One 'device offline' alarm per silent device (joining an open one), announced once."""
        Alarm = self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        devices = devices.filtered("recipient_id")
        existing = {
            alarm.device_id: alarm
            for alarm in Alarm.search(
                [("device_id", "in", devices.ids), ("kind", "=", "device_offline"), ("state", "in", OPEN_STATES)]
            )
        }
        tz = self.env.context.get("tz") or CITY_TZ
        missing = devices.filtered(lambda device: device not in existing)
        new_alarms = Alarm.create(
            [
                {
                    "recipient_id": device.recipient_id.id,
                    "device_id": device.id,
                    "kind": "device_offline",
                    "detail": self.env._(
                        "No heartbeat since %(last)s (model threshold %(seconds)s s).",
                        last=city_local_text(device.last_heartbeat_at, tz) or self.env._("installation"),
                        seconds=device.model_id.offline_after,
                    ),
                    "last_event_at": device.last_heartbeat_at,
                }
                for device in missing
            ]
        )
        for alarm in new_alarms:
            existing[alarm.device_id] = alarm
        for device in devices:
            device.sudo().offline_alarm_id = existing[device]
        new_alarms._announce()

    def _device_back_online(self):
        for alarm in self.sudo().filtered(lambda a: a.state in OPEN_STATES and a.kind == "device_offline"):
            now = fields.Datetime.now()
            values = {
                "state": "resolved",
                "outcome": "device",
                "resolution": self.env._("The device is online again."),
                "resolved_at": now,
                "resolve_minutes": (now - alarm.raised_at).total_seconds() / 60,
            }
            alarm.with_context(city_care_step=True).write(values)
            alarm.message_post(
                body=self.env._("The device is online again; alarm closed."), message_type="notification"
            )
        self.env["city.care.device"].sudo().search([("offline_alarm_id", "in", self.ids)]).offline_alarm_id = False

    # ------------------------------------------------------------------
    # Duty notifications, escalation, re-firing
    # ------------------------------------------------------------------
    def _announce(self):
        """Tell the live inboxes at once and get the duty summary out as soon as the cron can run."""
        alarms = self.filtered(lambda a: a.state == "new")
        if not alarms:
            return
        alarms.write({"notified": False})
        users = self._duty_users(alarms.division_id)
        for user in users:
            self.env["bus.bus"]._sendone(
                user.partner_id, "city_care_alarm/new", {"count": len(alarms), "ids": alarms.ids[:50]}
            )
        self.env.ref("city_special_care.ir_cron_care_alarm_duty_summary")._trigger()

    @api.model
    def _duty_users(self, divisions):
        """On-duty alarm desk operators whose divisions cover any of ``divisions``."""
        operators = self.env.ref(DUTY_GROUP).sudo().users
        return operators.filtered(lambda u: u.care_on_duty and u.active and u._care_covers(divisions))

    @api.model
    def _managers_for(self, divisions=None):
        """Care managers (people, not the system user) covering ``divisions``, or all of them."""
        managers = (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and u.id != SUPERUSER_ID)
        )
        if divisions is None:
            return managers
        return managers.filtered(lambda u: u._care_covers(divisions))

    @api.model
    def _cron_duty_summary(self):
        """One summary notification per on-duty operator for all alarms not yet announced.

        Alarms no on-duty operator covers stay unannounced until someone covering them is on duty.
        """
        alarms = self.sudo().search([("notified", "=", False), ("state", "in", OPEN_STATES)], order="id")
        if not alarms:
            return 0
        sent = 0
        announced = self.browse()
        for user in self._duty_users(alarms.division_id):
            mine = alarms.filtered(lambda a, u=user: u._care_covers(a.division_id))
            if not mine:
                continue
            lines = Markup("").join(
                Markup("<li>%s · %s · %s · %s%s</li>")
                % (
                    alarm.name,
                    alarm._kind_label(),
                    alarm.recipient_id.name,
                    alarm.division_id.name or "",
                    f" ×{alarm.event_count}" if alarm.event_count > 1 else "",
                )
                for alarm in mine[:20]
            )
            body = Markup("<p>%s</p><ul>%s</ul>") % (self.env._("New alarms at the care desk:"), lines)
            if len(mine) > 20:
                body += Markup("<p>%s</p>") % self.env._("… and %(count)s more.", count=len(mine) - 20)
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=self.env._("%(count)s new care alarm(s)", count=len(mine)),
                body=body,
                email_layout_xmlid="mail.mail_notification_light",
            )
            announced |= mine
            sent += 1
        announced.write({"notified": True})
        return sent

    def _kind_label(self):
        return dict(self._fields["kind"]._description_selection(self.env)).get(self.kind)

    def _schedule_escalation(self):
        seconds = _param(self.env, "ack_escalation_seconds", 60)
        cron = self.env.ref("city_special_care.ir_cron_care_alarm_escalate", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=fields.Datetime.now() + datetime.timedelta(seconds=seconds + 1))

    def _schedule_refire(self):
        minutes = _param(self.env, "arrival_timeout_minutes", 30)
        cron = self.env.ref("city_special_care.ir_cron_care_alarm_escalate", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=fields.Datetime.now() + datetime.timedelta(minutes=minutes, seconds=1))

    @api.model
    def _cron_escalate(self):
        """Escalate unacknowledged alarms; re-fire dispatched alarms whose arrival was not confirmed."""
        now = fields.Datetime.now()
        seconds = _param(self.env, "ack_escalation_seconds", 60)
        Alarm = self.sudo()
        escalated = 0
        for level, factor in ((1, 1), (2, 5)):
            due = Alarm.search(
                [
                    ("state", "=", "new"),
                    ("escalation_level", "<", level),
                    ("severity", "!=", "low"),
                    ("fired_at", "<=", now - datetime.timedelta(seconds=seconds * factor)),
                ]
            )
            for alarm in due:
                managers = self._managers_for(alarm.division_id if level == 1 else None)
                alarm.escalation_level = level
                alarm.message_post(
                    body=self.env._(
                        "Not acknowledged within %(seconds)s seconds: escalated (level %(level)s).",
                        seconds=seconds * factor,
                        level=level,
                    ),
                    partner_ids=managers.partner_id.ids,
                    message_type="notification",
                    subtype_xmlid="mail.mt_comment",
                )
                for manager in managers[:5]:
                    alarm.activity_schedule("city_special_care.mail_activity_type_alarm_escalation", user_id=manager.id)
                escalated += 1
        minutes = _param(self.env, "arrival_timeout_minutes", 30)
        stale = Alarm.search(
            [("state", "=", "dispatched"), ("dispatched_at", "<=", now - datetime.timedelta(minutes=minutes))]
        )
        stale._fire_again(
            self.env._(
                "Arrival not confirmed within %(minutes)s minutes of dispatch: the alarm fires again.",
                minutes=minutes,
            )
        )
        stale._announce()
        stale._schedule_escalation()
        return escalated, len(stale)
