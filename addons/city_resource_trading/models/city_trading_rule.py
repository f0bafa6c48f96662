from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.city_base.tools.dates import city_today


class CityTradingRule(models.Model):
    """One version of the trading rules of a type, in force from ``date_from`` to ``date_to``.

    A procedure takes the version in force on the city day it is published; versions of one
    type never overlap, so that answer is unique.
    """

    _name = "city.trading.rule"
    _description = "Trading Rule Version"
    _inherit = ["mail.thread"]
    _order = "type_id, date_from desc"

    name = fields.Char(required=True, tracking=True)
    type_id = fields.Many2one("city.trading.type", required=True, ondelete="restrict", tracking=True)
    date_from = fields.Date("Valid From", required=True, tracking=True)
    date_to = fields.Date("Valid To", tracking=True, help="Leave empty while the version is in force.")
    min_bidders = fields.Integer("Minimum Valid Bids", required=True, default=3, tracking=True)
    min_notice_days = fields.Integer(
        "Minimum Notice Days",
        required=True,
        default=20,
        tracking=True,
        help="Calendar days (city time) from the notice to the bid deadline.",
    )
    clarification_cutoff_days = fields.Integer(
        "Clarification Cut-off Days",
        required=True,
        default=15,
        tracking=True,
        help="Questions close this many days before the bid deadline.",
    )
    publicity_days = fields.Integer(required=True, default=3, tracking=True)
    complaint_window_days = fields.Integer(required=True, default=10, tracking=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    bid_bond_amount = fields.Monetary("Bid Bond", currency_field="currency_id", tracking=True)
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("publicity_days_min", "CHECK(publicity_days >= 3)", "Candidates are published for at least 3 days."),
        ("min_bidders_positive", "CHECK(min_bidders >= 1)", "At least one valid bid is required."),
        ("notice_days_positive", "CHECK(min_notice_days >= 0)", "Notice days cannot be negative."),
        ("cutoff_positive", "CHECK(clarification_cutoff_days >= 0)", "The cut-off cannot be negative."),
        ("complaint_positive", "CHECK(complaint_window_days >= 0)", "The complaint window cannot be negative."),
        ("dates_order", "CHECK(date_to IS NULL OR date_to >= date_from)", "A version ends after it starts."),
    ]

    def _compute_currency_id(self):
        currency = self.env.ref("base.CNY", raise_if_not_found=False) or self.env.company.currency_id
        for rule in self:
            rule.currency_id = currency

    @api.constrains("type_id", "date_from", "date_to", "active")
    def _check_no_overlap(self):
        for rule in self.filtered("active"):
            domain = [
                ("id", "!=", rule.id),
                ("type_id", "=", rule.type_id.id),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", rule.date_from),
            ]
            if rule.date_to:
                domain.append(("date_from", "<=", rule.date_to))
            clash = self.search(domain, limit=1)
            if clash:
                raise ValidationError(
                    self.env._(
                        "Rule version %(rule)s overlaps %(other)s of the same trading type.",
                        rule=rule.name,
                        other=clash.name,
                    )
                )

    @api.model
    def _rule_for(self, trading_type, date=None):
        """The version of ``trading_type``'s rules in force on the city day ``date`` (default today)."""
        date = date or city_today()
        return self.search(
            [
                ("type_id", "=", trading_type.id),
                ("date_from", "<=", date),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", date),
            ],
            limit=1,
        )
