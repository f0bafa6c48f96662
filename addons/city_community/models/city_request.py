import datetime
import logging

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("accepted", "Accepted"),
    ("refused", "Refused"),
    ("dispatched", "Dispatched"),
    ("in_progress", "In Progress"),
    ("returned", "Sent Back"),
    ("replied", "Replied"),
    ("closed", "Closed"),
    ("merged", "Merged"),
    ("cancelled", "Cancelled"),
]
CHANNELS = [
    ("portal", "Portal"),
    ("window", "Service Window"),
    ("hotline", "12345 Hotline"),
    ("api", "Data Interface"),
    ("sensor", "Sensor Alarm"),
]
SATISFACTION = [("satisfied", "Satisfied"), ("basic", "Basically Satisfied"), ("unsatisfied", "Unsatisfied")]
ESCALATION_LEVELS = [
    ("0", "None"),
    ("1", "Reminder (催办)"),
    ("2", "Notice to Head (通报)"),
    ("3", "Supervision (提级督办)"),
]


class CityRequest(models.Model):
    """One request of a resident or a sensor, whatever the channel it came through."""

    _name = "city.request"
    _description = "Community Service Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _mail_post_access = "read"

    # Open states, where deadlines run and escalation applies (deadline field tells which).
    OPEN_STATES = ("submitted", "accepted", "dispatched", "in_progress", "returned")
    # Allowed source states of every transition.
    TRANSITIONS = {
        "submit": ("draft",),
        "accept": ("submitted",),
        "refuse": ("submitted",),
        "dispatch": ("accepted",),
        "start": ("dispatched",),
        "send_back": ("dispatched", "in_progress"),
        "approve_return": ("returned",),
        "reject_return": ("returned",),
        "reply": ("dispatched", "in_progress"),
        "visit": ("replied",),
        "merge": ("submitted", "accepted", "dispatched", "in_progress"),
        "cancel": ("draft", "submitted"),
        "extend": ("accepted", "dispatched", "in_progress"),
    }

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/", index=True)
    item_id = fields.Many2one("city.service.item", string="Service Item", required=True, index=True, tracking=True)
    category_id = fields.Many2one(related="item_id.category_id", store=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, default="window", tracking=True)
    state = fields.Selection(STATES, required=True, default="draft", index=True, tracking=True, copy=False)
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent"), ("2", "Alarm")], default="0", index=True, tracking=True
    )
    description = fields.Text(required=True)
    # Applicant
    partner_id = fields.Many2one("res.partner", string="Resident", index=True, tracking=True)
    anonymous = fields.Boolean(help="The caller did not give a name; no return visit by name is possible.")
    caller_name = fields.Char()
    caller_phone = fields.Char()
    # Location
    division_id = fields.Many2one("city.division", string="Grid / Division", required=True, index=True, tracking=True)
    community_id = fields.Many2one("city.division", compute="_compute_community_id", store=True, index=True)
    building_id = fields.Many2one("city.building", index=True)
    household_id = fields.Many2one("city.household")
    address_note = fields.Char(string="Location Details")
    # Structured answers
    answer_ids = fields.One2many("city.request.answer", "request_id", string="Answers", copy=True)
    # Handling
    department_id = fields.Many2one("city.department", string="Lead Department", index=True, tracking=True)
    assist_department_ids = fields.Many2many(
        "city.department", "city_request_assist_rel", "request_id", "department_id", string="Assisting Departments"
    )
    user_id = fields.Many2one("res.users", string="Handler", index=True, tracking=True)
    accepted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    refuse_reason = fields.Text(tracking=True, copy=False)
    return_reason = fields.Text(string="Send-back Reason", tracking=True, copy=False)
    return_state = fields.Char(copy=False, help="State the request was in before it was sent back.")
    return_count = fields.Integer(string="Times Sent Back", copy=False, readonly=True)
    reply = fields.Html(copy=False, sanitize=True)
    reply_attachment_ids = fields.Many2many("ir.attachment", string="Reply Attachments", copy=False)
    # Dates and deadlines
    submit_date = fields.Datetime(readonly=True, copy=False, index=True)
    accept_deadline = fields.Datetime(readonly=True, copy=False)
    accept_date = fields.Datetime(readonly=True, copy=False)
    dispatch_date = fields.Datetime(readonly=True, copy=False)
    reply_deadline = fields.Datetime(readonly=True, copy=False, tracking=True)
    reply_date = fields.Datetime(readonly=True, copy=False)
    close_date = fields.Datetime(readonly=True, copy=False)
    deadline = fields.Datetime(
        readonly=True, copy=False, help="The deadline running now: acceptance while submitted, reply afterwards."
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    escalation_level = fields.Selection(ESCALATION_LEVELS, default="0", required=True, copy=False, tracking=True)
    escalation_date = fields.Datetime(readonly=True, copy=False)
    extension_ids = fields.One2many("city.request.extension", "request_id", string="Extensions")
    # Outcome figures (set by the workflow, read by the scorecards)
    one_stop = fields.Boolean(
        string="Accepted One-stop",
        readonly=True,
        copy=False,
        help="Accepted within the acceptance limit at the first contact and never sent back by a department.",
    )
    on_time = fields.Boolean(string="Replied on Time", readonly=True, copy=False)
    reply_work_hours = fields.Float(string="Working Hours to Reply", readonly=True, copy=False, aggregator="avg")
    reopen_count = fields.Integer(readonly=True, copy=False)
    visit_ids = fields.One2many("city.request.visit", "request_id", string="Return Visits")
    satisfaction = fields.Selection(SATISFACTION, readonly=True, copy=False, tracking=True)
    # Duplicates
    merged_into_id = fields.Many2one("city.request", readonly=True, copy=False, index=True)
    merged_request_ids = fields.One2many("city.request", "merged_into_id", string="Merged Requests")
    affected_partner_ids = fields.Many2many(
        "res.partner",
        "city_request_affected_partner_rel",
        "request_id",
        "partner_id",
        string="Also Affected",
        copy=False,
    )
    affected_count = fields.Integer(compute="_compute_affected_count", string="Also Affected Count")
    portal_partner_ids = fields.Many2many(
        "res.partner",
        "city_request_portal_partner_rel",
        "request_id",
        "partner_id",
        compute="_compute_portal_partner_ids",
        store=True,
        string="Portal Followers",
        help="The applicant and the residents also affected: they see the request in the portal.",
    )
    duplicate_count = fields.Integer(compute="_compute_duplicate_count", string="Possible Duplicates")
    # Sensor alarms
    device_id = fields.Many2one("city.alarm.device", index=True, readonly=True)
    alarm_condition = fields.Char(readonly=True)
    alarm_count = fields.Integer(readonly=True, default=0)
    last_alarm_date = fields.Datetime(readonly=True)
    # Data interface
    client_ref = fields.Char(
        string="Client Reference", copy=False, readonly=True, help="Idempotency key of a request sent through the API."
    )

    _sql_constraints = [
        (
            "client_ref_unique",
            "unique(create_uid, client_ref)",
            "This client reference was already used: the request exists.",
        ),
    ]

    def init(self):
        # Escalation and dashboards scan open requests by deadline; the portal lists by resident.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_request_open_deadline_idx ON city_request (deadline, escalation_level) "
            "WHERE state IN ('submitted', 'accepted', 'dispatched', 'in_progress', 'returned')"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_request_partner_id_desc_idx ON city_request (partner_id, id DESC)"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_request_device_open_idx ON city_request (device_id, alarm_condition) "
            "WHERE device_id IS NOT NULL AND state IN ('submitted', 'accepted', 'dispatched', 'in_progress', "
            "'returned')"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_request_portal_partner_idx "
            "ON city_request_portal_partner_rel (partner_id, request_id)"
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("division_id.parent_path")
    def _compute_community_id(self):
        for request in self:
            division = request.division_id
            while division and division.type not in ("community", "street", "district", "city"):
                division = division.parent_id
            request.community_id = division if division.type == "community" else request.division_id

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for request in self:
            request.is_overdue = bool(request.state in self.OPEN_STATES and request.deadline and request.deadline < now)

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Overdue can only be searched with = or !=."))
        overdue = [("state", "in", self.OPEN_STATES), ("deadline", "<", fields.Datetime.now())]
        return overdue if (operator == "=") == bool(value) else ["!", "&", *overdue]

    @api.depends("partner_id", "affected_partner_ids")
    def _compute_portal_partner_ids(self):
        for request in self:
            request.portal_partner_ids = request.partner_id | request.affected_partner_ids

    def _compute_affected_count(self):
        for request in self:
            request.affected_count = len(request.affected_partner_ids)

    def _compute_duplicate_count(self):
        for request in self:
            request.duplicate_count = len(request._find_duplicates()) if request.state in self.OPEN_STATES else 0

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/requests/{request.id}"
        return result

    # ------------------------------------------------------------------
    # Onchanges and constraints
    # ------------------------------------------------------------------
    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        for request in self:
            request.update(request._location_from_partner(request.partner_id))

    @api.onchange("household_id")
    def _onchange_household_id(self):
        if self.household_id:
            self.building_id = self.household_id.building_id

    @api.onchange("building_id")
    def _onchange_building_id(self):
        if self.building_id:
            self.division_id = self.building_id.grid_id

    @api.constrains("building_id", "household_id", "division_id")
    def _check_location(self):
        for request in self:
            if request.household_id and request.household_id.building_id != request.building_id:
                raise ValidationError(self.env._("The household is not in the chosen building."))
            if request.building_id and request.building_id.grid_id != request.division_id:
                raise ValidationError(self.env._("The building is not in the chosen grid."))

    @api.constrains("anonymous", "partner_id", "channel")
    def _check_applicant(self):
        for request in self:
            if request.channel in ("portal", "window") and not request.partner_id:
                raise ValidationError(self.env._("A request made at the window or in the portal needs a resident."))
            if request.anonymous and request.channel != "hotline":
                raise ValidationError(self.env._("Only hotline callers can stay anonymous."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def _location_from_partner(self, partner):
        """Location values taken from the resident's home (empty dict when he has none)."""
        partner = partner.sudo()
        if not partner.city_division_id:
            return {}
        return {
            "division_id": partner.city_division_id.id,
            "building_id": partner.city_building_id.id,
            "household_id": partner.city_household_id.id,
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id") and not vals.get("division_id"):
                location = self._location_from_partner(self.env["res.partner"].browse(vals["partner_id"]))
                for key, value in location.items():
                    vals.setdefault(key, value)
            if vals.get("building_id") and not vals.get("division_id"):
                vals["division_id"] = self.env["city.building"].browse(vals["building_id"]).grid_id.id
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("city.request") or "/"
        requests = super().create(vals_list)
        for request in requests.filtered("partner_id"):
            request.message_subscribe(partner_ids=request.partner_id.ids)
        return requests

    @api.model
    def _answer_commands(self, item, answers):
        """Create commands for the answers to ``item``'s questions (keyed by question text or id)."""
        by_key = {}
        for key, value in (answers or {}).items():
            by_key[str(key).strip()] = value
        commands = []
        for question in item.question_ids:
            raw = by_key.get(str(question.id), by_key.get(question.name))
            value = question._parse_answer(raw)
            if value is not False:
                commands.append(fields.Command.create({"question_id": question.id, "value": value}))
        return commands

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(request.state != "draft" for request in self):
            raise UserError(self.env._("Only draft requests can be deleted; cancel or close the others."))

    # ------------------------------------------------------------------
    # Workflow helpers
    # ------------------------------------------------------------------
    def _check_transition(self, action):
        """Refuse ``action`` unless every request is in one of its source states.

        The rows are locked first, so two people acting on the same request at once are
        serialised: the second one sees the first one's state and is refused (or retried).
        """
        allowed = self.TRANSITIONS[action]
        real_ids = tuple(request_id for request_id in self.ids if isinstance(request_id, int))
        if real_ids:
            self.flush_recordset()
            self.env.cr.execute(SQL("SELECT id FROM city_request WHERE id IN %s FOR NO KEY UPDATE", real_ids))
            self.invalidate_recordset(["state"])
        labels = dict(self._fields["state"]._description_selection(self.env))
        for request in self:
            if request.state not in allowed:
                raise UserError(
                    self.env._(
                        "Request %(ref)s is %(state)s; this step needs it to be %(allowed)s.",
                        ref=request.name,
                        state=labels[request.state],
                        allowed=self.env._(" or ").join(labels[state] for state in allowed),
                    )
                )

    @api.model
    def _city_tz(self):
        """Deadlines run on the city's clock, whatever the time zone of the acting user."""
        return self.env["ir.config_parameter"].sudo().get_param("city_community.timezone") or "Asia/Shanghai"

    @api.model
    def _end_of_workday(self, day):
        """The end of the last working period of ``day`` (a local date), as naive UTC."""
        zone = pytz.timezone(self._city_tz())
        end_minutes = self.env["city.holiday"]._work_periods()[-1][1]
        local = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=end_minutes)
        return zone.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _local_date(self, moment):
        zone = pytz.timezone(self._city_tz())
        return pytz.utc.localize(moment).astimezone(zone).date()

    def _compute_reply_deadline(self, start, days):
        """End of the ``days``-th working day after ``start`` (naive UTC)."""
        calendar = self.env["city.holiday"]
        return self._end_of_workday(calendar.add_workdays(self._local_date(start), days))

    def _log_step(self, body):
        """A chatter note of a workflow step (the author and the date are the message's own)."""
        for request in self:
            request.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def _notify_resident(self, body):
        """A message the resident sees in the portal and gets by e-mail."""
        for request in self.filtered("partner_id"):
            request.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_comment")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        self._check_transition("submit")
        now = fields.Datetime.now()
        calendar = self.env["city.holiday"]
        for request in self:
            if request.item_id.is_alarm and request.channel == "sensor":
                deadline = now + datetime.timedelta(minutes=request.item_id.alarm_ack_minutes or 30)
            else:
                deadline = calendar.add_work_hours(now, request.item_id.accept_hours, tz=self._city_tz())
            request.write(
                {
                    "state": "submitted",
                    "submit_date": now,
                    "accept_deadline": deadline,
                    "deadline": deadline,
                    "escalation_level": "0",
                }
            )
        self._notify_resident(self.env._("Your request was received and is waiting for acceptance."))
        return True

    def action_accept(self):
        self._check_transition("accept")
        now = fields.Datetime.now()
        for request in self:
            reply_deadline = request._compute_reply_deadline(now, request.item_id.legal_days)
            request.write(
                {
                    "state": "accepted",
                    "accept_date": now,
                    "accepted_by_id": self.env.uid,
                    "one_stop": not request.accept_deadline or now <= request.accept_deadline,
                    "reply_deadline": reply_deadline,
                    "deadline": reply_deadline,
                    "escalation_level": "0",
                }
            )
        self._notify_resident(self.env._("Your request was accepted (受理)."))
        for request in self:
            department, assist = request._dispatch_proposal()
            if department:
                request._dispatch(department, assist, auto=True)
        return True

    def action_refuse(self, reason):
        self._check_transition("refuse")
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason why the request is not accepted."))
        self.write(
            {"state": "refused", "refuse_reason": reason, "close_date": fields.Datetime.now(), "deadline": False}
        )
        self._notify_resident(self.env._("Your request was not accepted (不予受理): %(reason)s", reason=reason))
        return True

    def _dispatch_proposal(self):
        """(lead department, assisting departments) of the matching dispatch rule, else of the item."""
        self.ensure_one()
        rule = self.env["city.dispatch.rule"]._find(self.item_id, self.division_id)
        if rule:
            return rule.department_id, rule.assist_department_ids - rule.department_id
        department = self.item_id.department_id
        return department, self.item_id.assist_department_ids - department

    def _dispatch(self, department, assist_departments, auto=False):
        for request in self:
            values = {
                "state": "dispatched",
                "department_id": department.id,
                "assist_department_ids": [fields.Command.set(assist_departments.ids)],
                "dispatch_date": fields.Datetime.now(),
                "user_id": False,
            }
            request.write(values)
            followers = (department | assist_departments).user_ids.partner_id
            request.message_subscribe(partner_ids=followers.ids)
            text = (
                self.env._("Dispatched automatically to %(department)s.", department=department.name)
                if auto
                else self.env._("Dispatched (交办) to %(department)s.", department=department.name)
            )
            if assist_departments:
                text += " " + self.env._(
                    "Assisting: %(departments)s.", departments=", ".join(assist_departments.mapped("name"))
                )
            request._log_step(text)

    def _as_records(self, model, value):
        """Accept records or ids (XML function calls and RPC pass ids)."""
        if isinstance(value, models.BaseModel):
            return value
        if isinstance(value, int):
            value = [value]
        return self.env[model].browse(value or [])

    def action_dispatch(self, department, assist_departments=None):
        self._check_transition("dispatch")
        department = self._as_records("city.department", department)
        assist_departments = self._as_records("city.department", assist_departments)
        assist_departments = assist_departments - department
        if not department:
            raise UserError(self.env._("Choose the lead department."))
        self._dispatch(department, assist_departments)
        return True

    def action_start(self):
        self._check_transition("start")
        self._check_department_member()
        self.write({"state": "in_progress", "user_id": self.env.uid})
        return True

    def _check_department_member(self):
        """Only an officer of the lead department (or a manager) handles the request."""
        user = self.env.user
        if user.has_group("city_base.group_city_base_manager") or self.env.su:
            return
        for request in self:
            if request.department_id not in user.city_department_ids:
                raise UserError(
                    self.env._(
                        "Only an officer of %(department)s can handle request %(ref)s.",
                        department=request.department_id.name,
                        ref=request.name,
                    )
                )

    def action_send_back(self, reason):
        """退单: the department says the request is not theirs; a manager decides."""
        self._check_transition("send_back")
        self._check_department_member()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for sending the request back."))
        for request in self:
            request.write(
                {
                    "state": "returned",
                    "return_state": request.state,
                    "return_reason": reason,
                    "return_count": request.return_count + 1,
                    "one_stop": False,
                }
            )
            request._log_step(
                self.env._(
                    "%(department)s sent the request back: %(reason)s",
                    department=request.department_id.name,
                    reason=reason,
                )
            )
            request._schedule_for_managers(self.env._("Approve or reject the send-back of %(ref)s", ref=request.name))
        return True

    def _check_manager(self):
        if not (self.env.su or self.env.user.has_group("city_base.group_city_base_manager")):
            raise UserError(self.env._("Only a community manager can approve this."))

    def action_approve_return(self, department, assist_departments=None):
        """改派: the manager agrees with the send-back and re-dispatches to another department."""
        self._check_transition("approve_return")
        self._check_manager()
        department = self._as_records("city.department", department)
        assist_departments = self._as_records("city.department", assist_departments)
        if not department:
            raise UserError(self.env._("Choose the department the request goes to now."))
        for request in self:
            if department == request.department_id:
                raise UserError(
                    self.env._("Re-dispatch to another department than the one that sent the request back.")
                )
        self._close_manager_activities()
        self._dispatch(department, assist_departments - department)
        return True

    def action_reject_return(self, reason):
        self._check_transition("reject_return")
        self._check_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason why the department keeps the request."))
        self._close_manager_activities()
        for request in self:
            request.write({"state": request.return_state or "dispatched"})
            request._log_step(
                self.env._(
                    "Send-back rejected, %(department)s keeps the request: %(reason)s",
                    department=request.department_id.name,
                    reason=reason,
                )
            )
        return True

    def action_reply(self, reply, attachments=None):
        self._check_transition("reply")
        self._check_department_member()
        if not reply or not str(reply).strip():
            raise UserError(self.env._("Write the reply to the resident."))
        now = fields.Datetime.now()
        calendar = self.env["city.holiday"]
        for request in self:
            values = {
                "state": "replied",
                "reply": reply,
                "reply_date": now,
                "deadline": False,
                "on_time": bool(request.reply_deadline and now <= request.reply_deadline),
                "reply_work_hours": calendar.work_hours_between(
                    request.accept_date or request.submit_date, now, tz=self._city_tz()
                ),
                "user_id": request.user_id.id or self.env.uid,
            }
            if attachments:
                attachments.sudo().write({"res_model": self._name, "res_id": request.id})
                values["reply_attachment_ids"] = [fields.Command.link(a.id) for a in attachments]
            request.write(values)
            request.message_post(
                body=request.reply,  # sanitized HTML of the field, not the raw argument
                subject=self.env._("Reply to %(ref)s", ref=request.name),
                attachment_ids=attachments.ids if attachments else [],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.activity_unlink(
            [
                "city_community.mail_activity_type_reminder",
                "city_community.mail_activity_type_notice",
                "city_community.mail_activity_type_supervision",
            ]
        )
        return True

    def action_visit(self, satisfaction, channel="phone", comment=False):
        """回访: record the resident's rating; 不满意 reopens and re-dispatches to the same department."""
        self._check_transition("visit")
        if satisfaction not in dict(SATISFACTION):
            raise UserError(self.env._("Choose satisfied, basically satisfied or unsatisfied."))
        now = fields.Datetime.now()
        for request in self:
            self.env["city.request.visit"].create(
                {
                    "request_id": request.id,
                    "department_id": request.department_id.id,
                    "satisfaction": satisfaction,
                    "channel": channel,
                    "comment": comment,
                    "user_id": self.env.uid,
                    "visit_date": now,
                }
            )
            if satisfaction == "unsatisfied":
                reply_deadline = request._compute_reply_deadline(now, request.item_id.legal_days)
                request.write(
                    {
                        "satisfaction": satisfaction,
                        "state": "dispatched",
                        "reopen_count": request.reopen_count + 1,
                        "reply_deadline": reply_deadline,
                        "deadline": reply_deadline,
                        "escalation_level": "0",
                        "escalation_date": False,
                        "user_id": False,
                    }
                )
                request._log_step(
                    self.env._(
                        "Unsatisfied return visit: reopened and sent back to %(department)s.",
                        department=request.department_id.name,
                    )
                )
            else:
                request.write({"satisfaction": satisfaction, "state": "closed", "close_date": now})
        return True

    def action_close_unreachable(self):
        """Close a replied request whose caller cannot be reached for the return visit."""
        self._check_transition("visit")
        self.write({"state": "closed", "close_date": fields.Datetime.now()})
        self._log_step(self.env._("Closed without a return visit: the caller could not be reached."))
        return True

    def action_cancel(self):
        self._check_transition("cancel")
        self.write({"state": "cancelled", "close_date": fields.Datetime.now(), "deadline": False})
        self._log_step(self.env._("Request cancelled."))
        return True

    def action_request_extension(self, days, reason):
        self._check_transition("extend")
        if days <= 0:
            raise UserError(self.env._("An extension is at least one working day."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for the extension."))
        extensions = self.env["city.request.extension"]
        for request in self:
            if request.extension_ids.filtered(lambda extension: extension.state == "pending"):
                raise UserError(
                    self.env._("Request %(ref)s already has an extension waiting for approval.", ref=request.name)
                )
            extensions |= extensions.create({"request_id": request.id, "days": days, "reason": reason})
        return extensions

    # ------------------------------------------------------------------
    # Merging duplicates (并单)
    # ------------------------------------------------------------------
    def _duplicate_domain(self):
        self.ensure_one()
        since = (self.submit_date or self.create_date or fields.Datetime.now()) - datetime.timedelta(
            days=self.item_id.duplicate_days or 7
        )
        place = [("division_id", "=", self.division_id.id)]
        if self.building_id:
            place = ["|", ("building_id", "=", self.building_id.id), *place]
        same = place
        if self.partner_id:
            same = ["|", ("partner_id", "=", self.partner_id.id), *place]
        exclude = [("id", "!=", self.id)] if isinstance(self.id, int) else []
        return [
            *exclude,
            ("item_id", "=", self.item_id.id),
            ("state", "in", self.OPEN_STATES),
            ("submit_date", ">=", since),
            *same,
        ]

    def _find_duplicates(self):
        self.ensure_one()
        if not self.item_id or not self.division_id:
            return self.browse()
        return self.search(self._duplicate_domain(), limit=20)

    def action_merge_into(self, target):
        """Merge ``self`` (duplicates) into ``target``; followers are kept and told."""
        target = self._as_records("city.request", target)
        target.ensure_one()
        self._check_transition("merge")
        target._check_transition("merge")
        if target in self:
            raise UserError(self.env._("A request cannot be merged into itself."))
        for request in self:
            if request.item_id != target.item_id:
                raise UserError(
                    self.env._("%(ref)s is another service item; only duplicates can be merged.", ref=request.name)
                )
            followers = request.message_partner_ids
            target.message_subscribe(partner_ids=followers.ids)
            if request.partner_id and request.partner_id != target.partner_id:
                target.affected_partner_ids = [fields.Command.link(request.partner_id.id)]
            request.write(
                {"state": "merged", "merged_into_id": target.id, "close_date": fields.Datetime.now(), "deadline": False}
            )
            request.message_post(
                body=self.env._(
                    "Merged into %(ref)s; follow that request for its progress.", ref=target._get_html_link()
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            target.message_post(
                body=self.env._(
                    "%(ref)s was merged into this request; its followers now follow this one.",
                    ref=request._get_html_link(),
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_join(self, partner):
        """The resident says he is "also affected" by this open request."""
        self.ensure_one()
        if self.state not in self.OPEN_STATES:
            raise UserError(self.env._("Only open requests can be joined."))
        if partner == self.partner_id or partner in self.affected_partner_ids:
            raise UserError(self.env._("You already follow this request."))
        self.sudo().write({"affected_partner_ids": [fields.Command.link(partner.id)]})
        self.sudo().message_subscribe(partner_ids=partner.ids)
        self.sudo()._log_step(self.env._("%(name)s is also affected.", name=partner.name))
        return True

    # ------------------------------------------------------------------
    # Activities
    # ------------------------------------------------------------------
    def _schedule_for_managers(self, summary):
        managers = (
            self.env.ref("city_base.group_city_base_manager")
            .sudo()
            .users.filtered(
                lambda user: (
                    not user.share
                    and (
                        not user.city_division_ids
                        or self.division_id.filtered_domain([("id", "child_of", user.city_division_ids.ids)])
                    )
                )
            )
        )
        for request in self:
            for manager in managers[:3]:
                request.sudo().activity_schedule(
                    "city_community.mail_activity_type_approval", summary=summary, user_id=manager.id
                )

    def _close_manager_activities(self):
        self.sudo().activity_unlink(["city_community.mail_activity_type_approval"])

    # ------------------------------------------------------------------
    # Escalation (cron)
    # ------------------------------------------------------------------
    @api.model
    def _escalation_cutoffs(self, now=None):
        """Deadline cut-offs per level: level N is due when the deadline is before cut-off N.

        Level 1 is any overdue request; levels 2 and 3 need the configured number of working
        days (in working hours, so nights, weekends and holidays do not count) past the deadline.
        """
        now = now or fields.Datetime.now()
        params = self.env["ir.config_parameter"].sudo()
        calendar = self.env["city.holiday"]
        day_hours = sum(end - begin for begin, end in calendar._work_periods()) / 60
        cutoffs = {1: now}
        for level, key, default in ((2, "notice_days", 1), (3, "supervise_days", 3)):
            try:
                days = float(params.get_param(f"city_community.escalation_{key}", default))
            except (TypeError, ValueError):
                days = default
            cutoffs[level] = calendar.subtract_work_hours(now, days * day_hours, tz=self._city_tz())
        return cutoffs

    @api.model
    def _cron_escalate(self, now=None, batch_size=2000):
        """Raise each overdue open request to the level it has reached, once per level.

        The level is raised by one UPDATE ... RETURNING per level, so a request is notified for a
        level exactly once even when two crons run at the same time.
        """
        now = now or fields.Datetime.now()
        cutoffs = self._escalation_cutoffs(now)
        self.flush_model()
        total = 0
        for level in (3, 2, 1):
            while True:
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE city_request SET escalation_level = %(level)s, escalation_date = %(now)s
                         WHERE id IN (
                            SELECT id FROM city_request
                             WHERE state IN %(states)s AND deadline < %(cutoff)s
                               AND escalation_level < %(level)s
                             ORDER BY deadline LIMIT %(limit)s
                             FOR UPDATE SKIP LOCKED)
                        RETURNING id
                        """,
                        level=str(level),
                        now=now,
                        states=self.OPEN_STATES,
                        cutoff=cutoffs[level],
                        limit=batch_size,
                    )
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
                if not ids:
                    break
                self.invalidate_model(["escalation_level", "escalation_date"])
                self.browse(ids)._notify_escalation(level)
                total += len(ids)
                if len(ids) < batch_size:
                    break
        return total

    def _notify_escalation(self, level):
        """One activity and one chatter message per request for the level just reached."""
        activity_type = self.env.ref(
            {
                1: "city_community.mail_activity_type_reminder",
                2: "city_community.mail_activity_type_notice",
                3: "city_community.mail_activity_type_supervision",
            }[level]
        )
        supervisor_id = int(
            self.env["ir.config_parameter"].sudo().get_param("city_community.supervisor_user_id", 0) or 0
        )
        supervisor = self.env["res.users"].browse(supervisor_id).exists() or self.env.ref("base.user_admin")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        activities, bodies = [], {}
        for request in self.sudo():
            department = request.department_id
            if level == 1:
                user = request.user_id or department.user_ids[:1] or department.head_id
                text = self.env._("Reminder (催办): %(ref)s is past its deadline.", ref=request.name)
            elif level == 2:
                user = department.head_id or request.user_id or department.user_ids[:1]
                text = self.env._(
                    "Notice (通报) to the head of %(department)s: %(ref)s is overdue.",
                    department=department.name or self.env._("the community"),
                    ref=request.name,
                )
            else:
                user = supervisor
                text = self.env._(
                    "Escalated to the supervisor (提级督办): %(ref)s is seriously overdue.", ref=request.name
                )
            if not user:
                user = request.accepted_by_id or supervisor
            bodies[request.id] = text
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": request.id,
                    "activity_type_id": activity_type.id,
                    "summary": text,
                    "user_id": user.id,
                    "date_deadline": today,
                    "automated": True,
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        self.sudo()._message_log_batch(bodies=bodies)

    # ------------------------------------------------------------------
    # Buttons opening wizards
    # ------------------------------------------------------------------
    def _wizard_action(self, model, name, context):
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "name": name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def _reason_wizard(self, action, name):
        self._check_transition(action)
        return self._wizard_action(
            "city.request.reason.wizard",
            name,
            {"default_request_ids": self.ids, "default_action": action},
        )

    def action_open_refuse_wizard(self):
        return self._reason_wizard("refuse", self.env._("Refuse (不予受理)"))

    def action_open_send_back_wizard(self):
        self._check_department_member()
        return self._reason_wizard("send_back", self.env._("Send Back (退单)"))

    def action_open_reject_return_wizard(self):
        self._check_manager()
        return self._reason_wizard("reject_return", self.env._("Reject the Send-back"))

    def action_open_dispatch_wizard(self):
        self._check_transition("dispatch")
        request = self[:1]
        department, assist = request._dispatch_proposal()
        return self._wizard_action(
            "city.request.dispatch.wizard",
            self.env._("Dispatch (交办)"),
            {
                "default_request_ids": self.ids,
                "default_mode": "dispatch",
                "default_department_id": department.id,
                "default_assist_department_ids": assist.ids,
            },
        )

    def action_open_approve_return_wizard(self):
        self._check_transition("approve_return")
        self._check_manager()
        return self._wizard_action(
            "city.request.dispatch.wizard",
            self.env._("Re-dispatch (改派)"),
            {"default_request_ids": self.ids, "default_mode": "reassign"},
        )

    def action_open_reply_wizard(self):
        self.ensure_one()
        self._check_transition("reply")
        self._check_department_member()
        return self._wizard_action(
            "city.request.reply.wizard", self.env._("Reply (办结)"), {"default_request_id": self.id}
        )

    def action_open_visit_wizard(self):
        self.ensure_one()
        self._check_transition("visit")
        return self._wizard_action(
            "city.request.visit.wizard", self.env._("Return Visit (回访)"), {"default_request_id": self.id}
        )

    def action_open_merge_wizard(self):
        self.ensure_one()
        self._check_transition("merge")
        return self._wizard_action(
            "city.request.merge.wizard",
            self.env._("Merge Duplicates (并单)"),
            {"default_request_id": self.id, "default_duplicate_ids": self._find_duplicates().ids},
        )

    def action_open_extension_wizard(self):
        self.ensure_one()
        self._check_transition("extend")
        return self._wizard_action(
            "city.request.extension.wizard", self.env._("Request an Extension"), {"default_request_id": self.id}
        )

    def action_view_duplicates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_community.city_request_action")
        action["domain"] = [("id", "in", self._find_duplicates().ids)]
        action["context"] = {}
        return action
