from odoo import api, fields, models

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
