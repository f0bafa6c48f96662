import datetime

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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
    detail = fields.Text(readonly=True)
    latitude = fields.Float(digits=(10, 7), readonly=True)
    longitude = fields.Float(digits=(10, 7), readonly=True)
    raised_at = fields.Datetime(required=True, readonly=True, index=True, default=fields.Datetime.now)
    last_event_at = fields.Datetime(readonly=True)
    event_count = fields.Integer(default=1, readonly=True, help="Events of this burst collapsed into the alarm.")
    event_ids = fields.One2many("city.care.event", "alarm_id", string="Events")
    notified = fields.Boolean(readonly=True, help="Included in a duty summary.")
    escalation_level = fields.Integer(readonly=True, tracking=True)
    refire_count = fields.Integer(string="Re-fired", readonly=True)
    # Closed loop
    ack_user_id = fields.Many2one("res.users", string="Acknowledged By", readonly=True)
    ack_partner_id = fields.Many2one("res.partner", string="Acknowledged by Family", readonly=True)
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
        alarms = super().create(vals_list)
        alarms._schedule_escalation()
        return alarms

    # ------------------------------------------------------------------
    # Closed loop
    # ------------------------------------------------------------------
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

    def _acknowledge(self, user=None, partner=None):
        now = fields.Datetime.now()
        for alarm in self:
            values = {"state": "acknowledged"}
            if not alarm.ack_at:  # statistics keep the first acknowledgement (a re-fire does not reset it)
                seconds = int((now - alarm.raised_at).total_seconds())
                values.update(
                    ack_at=now,
                    ack_seconds=seconds,
                    ack_within_60=100 if seconds <= 60 else 0,
                    ack_within_180=100 if seconds <= 180 else 0,
                    ack_user_id=user.id if user else False,
                    ack_partner_id=partner.id if partner else False,
                )
                # 0 is a value here (the pivot averages it): forget the 0 the cache holds for NULL, else
                # the write would skip it as unchanged and the average would leave late alarms out.
                alarm.invalidate_recordset(["ack_seconds", "ack_within_60", "ack_within_180"])
            alarm.sudo().write(values)
            who = partner.name if partner else user.name
            alarm.sudo().message_post(body=self.env._("Acknowledged by %(who)s.", who=who), message_type="notification")
        self.sudo().activity_unlink(["city_special_care.mail_activity_type_alarm_escalation"])

    def action_callback_verified(self):
        return self._callback("verified")

    def action_callback_no_answer(self):
        return self._callback("no_answer")

    def _callback(self, result):
        self._check_step("callback")
        self.write({"state": "called", "callback_result": result, "called_at": fields.Datetime.now()})
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
        self.write({"state": "dispatched", "dispatched_at": fields.Datetime.now()})
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
            alarm.write(
                {"state": "arrived", "arrived_at": now, "arrive_minutes": (now - alarm.raised_at).total_seconds() / 60}
            )
        return True

    def action_resolve(self):
        self._check_step("resolve")
        now = fields.Datetime.now()
        for alarm in self:
            if not alarm.outcome:
                raise UserError(self.env._("Record the outcome of %(alarm)s.", alarm=alarm.name))
            alarm.write(
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
        created = Alarm.browse()
        for row, kind, detail in sorted(triggers, key=lambda t: t[0]["occurred_at"]):
            if not row["recipient_id"]:
                continue
            key = (row["recipient_id"], kind, row["device_id"])
            # One open alarm per recipient, condition and device: the burst joins it.
            alarm = current.get(key)
            if not alarm:
                alarm = Alarm.with_context(mail_create_nolog=True).create(
                    {
                        "recipient_id": row["recipient_id"],
                        "device_id": row["device_id"],
                        "kind": kind,
                        "detail": detail,
                        "raised_at": row["occurred_at"] if kind in ("sos", "fall") else fields.Datetime.now(),
                        "last_event_at": row["occurred_at"],
                        "latitude": row["latitude"],
                        "longitude": row["longitude"],
                    }
                )
                current[key] = alarm
                created |= alarm
                touched[alarm] = {"event_count": 1, "last_event_at": row["occurred_at"]}
            else:
                values = touched.setdefault(
                    alarm, {"event_count": alarm.event_count, "last_event_at": alarm.last_event_at}
                )
                values["event_count"] += 1
                values["last_event_at"] = max(values["last_event_at"] or row["occurred_at"], row["occurred_at"])
                if detail:
                    values["detail"] = detail
                if row["latitude"] is not None:
                    values.update(latitude=row["latitude"], longitude=row["longitude"])
            alarm_of[(row["device_id"], row["event_uid"])] = alarm
        for alarm, values in touched.items():
            if alarm not in created or values["event_count"] > 1:
                alarm.write(values)
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
        # Only new alarms are announced: events joining an open alarm make no new notification.
        created._announce()
        return {key: alarm.name for key, alarm in alarm_of.items()}

    @api.model
    def _raise_offline(self, devices):
        Alarm = self.sudo()
        for device in devices.filtered("recipient_id"):
            existing = Alarm.search(
                [
                    ("recipient_id", "=", device.recipient_id.id),
                    ("device_id", "=", device.id),
                    ("kind", "=", "device_offline"),
                    ("state", "in", OPEN_STATES),
                ],
                limit=1,
            )
            alarm = existing or Alarm.with_context(mail_create_nolog=True).create(
                {
                    "recipient_id": device.recipient_id.id,
                    "device_id": device.id,
                    "kind": "device_offline",
                    "detail": self.env._(
                        "No heartbeat since %(last)s (model threshold %(seconds)s s).",
                        last=fields.Datetime.to_string(device.last_heartbeat_at),
                        seconds=device.model_id.offline_after,
                    ),
                    "last_event_at": device.last_heartbeat_at,
                }
            )
            device.sudo().offline_alarm_id = alarm
            alarm._announce()

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
            alarm.write(values)
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
        """One summary notification per on-duty operator for all alarms not yet announced."""
        alarms = self.sudo().search([("notified", "=", False), ("state", "in", OPEN_STATES)], order="id")
        if not alarms:
            return 0
        sent = 0
        for user in self._duty_users(alarms.division_id):
            mine = alarms.filtered(lambda a, u=user: u._care_covers(a.division_id))
            if not mine:
                continue
            lines = "".join(
                f"<li>{alarm.name} · {alarm._kind_label()} · {alarm.recipient_id.name} · "
                f"{alarm.division_id.name or ''}{' ×' + str(alarm.event_count) if alarm.event_count > 1 else ''}</li>"
                for alarm in mine[:20]
            )
            more = self.env._("<p>… and %(count)s more.</p>", count=len(mine) - 20) if len(mine) > 20 else ""
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=self.env._("%(count)s new care alarm(s)", count=len(mine)),
                body=self.env._("<p>New alarms at the care desk:</p>") + f"<ul>{lines}</ul>" + more,
                email_layout_xmlid="mail.mail_notification_light",
            )
            sent += 1
        alarms.write({"notified": True})
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
                    ("raised_at", "<=", now - datetime.timedelta(seconds=seconds * factor)),
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
        for alarm in stale:
            alarm.write(
                {
                    "state": "new",
                    "refire_count": alarm.refire_count + 1,
                    "escalation_level": 0,
                    "callback_result": False,
                    "dispatched_at": False,
                }
            )
            alarm.message_post(
                body=self.env._(
                    "Arrival not confirmed within %(minutes)s minutes of dispatch: the alarm fires again.",
                    minutes=minutes,
                ),
                message_type="notification",
            )
        stale._announce()
        stale._schedule_escalation()
        return escalated, len(stale)
