from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

PURSE_KINDS = ("purse_cash", "purse_subsidy")

ACCOUNT_KINDS = [
    ("purse_cash", "Cash Purse"),
    ("purse_subsidy", "Subsidy Purse"),
    ("hold", "Pending Holds"),
    ("clearing", "Clearing"),
    ("merchant", "Merchant Payable"),
    ("fee_income", "Fee Income"),
    ("desk_cash", "Service Desk Cash"),
    ("gateway", "Online Payment Receipts"),
    ("subsidy_fund", "Subsidy Fund"),
    ("payout", "Merchant Payouts"),
]


class CityCardAccount(models.Model):
    """One account of the one-card ledger.

    Amounts are integer fen. An entry's amount is signed: positive credits the account, negative
    debits it, and the entries of one operation sum to zero, so the sum of every account's
    balance is always zero (conservation). A card purse keeps a cached balance, updated in the
    same transaction as its entries while its row is locked; the database refuses a negative
    purse (CHECK constraint). Other accounts take many concurrent postings (clearing, merchants)
    and derive their balance from the entries when asked, so they never become a hot row.
    """

    _name = "city.card.account"
    _description = "Card Ledger Account"
    _order = "kind, expires_on, id"

    name = fields.Char(required=True)
    code = fields.Char(required=True, readonly=True, index=True)
    kind = fields.Selection(ACCOUNT_KINDS, required=True, readonly=True, index=True)
    card_id = fields.Many2one("city.card", readonly=True, ondelete="restrict", index=True)
    merchant_id = fields.Many2one("city.card.merchant", readonly=True, ondelete="restrict", index="btree_not_null")
    desk_id = fields.Many2one("city.card.desk", readonly=True, ondelete="restrict", index="btree_not_null")
    expires_on = fields.Date(
        readonly=True, help="Subsidy purses: the last day the subsidy can be spent; the expiry sweep returns the rest."
    )
    is_purse = fields.Boolean(compute="_compute_is_purse", store=True)
    cached_balance = fields.Integer(
        default=0,
        required=True,
        readonly=True,
        help="Purses only: the balance in fen kept with every posting (equal to the sum of entries).",
    )
    balance = fields.Integer(compute="_compute_balance", help="Balance in fen.")
    balance_yuan = fields.Float(string="Balance (CNY)", compute="_compute_balance", digits=(16, 2))
    entry_ids = fields.One2many("city.card.entry", "account_id", string="Entries")

    _sql_constraints = [
        ("code_unique", "unique(code)", "An account code must be unique."),
        ("purse_not_negative", "CHECK(cached_balance >= 0)", "A card purse cannot go negative."),
        (
            "purse_has_card",
            "CHECK(kind NOT IN ('purse_cash', 'purse_subsidy') OR card_id IS NOT NULL)",
            "A purse belongs to a card.",
        ),
    ]

    @api.depends("kind")
    def _compute_is_purse(self):
        for account in self:
            account.is_purse = account.kind in PURSE_KINDS

    def _compute_balance(self):
        derived = self._derived_balances()
        for account in self:
            account.balance = account.cached_balance if account.is_purse else derived.get(account.id, 0)
            account.balance_yuan = account.balance / 100

    def _derived_balances(self):
        """``{account_id: sum of entries}`` for these accounts, read from the ledger."""
        ids = [account_id for account_id in self.ids if account_id]
        if not ids:
            return {}
        self.env["city.card.entry"].flush_model(["account_id", "amount"])
        self.env.cr.execute(
            SQL(
                "SELECT account_id, COALESCE(SUM(amount), 0) FROM city_card_entry WHERE account_id = ANY(%s) "
                "GROUP BY account_id",
                ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.ondelete(at_uninstall=False)
    def _unlink_if_unused(self):
        if self.env["city.card.entry"].sudo().search_count([("account_id", "in", self.ids)], limit=1):
            raise UserError(self.env._("An account with ledger entries cannot be deleted."))

    @api.model
    def _system_account(self, kind):
        """The single system account of ``kind`` (clearing, holds, fee income, ...)."""
        account = self.sudo().search(
            [("kind", "=", kind), ("card_id", "=", False), ("merchant_id", "=", False), ("desk_id", "=", False)],
            limit=1,
        )
        if not account:
            raise UserError(self.env._("The one-card ledger has no %(kind)s account.", kind=kind))
        return account
