import datetime
import json
import logging

import pytz

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from odoo.addons.city_base.tools import validators
from odoo.addons.city_base.tools.dates import CITY_TZ, city_local_text

from ..tools import sealing
from ..tools.ocds import ocds_date, ocds_merge
from ..tools.xlsx import xlsx_download
from .city_trading_evaluation import CANDIDATE_COUNT, publicity_end_after

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
    "cancel_reason",
    "cancelled_at",
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
# Development default of the OCDS prefix; the platform sets its registered one (city_trading_ocds_prefix).
DEFAULT_OCDS_PREFIX = "ocds-jlggzy"
# OCDS: the stages after the opening, the tender status per state, the category per trading type.
OCDS_OPENED_STATES = ("evaluation", "publicity", "awarded", "contracted", "unsuccessful")
OCDS_TENDER_STATUS = {
    "awarded": "complete",
    "contracted": "complete",
    "cancelled": "cancelled",
    "unsuccessful": "unsuccessful",
}
OCDS_CATEGORIES = {"construction": "works", "procurement": "goods"}


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
        [("price", "Best Price"), ("comprehensive", "Comprehensive Evaluation")],
        required=True,
        default="price",
        tracking=True,
        help="The best price is the lowest for tendering and procurement, the highest for land-use rights "
        "and state property transfers.",
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
    cancel_reason = fields.Text(string="Termination Reason", readonly=True, copy=False)
    cancelled_at = fields.Datetime(string="Terminated At", readonly=True, copy=False)
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

    def _start_publicity(self, winner=None, now=None):
        """Publish the candidates (the evaluation report is confirmed) for the rule's publicity days:
        full city calendar days, ending at midnight city time."""
        now = now or fields.Datetime.now()
        for procedure in self:
            if procedure.state != "evaluation":
                raise UserError(self.env._("Candidates are published after the evaluation."))
            end = publicity_end_after(now, procedure.rule_id.publicity_days or 3)
            vals = {"state": "publicity", "publicity_end": end}
            if winner:
                vals.update(winner_bid_id=winner.id, award_amount=winner.price)
            procedure._write_internal(vals)
            procedure._audit("publicity", {"publicity_end": end, "winner": winner.reference if winner else None})

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

    def action_cancel(self):
        """Terminate (终止) the procedure: the wizard asks the reason."""
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Terminate Procedure"),
            "res_model": "city.trading.suspend.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_procedure_id": self.id, "default_mode": "cancel"},
        }

    def _cancel(self, reason):
        """Terminate published procedures for good (the buyer withdraws, the need changed...).

        Officers of the procedure's division only; not once the contract is recorded. Sealed bids
        that were never opened stay sealed.
        """
        self.check_access("write")
        if not self.env.user.has_group(OFFICER):
            raise AccessError(self.env._("Only trading officers terminate a procedure."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason of the termination."))
        now = fields.Datetime.now()
        for procedure_sudo in self.sudo():
            if procedure_sudo.state in (*FINAL_STATES, "draft"):
                raise UserError(
                    self.env._(
                        "%(procedure)s cannot be terminated in its state (a draft is simply deleted).",
                        procedure=procedure_sudo.reference,
                    )
                )
            previous = procedure_sudo.state
            procedure_sudo._write_internal(
                {
                    "state": "cancelled",
                    "cancel_reason": reason,
                    "cancelled_at": now,
                    "suspended_state": False,
                    "suspended_at": False,
                }
            )
            procedure_sudo.message_post(
                body=self.env._("Terminated: %(reason)s", reason=reason), author_id=self.env.user.partner_id.id
            )
            procedure_sudo._audit("cancel", {"from": previous, "reason": reason, "by": self.env.uid})
        return True

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

    # ------------------------------------------------------------------
    # Evaluation, publicity, objections, complaints, supervision and open data
    # ------------------------------------------------------------------
    evaluation_ids = fields.One2many("city.trading.evaluation", "procedure_id")
    criterion_ids = fields.One2many("city.trading.criterion", "procedure_id", string="Technical Criteria")
    objection_ids = fields.One2many("city.trading.objection", "procedure_id", string="Objections")
    complaint_ids = fields.One2many("city.trading.complaint", "procedure_id", string="Complaints")
    red_flag_ids = fields.One2many("city.trading.red.flag", "procedure_id", string="Red Flags")
    red_flag_count = fields.Integer(compute="_compute_red_flag_count")
    ocid = fields.Char("OCID", compute="_compute_ocid", help="Open Contracting ID: the platform prefix + reference.")

    def _compute_red_flag_count(self):
        counts = {}
        RedFlag = self.env["city.trading.red.flag"]
        if RedFlag.has_access("read"):
            counts = dict(
                RedFlag._read_group(
                    [("procedure_id", "in", self.ids), ("state", "!=", "dismissed")], ["procedure_id"], ["__count"]
                )
            )
        for procedure in self:
            procedure.red_flag_count = counts.get(procedure, 0)

    @api.depends("reference")
    def _compute_ocid(self):
        prefix = self._ocds_prefix()
        for procedure in self:
            procedure.ocid = f"{prefix}-{procedure.reference}" if procedure.reference else False

    @api.model
    def _ocds_prefix(self):
        return config.get("city_trading_ocds_prefix") or DEFAULT_OCDS_PREFIX

    def _has_pending_challenge(self):
        """Is an objection waiting for its answer, or a complaint not yet decided?"""
        self.ensure_one()
        objections = self.sudo().objection_ids.filtered(lambda o: o.state == "submitted")
        complaints = self.sudo().complaint_ids.filtered(lambda c: c.state in ("submitted", "accepted"))
        return bool(objections or complaints)

    def _can_leave_publicity(self):
        """The publicity ends (award) only when no objection or complaint is pending."""
        self.ensure_one()
        return not self._has_pending_challenge()

    def _publicity_candidates(self):
        """The published candidates (rank, bidder, price, score) for the public notice page."""
        self.ensure_one()
        if self.state not in ("publicity", "awarded", "contracted") and not (
            self.state == "suspended" and self.suspended_state in ("publicity", "awarded")
        ):
            return []
        bids_sudo = (
            self.env["city.trading.bid"]
            .sudo()
            .search([("procedure_id", "=", self.id), ("rank", ">", 0)], order="rank", limit=CANDIDATE_COUNT)
        )
        return [
            {
                "rank": bid.rank,
                "bidder": bid.bidder_id.name,
                "uscc": bid.bidder_id.uscc,
                "price": bid.price,
                "score": bid.score,
                "winner": bid == self.sudo().winner_bid_id,
            }
            for bid in bids_sudo
        ]

    def _suspend_procedure(self, reason):
        """Suspend (暂停) from a complaint or a red flag: the platform's suspension with that reason."""
        return self._suspend(reason)

    def _resume_procedure(self, back_to_evaluation=False):
        """Resume after a complaint's decision: as a resume (the deadlines still ahead move by the
        suspended time), or (complaint upheld) back to the evaluation, whose committee scores again."""
        if not back_to_evaluation:
            return self.action_resume()
        self._check_can_suspend()
        for procedure_sudo in self.sudo():
            if procedure_sudo.state != "suspended":
                raise UserError(self.env._("Only a suspended procedure can be resumed."))
            if procedure_sudo.suspended_state not in ("evaluation", "publicity"):
                procedure_sudo.with_env(self.env).action_resume()
                continue
            procedure_sudo._write_internal(
                {
                    "state": "evaluation",
                    "suspended_state": False,
                    "suspended_at": False,
                    "publicity_end": False,
                    "winner_bid_id": False,
                    "award_amount": 0,
                }
            )
            procedure_sudo.evaluation_ids._reopen_after_complaint()
            procedure_sudo._audit("resume", {"to": "evaluation", "by": self.env.uid})
        return True

    def action_record_contract(self):
        """The officer recorded the signed contract (reference, date, amount): the procedure is closed."""
        self.check_access("write")
        for procedure in self:
            if procedure.state != "awarded":
                raise UserError(self.env._("A contract is recorded for an awarded procedure."))
            if not (procedure.contract_reference and procedure.contract_date and procedure.contract_amount > 0):
                raise UserError(self.env._("Enter the contract reference, date and amount first."))
            procedure.with_context(city_trading_internal=True).write({"state": "contracted"})
            procedure._audit(
                "contract",
                {
                    "contract": procedure.contract_reference,
                    "date": procedure.contract_date,
                    "amount": procedure.contract_amount,
                },
            )
        return True

    def action_open_evaluation(self):
        """The procedure's evaluation form (a new one, for this procedure, when there is none yet)."""
        self.ensure_one()
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Evaluation"),
            "res_model": "city.trading.evaluation",
            "view_mode": "form",
            "context": {"default_procedure_id": self.id},
        }
        if self.evaluation_ids:
            action["res_id"] = self.evaluation_ids[:1].id
        return action

    def action_view_red_flags(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_resource_trading.city_trading_red_flag_action")
        action["domain"] = [("procedure_id", "=", self.id)]
        action["context"] = {"default_procedure_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Open data: OCDS 1.1 releases and record, xlsx export
    # ------------------------------------------------------------------
    def _ocds_state(self):
        """The lifecycle state as the public sees it (a suspended procedure keeps its stage)."""
        self.ensure_one()
        return self.suspended_state if self.state == "suspended" else self.state

    def _ocds_party(self, partner, roles):
        uscc = partner.uscc or str(partner.id)
        return {
            "id": f"CN-USCC-{uscc}",
            "name": partner.name,
            "identifier": {"scheme": "CN-USCC", "id": uscc, "legalName": partner.name},
            "roles": roles,
        }

    @staticmethod
    def _ocds_ref(party):
        return {"id": party["id"], "name": party["name"]}

    def _ocds_value(self, amount):
        return {"amount": float(amount or 0), "currency": self.currency_id.name or "CNY"}

    def _ocds_releases(self):
        """The releases of one procedure in date order; nothing sealed before the opening.

        Before the opening no tenderer, count or price appears: the tender release only carries the
        notice. The tenderers come with the opening, the award with the candidates' publicity (pending)
        and its end (active), the contract with its recording.
        """
        self.ensure_one()
        procedure_sudo = self.sudo()
        state = self._ocds_state()
        if state == "draft" or not self.published_at:
            return []
        ocid = self.ocid
        category = OCDS_CATEGORIES.get(self.type_code)
        buyer = self._ocds_party(self.buyer_id, ["buyer", "procuringEntity"])
        tender = {
            "id": self.reference,
            "title": self.name,
            "status": OCDS_TENDER_STATUS.get(state, "active"),
            "procuringEntity": self._ocds_ref(buyer),
            "value": self._ocds_value(self.estimate_amount),
            "procurementMethod": "open",
            "awardCriteria": "priceOnly" if self.criterion == "price" else "ratedCriteria",
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": {"startDate": ocds_date(self.published_at), "endDate": ocds_date(self.bid_deadline)},
        }
        if category:
            tender["mainProcurementCategory"] = category
        if self.clarification_deadline:
            tender["enquiryPeriod"] = {
                "startDate": ocds_date(self.published_at),
                "endDate": ocds_date(self.clarification_deadline),
            }
        base = {"ocid": ocid, "language": "zh", "initiationType": "tender", "buyer": self._ocds_ref(buyer)}
        notice_tender = dict(tender, status="active")
        releases = [
            dict(
                base,
                id=f"{ocid}-tender",
                date=ocds_date(self.published_at),
                tag=["tender"],
                parties=[buyer],
                tender=notice_tender,
            )
        ]
        if state not in OCDS_OPENED_STATES:
            if state == "cancelled":
                releases.append(
                    dict(
                        base,
                        id=f"{ocid}-tenderCancellation",
                        date=ocds_date(self.cancelled_at or self.write_date),
                        tag=["tenderCancellation"],
                        parties=[buyer],
                        tender=dict(tender, status="cancelled"),
                    )
                )
            return releases
        bids_sudo = procedure_sudo.bid_ids.filtered(lambda bid: bid.state in ("opened", "valid", "disqualified"))
        tenderer_parties = {}
        for bid in bids_sudo.sorted("id"):
            tenderer_parties.setdefault(bid.bidder_id, self._ocds_party(bid.bidder_id, ["tenderer"]))
        opened_at = procedure_sudo.key_released_at or self.opening_at
        opening_tender = dict(
            tender,
            status="unsuccessful" if state == "unsuccessful" else "active",
            numberOfTenderers=len(tenderer_parties),
            tenderers=[self._ocds_ref(party) for party in tenderer_parties.values()],
            awardPeriod={"startDate": ocds_date(opened_at)},
        )
        releases.append(
            dict(
                base,
                id=f"{ocid}-tenderUpdate",
                date=ocds_date(opened_at),
                tag=["tenderUpdate"],
                parties=[buyer, *tenderer_parties.values()],
                tender=opening_tender,
            )
        )
        winner = procedure_sudo.winner_bid_id
        if state not in ("publicity", "awarded", "contracted") or not winner:
            return releases
        parties = [buyer]
        for partner, party in tenderer_parties.items():
            parties.append(dict(party, roles=["tenderer", "supplier"]) if partner == winner.bidder_id else party)
        supplier = self._ocds_party(winner.bidder_id, ["tenderer", "supplier"])
        evaluation = procedure_sudo.evaluation_ids[:1]
        award_date = evaluation.report_confirmed_at or opened_at
        award = {
            "id": f"{ocid}-award-1",
            "title": self.name,
            "status": "pending",
            "date": ocds_date(award_date),
            "value": self._ocds_value(self.award_amount),
            "suppliers": [self._ocds_ref(supplier)],
        }
        releases.append(
            dict(
                base,
                id=f"{ocid}-award",
                date=ocds_date(award_date),
                tag=["award"],
                parties=parties,
                awards=[award],
            )
        )
        if state not in ("awarded", "contracted"):
            return releases
        awarded_at = self.publicity_end or award_date
        releases.append(
            dict(
                base,
                id=f"{ocid}-awardUpdate",
                date=ocds_date(awarded_at),
                tag=["awardUpdate"],
                parties=parties,
                tender=dict(
                    opening_tender,
                    status="complete",
                    awardPeriod={"startDate": ocds_date(opened_at), "endDate": ocds_date(awarded_at)},
                ),
                awards=[dict(award, status="active")],
            )
        )
        if state != "contracted":
            return releases
        signed = (
            datetime.datetime.combine(self.contract_date, datetime.time(hour=1)) if self.contract_date else awarded_at
        )
        releases.append(
            dict(
                base,
                id=f"{ocid}-contract",
                date=ocds_date(max(signed, awarded_at)),
                tag=["contract"],
                parties=parties,
                contracts=[
                    {
                        "id": f"{ocid}-contract-1",
                        "awardID": award["id"],
                        "title": self.contract_reference,
                        "status": "active",
                        "value": self._ocds_value(self.contract_amount),
                        "dateSigned": ocds_date(signed),
                    }
                ],
            )
        )
        return releases

    def _ocds_compiled_release(self, releases=None):
        """The compiled release: every release merged in date order (objects by key, lists by id)."""
        self.ensure_one()
        releases = self._ocds_releases() if releases is None else releases
        compiled = {}
        for release in releases:
            compiled = ocds_merge(compiled, {key: value for key, value in release.items() if key not in ("id", "tag")})
        compiled.update(id=f"{self.ocid}-compiled", tag=["compiled"])
        if releases:
            compiled["date"] = releases[-1]["date"]
        return compiled

    def _ocds_package_meta(self, uri):
        publisher = config.get("city_trading_ocds_publisher") or self.env.company.name
        return {
            "uri": uri,
            "version": "1.1",
            "publishedDate": ocds_date(fields.Datetime.now()),
            "publisher": {"name": publisher},
        }

    def _ocds_release_package(self, uri):
        self.ensure_one()
        return dict(self._ocds_package_meta(uri), releases=self._ocds_releases())

    def _ocds_record_package(self, uri, releases_uri):
        self.ensure_one()
        releases = self._ocds_releases()
        record = {
            "ocid": self.ocid,
            "releases": [
                {"url": f"{releases_uri}#{release['id']}", "date": release["date"], "tag": release["tag"]}
                for release in releases
            ],
            "compiledRelease": self._ocds_compiled_release(releases),
        }
        return dict(self._ocds_package_meta(uri), records=[record])

    @api.model
    def _from_ocid(self, ocid):
        """The published procedure of an OCID (empty when unknown or not public)."""
        prefix = f"{self._ocds_prefix()}-"
        if not ocid or not ocid.startswith(prefix):
            return self.browse()
        return self.search([("reference", "=", ocid[len(prefix) :]), ("is_public", "=", True)], limit=1)

    def _export_results_xlsx(self):
        """Download the selected procedures with their results (winner, award, contract) as xlsx."""
        self.check_access("read")
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        headers = [
            self.env._("Reference"),
            self.env._("Procedure"),
            self.env._("Type"),
            self.env._("Buyer"),
            self.env._("Status"),
            self.env._("Published"),
            self.env._("Bid Deadline"),
            self.env._("Estimate"),
            self.env._("Valid Bids"),
            self.env._("Winner"),
            self.env._("Award Amount"),
            self.env._("Contract"),
            self.env._("Contract Date"),
            self.env._("Contract Amount"),
        ]
        rows = []
        for procedure in self:
            opened = procedure._ocds_state() in OCDS_OPENED_STATES
            # Bids are counted and the winner named only after the opening; the reader may not read bids.
            procedure_sudo = procedure.sudo()
            valid = procedure_sudo.bid_ids.filtered(lambda bid: bid.state in ("opened", "valid")) if opened else []
            rows.append(
                [
                    procedure.reference,
                    procedure.name,
                    procedure.type_id.name,
                    procedure.buyer_id.name,
                    state_labels.get(procedure.state),
                    city_local_text(procedure.published_at) if procedure.published_at else "",
                    city_local_text(procedure.bid_deadline) if procedure.bid_deadline else "",
                    procedure.estimate_amount,
                    len(valid) if opened else "",
                    procedure_sudo.winner_bid_id.bidder_id.name or "",
                    procedure.award_amount or "",
                    procedure.contract_reference or "",
                    fields.Date.to_string(procedure.contract_date) if procedure.contract_date else "",
                    procedure.contract_amount or "",
                ]
            )
        return xlsx_download(self.env, self.env._("Trading Results"), headers, rows, "trading_results.xlsx")
