from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

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
# The states in which bids are accepted (the clarification period overlaps the submission period).
BIDDING_STATES = ("published", "clarification", "bidding")
# Once a procedure reached one of these, the opening happened and the bid key may be derived.
OPENED_STATES = ("evaluation", "publicity", "awarded", "contracted")
OFFICER = "city_resource_trading.group_city_resource_trading_officer"
SUPERVISOR = "city_resource_trading.group_city_resource_trading_supervisor"
# Development default of the OCDS prefix; the platform sets its registered one (city_trading_ocds_prefix).
DEFAULT_OCDS_PREFIX = "ocds-jlggzy"


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
    key_released_at = fields.Datetime("Bid Key Released", readonly=True, copy=False)
    bid_count = fields.Integer(compute="_compute_bid_count")

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

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for procedure in self:
            procedure.access_url = f"/my/trading/{procedure.id}"
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("city.trading.procedure") or "/"
        return super().create(vals_list)

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for procedure in self:
            procedure.display_name = (
                f"[{procedure.reference}] {procedure.name}" if procedure.name else procedure.reference
            )

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

    def _audit_step(self, event, payload=None):
        """Append an evaluation/publicity/supervision step to the ``trading`` audit chain."""
        for procedure in self:
            self.env["city.audit.log"].record(
                f"trading.{event}", procedure, dict(payload or {}, procedure=procedure.reference), chain="trading"
            )

    def _publish_candidates(self, winner, now):
        """The evaluation report is confirmed: the candidates are published for the rule's city days."""
        self.ensure_one()
        if self.state != "evaluation":
            raise UserError(self.env._("Candidates are published after the evaluation."))
        days = self.rule_id.publicity_days or 3
        end = publicity_end_after(now, days)
        self.sudo().with_context(city_trading_internal=True).write(
            {"state": "publicity", "publicity_end": end, "winner_bid_id": winner.id, "award_amount": winner.price}
        )
        self._audit_step("publicity", {"publicity_end": end, "winner": winner.reference})

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

    def _check_may_halt(self):
        user = self.env.user
        if not (user.has_group(OFFICER) or user.has_group(SUPERVISOR)):
            raise AccessError(self.env._("Only trading officers and supervisors suspend or resume a procedure."))
        self.check_access("read")
        if not user.has_group(SUPERVISOR):
            self.check_access("write")

    def _suspend_procedure(self, reason):
        """Suspend (暂停) from a complaint or a red flag; the one place calling the suspension."""
        self._check_may_halt()
        now = fields.Datetime.now()
        for procedure_sudo in self.sudo():
            if procedure_sudo.state in ("draft", "suspended", "contracted", "cancelled", "unsuccessful"):
                raise UserError(
                    self.env._("%(procedure)s cannot be suspended in its state.", procedure=procedure_sudo.reference)
                )
            procedure_sudo.with_context(city_trading_internal=True).write(
                {
                    "suspended_state": procedure_sudo.state,
                    "suspended_at": now,
                    "suspension_reason": reason,
                    "state": "suspended",
                }
            )
            procedure_sudo._audit_step("suspend", {"from": procedure_sudo.suspended_state, "reason": reason})
        return True

    def _resume_procedure(self, back_to_evaluation=False):
        """Resume after a complaint's decision: the publicity end moves by the suspended time, or (upheld)
        the procedure goes back to the evaluation and its committee scores again."""
        self._check_may_halt()
        now = fields.Datetime.now()
        for procedure_sudo in self.sudo():
            if procedure_sudo.state != "suspended":
                raise UserError(self.env._("Only a suspended procedure can be resumed."))
            vals = {"state": procedure_sudo.suspended_state, "suspended_state": False, "suspended_at": False}
            if back_to_evaluation and procedure_sudo.suspended_state in ("evaluation", "publicity"):
                vals.update(state="evaluation", publicity_end=False, winner_bid_id=False, award_amount=0)
                procedure_sudo.evaluation_ids._reopen_after_complaint()
            elif procedure_sudo.publicity_end and procedure_sudo.publicity_end > procedure_sudo.suspended_at:
                vals["publicity_end"] = procedure_sudo.publicity_end + (now - procedure_sudo.suspended_at)
            procedure_sudo.with_context(city_trading_internal=True).write(vals)
            procedure_sudo._audit_step("resume", {"to": vals["state"], "publicity_end": vals.get("publicity_end")})
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
            procedure._audit_step(
                "contract",
                {
                    "contract": procedure.contract_reference,
                    "date": procedure.contract_date,
                    "amount": procedure.contract_amount,
                },
            )
        return True

    def action_view_red_flags(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_resource_trading.city_trading_red_flag_action")
        action["domain"] = [("procedure_id", "=", self.id)]
        action["context"] = {"default_procedure_id": self.id}
        return action
