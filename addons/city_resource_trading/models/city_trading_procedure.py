import datetime
import json
import logging

import pytz

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.city_base.tools import validators
from odoo.addons.city_base.tools.dates import CITY_TZ, city_local_text

from ..tools import sealing

STATES = [
    ("draft", "Draft"),
    ("published", "Notice Published"),
    ("clarification", "Clarification"),
    ("bidding", "Bid Submission"),
    ("opening", "Opening"),
    ("evaluation", "Evaluation"),
    ("publicity", "Candidates' Publicity"),
    ("awarded", "Awarded"),
    ("contracted", "Contract Recorded"),
    ("suspended", "Suspended"),
    ("cancelled", "Cancelled"),
    ("unsuccessful", "Unsuccessful"),
]
FINAL_STATES = ("contracted", "cancelled", "unsuccessful")
# The states in which bids are accepted (until the bid deadline).
BIDDING_STATES = ("published", "clarification", "bidding")
# The states in which clarification questions are accepted (until the clarification deadline).
ASKING_STATES = ("published", "clarification")
# Once a procedure reached one of these, its bids were opened.
OPENED_STATES = ("evaluation", "publicity", "awarded", "contracted", "unsuccessful")
# Tender documents are on sale (发售期) for this many days after the notice; questions are taken from
# the notice on, and the clarification period proper starts when the sale period ends.
DOCUMENT_SALE_DAYS = 5
# Deadlines moved by a suspension (each one still ahead when the procedure was suspended).
DEADLINE_FIELDS = ("clarification_start", "clarification_deadline", "bid_deadline", "opening_at", "publicity_end")
# Fields only the platform itself writes (publication, the clock, suspension, the opening).
INTERNAL_FIELDS = {
    "state",
    "rule_id",
    "published_at",
    "clarification_start",
    "clarification_deadline",
    "publicity_end",
    "suspended_state",
    "suspended_at",
    "suspension_reason",
    "key_released_at",
    "seal_salt",
    "seal_public_key",
    "opening_record",
    "reference",
}
# Fields frozen by the publication (changed afterwards only through an amendment).
NOTICE_FIELDS = {"type_id", "buyer_id", "bid_deadline", "opening_at", "criterion", "price_weight", "estimate_amount"}
_logger = logging.getLogger(__name__)
OFFICER = "city_resource_trading.group_city_resource_trading_officer"
SUPERVISOR = "city_resource_trading.group_city_resource_trading_supervisor"


def city_day(moment):
    """The city calendar day of a naive UTC datetime."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(CITY_TZ)).date()


class CityTradingProcedure(models.Model):
    """A trading procedure (交易项目): notice, documents, questions, bids, opening, result.

    Time-driven moves (notice → clarification → bidding → opening → evaluation, publicity → awarded)
    happen only in the scheduled job at the deadlines, never by a button.
    """

    _name = "city.trading.procedure"
    _description = "Trading Procedure"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "published_at desc, id desc"
    _rec_names_search = ["reference", "name"]

    reference = fields.Char(required=True, readonly=True, copy=False, default="/", index=True)
    name = fields.Char(required=True, tracking=True)
    type_id = fields.Many2one("city.trading.type", required=True, ondelete="restrict", tracking=True)
    type_code = fields.Selection(related="type_id.code", store=True)
    rule_id = fields.Many2one(
        "city.trading.rule",
        string="Rule Version",
        readonly=True,
        copy=False,
        ondelete="restrict",
        tracking=True,
        help="The version of the rules in force on the day of publication.",
    )
    buyer_id = fields.Many2one(
        "res.partner",
        required=True,
        tracking=True,
        domain="[('is_company', '=', True), ('uscc', '!=', False)]",
        help="The tendering organisation (招标人/采购人/出让人), identified by its unified social credit code.",
    )
    buyer_name = fields.Char(related="buyer_id.name", store=True, string="Buyer Name")
    division_id = fields.Many2one("city.division", tracking=True, index=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.ref("base.CNY", raise_if_not_found=False) or self.env.company.currency_id,
    )
    estimate_amount = fields.Monetary("Estimate", currency_field="currency_id", tracking=True)
    description = fields.Html("Notice", sanitize=True)
    criterion = fields.Selection(
        [("price", "Lowest Price"), ("comprehensive", "Comprehensive Evaluation")],
        required=True,
        default="price",
        tracking=True,
    )
    price_weight = fields.Float("Price Weight (%)", default=100.0, tracking=True)
    published_at = fields.Datetime(readonly=True, copy=False, tracking=True)
    clarification_start = fields.Datetime(
        readonly=True, copy=False, help="End of the document sale period; the clarification period starts."
    )
    clarification_deadline = fields.Datetime(
        readonly=True, copy=False, help="Questions close at this time (bid deadline minus the rule's cut-off)."
    )
    bid_deadline = fields.Datetime(tracking=True, copy=False)
    opening_at = fields.Datetime("Opening Time", tracking=True, copy=False)
    publicity_end = fields.Datetime(readonly=True, copy=False, tracking=True)
    state = fields.Selection(STATES, required=True, default="draft", readonly=True, copy=False, tracking=True)
    is_public = fields.Boolean(compute="_compute_is_public", store=True, index=True)
    suspended_state = fields.Selection(STATES, readonly=True, copy=False)
    suspended_at = fields.Datetime(readonly=True, copy=False)
    suspension_reason = fields.Text(readonly=True, copy=False)
    contract_reference = fields.Char(copy=False, tracking=True)
    contract_date = fields.Date(copy=False, tracking=True)
    contract_amount = fields.Monetary(currency_field="currency_id", copy=False, tracking=True)
    award_amount = fields.Monetary(currency_field="currency_id", copy=False, tracking=True)
    winner_bid_id = fields.Many2one("city.trading.bid", string="Winning Bid", copy=False, tracking=True)
    bid_ids = fields.One2many("city.trading.bid", "procedure_id", string="Bids")
    document_ids = fields.One2many("city.trading.document", "procedure_id", string="Tender Documents")
    question_ids = fields.One2many("city.trading.question", "procedure_id", string="Questions")
    amendment_ids = fields.One2many("city.trading.amendment", "procedure_id", string="Amendments")
    registration_ids = fields.One2many("city.trading.registration", "procedure_id", string="Registrations")
    download_ids = fields.One2many("city.trading.download", "procedure_id", string="Downloads")
    key_released_at = fields.Datetime("Bid Key Released", readonly=True, copy=False)
    seal_salt = fields.Char(readonly=True, copy=False, groups="base.group_system")
    seal_public_key = fields.Char("Sealing Public Key", readonly=True, copy=False)
    opening_record = fields.Text(
        readonly=True, copy=False, help="The published opening record (JSON): bidders, prices and findings."
    )
    bid_count = fields.Integer(compute="_compute_bid_count")
    registration_count = fields.Integer(compute="_compute_registration_count")

    _sql_constraints = [
        ("reference_unique", "unique(reference)", "The procedure reference must be unique."),
        ("estimate_positive", "CHECK(estimate_amount >= 0)", "The estimate cannot be negative."),
        (
            "price_weight_range",
            "CHECK(price_weight >= 0 AND price_weight <= 100)",
            "The price weight is a percentage between 0 and 100.",
        ),
        (
            "opening_after_deadline",
            "CHECK(opening_at IS NULL OR bid_deadline IS NULL OR opening_at >= bid_deadline)",
            "Bids are opened at or after the bid deadline.",
        ),
    ]

    def init(self):
        # The public notice list: newest published first, optionally by type and state.
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_trading_procedure_notice_idx
                   ON city_trading_procedure (published_at DESC, id DESC) WHERE is_public"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_trading_procedure_notice_type_idx
                   ON city_trading_procedure (type_code, state, published_at DESC, id DESC) WHERE is_public"""
        )

    @api.depends("state")
    def _compute_is_public(self):
        for procedure in self:
            procedure.is_public = procedure.state != "draft"

    def _compute_bid_count(self):
        counts = dict(
            self.env["city.trading.bid"]._read_group(
                [("procedure_id", "in", self.ids), ("state", "not in", ("draft", "replaced", "withdrawn"))],
                ["procedure_id"],
                ["__count"],
            )
        )
        for procedure in self:
            procedure.bid_count = counts.get(procedure, 0)

    def _compute_registration_count(self):
        counts = dict(
            self.env["city.trading.registration"]._read_group(
                [("procedure_id", "in", self.ids)], ["procedure_id"], ["__count"]
            )
        )
        for procedure in self:
            procedure.registration_count = counts.get(procedure, 0)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for procedure in self:
            procedure.access_url = f"/my/trading/{procedure.id}"
        return result

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for procedure in self:
            procedure.display_name = (
                f"[{procedure.reference}] {procedure.name}" if procedure.name else procedure.reference
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_trading_internal"):
            for vals in vals_list:
                forbidden = (INTERNAL_FIELDS - {"reference"}) & set(vals)
                if forbidden:
                    raise UserError(
                        self.env._("These fields are set by the platform: %(fields)s", fields=", ".join(forbidden))
                    )
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("city.trading.procedure") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get("city_trading_internal"):
            forbidden = INTERNAL_FIELDS & set(vals)
            if forbidden:
                raise UserError(
                    self.env._("These fields are set by the platform: %(fields)s", fields=", ".join(sorted(forbidden)))
                )
            if NOTICE_FIELDS & set(vals) and any(procedure.state != "draft" for procedure in self):
                raise UserError(
                    self.env._("A published notice is changed only through an amendment (the timetable is fixed).")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(procedure.state != "draft" for procedure in self):
            raise UserError(self.env._("A published procedure is never deleted; cancel or suspend it instead."))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _write_internal(self, vals):
        return self.with_context(city_trading_internal=True).write(vals)

    def _audit(self, event, payload=None):
        for procedure in self:
            self.env["city.audit.log"].record(
                f"trading.{event}", procedure, dict(payload or {}, procedure=procedure.reference), chain="trading"
            )

    def _seal_info(self):
        self.ensure_one()
        return f"city.trading.procedure:{self.id}".encode()

    def _local(self, moment):
        return city_local_text(moment)

    # ------------------------------------------------------------------
    # Publication
    # ------------------------------------------------------------------
    def action_publish(self):
        """Publish the notice: check the timetable against the rule in force and record that version."""
        return self._publish(fields.Datetime.now())

    def _publish(self, now):
        self.check_access("write")
        Rule = self.env["city.trading.rule"]
        for procedure in self:
            if procedure.state != "draft":
                raise UserError(self.env._("Only a draft procedure can be published."))
            if not procedure.bid_deadline or not procedure.opening_at:
                raise UserError(self.env._("Set the bid deadline and the opening time before publishing."))
            rule = Rule._rule_for(procedure.type_id, city_day(now))
            if not rule:
                raise UserError(
                    self.env._("No rule version of %(type)s is in force today.", type=procedure.type_id.name)
                )
            notice_days = (city_day(procedure.bid_deadline) - city_day(now)).days
            if notice_days < rule.min_notice_days:
                raise UserError(
                    self.env._(
                        "The bid deadline is %(days)s days after the notice; %(rule)s requires at least "
                        "%(minimum)s calendar days.",
                        days=notice_days,
                        rule=rule.name,
                        minimum=rule.min_notice_days,
                    )
                )
            clarification_deadline = procedure.bid_deadline - datetime.timedelta(days=rule.clarification_cutoff_days)
            if clarification_deadline <= now:
                raise UserError(
                    self.env._(
                        "The clarification period would already be over: the bid deadline must be more than "
                        "%(days)s days away.",
                        days=rule.clarification_cutoff_days,
                    )
                )
            salt = sealing.new_salt()
            public_key = sealing.public_key_text(sealing.derive_private_key(salt, procedure._seal_info()))
            # The salt is readable by administrators only; the write access was checked above.
            procedure_sudo = procedure.sudo()
            procedure_sudo._write_internal(
                {
                    "state": "published",
                    "rule_id": rule.id,
                    "published_at": now,
                    "clarification_start": min(
                        now + datetime.timedelta(days=DOCUMENT_SALE_DAYS), clarification_deadline
                    ),
                    "clarification_deadline": clarification_deadline,
                    "seal_salt": salt,
                    "seal_public_key": public_key,
                }
            )
            procedure._audit(
                "publish",
                {
                    "rule": rule.name,
                    "bid_deadline": procedure.bid_deadline,
                    "opening_at": procedure.opening_at,
                    "seal_public_key": public_key,
                },
            )
        return True

    # ------------------------------------------------------------------
    # The clock
    # ------------------------------------------------------------------
    def _set_state(self, state):
        for procedure in self:
            previous = procedure.state
            procedure._write_internal({"state": state})
            procedure._audit("state", {"from": previous, "to": state})

    @api.model
    def _cron_advance(self):
        """Move every procedure whose deadline passed; suspended procedures wait. Idempotent."""
        now = fields.Datetime.now()
        self.search([("state", "=", "published"), ("clarification_start", "<=", now)])._set_state("clarification")
        self.search([("state", "in", ASKING_STATES), ("clarification_deadline", "<=", now)])._set_state("bidding")
        for procedure in self.search([("state", "in", (*BIDDING_STATES, "opening")), ("opening_at", "<=", now)]):
            # One opening that fails (e.g. the master key is missing) must not block the others.
            try:
                with self.env.cr.savepoint():
                    procedure._open_bids()
            except (UserError, AccessError, ValueError):
                _logger.exception("Opening of %s failed; it will be retried", procedure.reference)
        leaving = self.search([("state", "=", "publicity"), ("publicity_end", "<=", now)])
        leaving.filtered(lambda procedure: procedure._can_leave_publicity())._set_state("awarded")
        return True

    def _can_leave_publicity(self):
        """Hook: may the publicity end now? Objections and complaints say no while they are pending."""
        self.ensure_one()
        return True

    def _start_publicity(self):
        """Publish the candidates for the rule's publicity days (called when the evaluation is done)."""
        now = fields.Datetime.now()
        for procedure in self:
            if procedure.state != "evaluation":
                raise UserError(self.env._("Candidates are published after the evaluation."))
            end = now + datetime.timedelta(days=procedure.rule_id.publicity_days)
            procedure._write_internal({"state": "publicity", "publicity_end": end})
            procedure._audit("publicity", {"publicity_end": end})

    # ------------------------------------------------------------------
    # Suspension
    # ------------------------------------------------------------------
    def _check_can_suspend(self):
        user = self.env.user
        if not (user.has_group(OFFICER) or user.has_group(SUPERVISOR)):
            raise AccessError(self.env._("Only trading officers and supervisors suspend or resume a procedure."))
        self.check_access("read")
        if not user.has_group(SUPERVISOR):
            self.check_access("write")

    def _suspend(self, reason):
        self._check_can_suspend()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the suspension."))
        now = fields.Datetime.now()
        for procedure_sudo in self.sudo():
            if procedure_sudo.state in (*FINAL_STATES, "suspended", "draft"):
                raise UserError(
                    self.env._("%(procedure)s cannot be suspended in its state.", procedure=procedure_sudo.reference)
                )
            procedure_sudo._write_internal(
                {
                    "suspended_state": procedure_sudo.state,
                    "suspended_at": now,
                    "suspension_reason": reason.strip(),
                    "state": "suspended",
                }
            )
            procedure_sudo.message_post(
                body=self.env._("Suspended: %(reason)s", reason=reason.strip()), author_id=self.env.user.partner_id.id
            )
            procedure_sudo._audit(
                "suspend", {"from": procedure_sudo.suspended_state, "reason": reason.strip(), "by": self.env.uid}
            )
        return True

    def action_suspend(self):
        self._check_can_suspend()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Suspend Procedure"),
            "res_model": "city.trading.suspend.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_procedure_id": self.id},
        }

    def action_resume(self):
        """Resume where it stopped; every deadline still ahead at the suspension moves by its length."""
        self._check_can_suspend()
        now = fields.Datetime.now()
        for procedure_sudo in self.sudo():
            if procedure_sudo.state != "suspended":
                raise UserError(self.env._("Only a suspended procedure can be resumed."))
            delta = now - procedure_sudo.suspended_at
            vals = {
                "state": procedure_sudo.suspended_state,
                "suspended_state": False,
                "suspended_at": False,
            }
            for name in DEADLINE_FIELDS:
                moment = procedure_sudo[name]
                if moment and moment > procedure_sudo.suspended_at:
                    vals[name] = moment + delta
            procedure_sudo.with_context(city_trading_internal=True).write(vals)
            procedure_sudo.message_post(
                body=self.env._(
                    "Resumed after %(hours)s hours; deadlines still ahead were extended accordingly.",
                    hours=round(delta.total_seconds() / 3600, 2),
                ),
                author_id=self.env.user.partner_id.id,
            )
            procedure_sudo._audit("resume", {"extended_seconds": int(delta.total_seconds()), "by": self.env.uid})
        return True

    # ------------------------------------------------------------------
    # Bidders: registration, documents, questions
    # ------------------------------------------------------------------
    def _bidder_errors(self, partner, date):
        """Why ``partner`` may not take part on the city day ``date`` (empty list when it may)."""
        errors = []
        if not partner.is_company or not partner.uscc or validators.uscc_error(partner.uscc):
            errors.append(self.env._("Your organisation needs a valid unified social credit code."))
        elif self.env["city.credit.record"].is_blacklisted(partner, date):
            errors.append(self.env._("Your organisation is on the credit blacklist and may not take part."))
        return errors

    def _registration_for(self, partner=None):
        """The registration of ``partner`` (default the user's organisation), read with the user's rights."""
        self.ensure_one()
        partner = partner or self.env.user.commercial_partner_id
        return self.env["city.trading.registration"].search(
            [("procedure_id", "=", self.id), ("partner_id", "=", partner.id)], limit=1
        )

    def _register_bidder(self, now=None):
        """Register the user's organisation for the procedure (报名); ``now`` only for server-side loaders."""
        self.ensure_one()
        self.check_access("read")
        user = self.env.user
        partner = user.commercial_partner_id
        now = now or fields.Datetime.now()
        if self.state not in BIDDING_STATES or now >= self.bid_deadline:
            raise UserError(self.env._("Registration is closed for this procedure."))
        errors = self._bidder_errors(partner, city_day(now))
        if errors:
            raise UserError(" ".join(errors))
        registration = self._registration_for(partner)
        if registration:
            return registration
        registration_sudo = (
            self.env["city.trading.registration"]
            .sudo()
            .create(
                {
                    "procedure_id": self.id,
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "registered_at": now,
                }
            )
        )
        self._audit("register", {"registration": registration_sudo.id, "partner": partner.uscc})
        return registration_sudo.with_env(self.env)

    def _check_registered(self):
        self.ensure_one()
        self.check_access("read")
        if not self._registration_for():
            raise AccessError(self.env._("Only organisations registered for the procedure may do this."))

    def _ask_question(self, text):
        """A registered bidder asks; the asker is recorded for the platform auditor only."""
        self._check_registered()
        now = fields.Datetime.now()
        if self.state not in ASKING_STATES or now >= self.clarification_deadline:
            raise UserError(self.env._("The clarification period is over."))
        text = (text or "").strip()
        if not text:
            raise UserError(self.env._("Write your question."))
        question_sudo = (
            self.env["city.trading.question"]
            .sudo()
            .create(
                {
                    "procedure_id": self.id,
                    "question": text,
                    "asked_at": now,
                    "asker_partner_id": self.env.user.commercial_partner_id.id,
                    "asker_user_id": self.env.user.id,
                }
            )
        )
        # Logged as the platform: the audit trail must not reveal the anonymous asker.
        self.with_user(SUPERUSER_ID)._audit("ask", {"question": question_sudo.id})
        return question_sudo.with_env(self.env)

    # ------------------------------------------------------------------
    # Sealed bids
    # ------------------------------------------------------------------
    def _bid_private_key(self):
        """The key opening the procedure's bids: refused to every caller before the opening."""
        self.ensure_one()
        now = fields.Datetime.now()
        if not self.key_released_at or not self.opening_at or now < self.opening_at:
            raise AccessError(
                self.env._("The bids of %(procedure)s are sealed until the opening.", procedure=self.reference)
            )
        return sealing.derive_private_key(self.sudo().seal_salt, self._seal_info())

    def _submit_bid(self, price, files, contact_phone=None, contact_email=None, upload_ip=None, replace=None, now=None):
        """Seal and submit the bid of the user's organisation; returns the new bid.

        :param files: list of ``(filename, bytes)``
        :param replace: the organisation's submitted bid this one replaces
        :param now: the submission time, for server-side loaders (demo data); default the clock
        """
        return self.env["city.trading.bid"]._submit(
            self, price, files, contact_phone, contact_email, upload_ip, replace, now=now
        )

    def _bid_as(self, user, price, files, now=None, values=None):
        """Register ``user``'s organisation when needed and submit its bid as ``user`` (demo data, benchmarks).

        :param user: a user or its id; ``files``: ``(filename, bytes or text)`` pairs;
            ``values``: contact_phone, contact_email, upload_ip
        """
        self.ensure_one()
        user = self.env["res.users"].browse(user) if isinstance(user, int) else user
        files = [(name, content.encode() if isinstance(content, str) else content) for name, content in files]
        procedure = self.with_user(user)
        if not procedure._registration_for():
            procedure._register_bidder(now=now)
        return procedure._submit_bid(price, files, now=now, **(values or {}))

    def _open_bids(self):
        """The opening: release the key, decrypt and verify every bid, publish the opening record."""
        self.ensure_one()
        now = fields.Datetime.now()
        if self.state not in (*BIDDING_STATES, "opening") or not self.opening_at or now < self.opening_at:
            raise UserError(self.env._("%(procedure)s cannot be opened now.", procedure=self.reference))
        self._write_internal({"state": "opening", "key_released_at": self.key_released_at or now})
        self._audit("key_release", {"at": now})
        private_key = self._bid_private_key()
        Bid = self.env["city.trading.bid"].sudo()
        bids = Bid.search([("procedure_id", "=", self.id), ("state", "=", "submitted")], order="submitted_at, id")
        blacklisted = self.env["city.credit.record"]._blacklisted_partners(bids.bidder_id, city_day(self.bid_deadline))
        outcomes = bids._unseal_all(private_key, blacklisted)
        Bid._store_opening(outcomes)
        valid = [outcome for outcome in outcomes if outcome["state"] == "opened"]
        record = {
            "procedure": self.reference,
            "opened_at": fields.Datetime.to_string(now),
            "bids": [
                {
                    "bid": outcome["reference"],
                    "bidder": outcome["bidder"],
                    "price": outcome["price"],
                    "state": outcome["state"],
                    "reason": outcome["reason"],
                }
                for outcome in outcomes
            ],
        }
        minimum = self.rule_id.min_bidders or 1
        next_state = "evaluation" if len(valid) >= minimum else "unsuccessful"
        self._write_internal({"opening_record": json.dumps(record, ensure_ascii=False), "state": next_state})
        self._audit(
            "open",
            {
                "bids": len(outcomes),
                "valid": len(valid),
                "disqualified": len(outcomes) - len(valid),
                "result": next_state,
                "record_sha256": sealing.sha256_hex(self.opening_record.encode()),
            },
        )
        return True

    def _opening_rows(self):
        """The published opening record as a list of dicts (empty before the opening)."""
        self.ensure_one()
        if not self.opening_record:
            return []
        return json.loads(self.opening_record).get("bids", [])
