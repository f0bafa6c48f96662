from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityCardMerchant(models.Model):
    """A merchant accepting the card: shops, canteens, the bus operator, libraries, scenic spots."""

    _name = "city.card.merchant"
    _description = "Card Merchant"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True, help="Merchant number used in settlement files.")
    partner_id = fields.Many2one(
        "res.partner",
        string="Organisation",
        required=True,
        ondelete="restrict",
        tracking=True,
        help="The organisation paid by settlement; its portal users see its settlements.",
    )
    function_id = fields.Many2one(
        "city.card.function",
        string="Card Function",
        ondelete="restrict",
        tracking=True,
        help="Cards pay this merchant only with this function enabled (transit, library, scenic spots, ...).",
    )
    is_transit = fields.Boolean(
        string="Transit Operator",
        tracking=True,
        help="Terminals may send the full fare; each card type pays its share.",
    )
    accepts_subsidy = fields.Boolean(
        tracking=True, help="Subsidy purses pay here (before the cash purse), e.g. community canteens."
    )
    fee_rate = fields.Integer(
        string="Fee Rate (‱)", default=60, tracking=True, help="Settlement fee in basis points: 60 is 0.60 %."
    )
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended")], default="active", required=True, tracking=True
    )
    active = fields.Boolean(default=True)
    bank_account = fields.Char(tracking=True, help="Account the settlement pays to.")
    outlet_ids = fields.One2many("city.card.outlet", "merchant_id", string="Outlets")
    terminal_ids = fields.One2many("city.card.terminal", "merchant_id", string="Terminals")
    account_id = fields.Many2one("city.card.account", string="Payable Account", readonly=True, ondelete="restrict")
    terminal_count = fields.Integer(compute="_compute_terminal_count")

    _sql_constraints = [
        ("code_unique", "unique(code)", "A merchant code must be unique."),
        ("fee_rate_range", "CHECK(fee_rate BETWEEN 0 AND 1000)", "The fee rate is 0 to 1000 basis points."),
    ]

    @api.depends("terminal_ids")
    def _compute_terminal_count(self):
        for merchant in self:
            merchant.terminal_count = len(merchant.terminal_ids)

    @api.constrains("partner_id")
    def _check_partner(self):
        for merchant in self:
            if not merchant.partner_id.is_company:
                raise ValidationError(self.env._("A merchant is an organisation, not a person."))

    @api.model_create_multi
    def create(self, vals_list):
        merchants = super().create(vals_list)
        for merchant in merchants:
            merchant.account_id = (
                self.env["city.card.account"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Merchant %(name)s", name=merchant.name),
                        "code": f"M{merchant.code}",
                        "kind": "merchant",
                        "merchant_id": merchant.id,
                    }
                )
            )
        return merchants

    def _fee(self, net_amount):
        """The settlement fee in fen for ``net_amount`` fen (rounded half up, never negative)."""
        self.ensure_one()
        if net_amount <= 0:
            return 0
        return (net_amount * self.fee_rate + 5000) // 10000
