from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .city_card_operation import OPERATION_KINDS


class CityCardEntry(models.Model):
    """One ledger line: a signed amount (fen) on one account, part of one operation.

    Entries are written only by the posting engine (:meth:`city.card.operation._post`) in
    set-based SQL and are immutable: the ORM refuses create, write and unlink, and a database
    trigger refuses UPDATE and DELETE, so a correction is always a new, reversing operation.
    """

    _name = "city.card.entry"
    _description = "Card Ledger Entry"
    _order = "id desc"
    _log_access = False

    operation_id = fields.Many2one("city.card.operation", required=True, readonly=True, ondelete="restrict", index=True)
    account_id = fields.Many2one("city.card.account", required=True, readonly=True, ondelete="restrict")
    card_id = fields.Many2one("city.card", readonly=True, ondelete="restrict")
    kind = fields.Selection(OPERATION_KINDS, required=True, readonly=True)
    amount = fields.Integer(required=True, readonly=True, help="Fen; positive credits the account, negative debits it.")
    amount_yuan = fields.Float(string="Amount (CNY)", compute="_compute_yuan", digits=(16, 2))
    balance_after = fields.Integer(readonly=True, help="Purses only: the purse balance after this entry (fen).")
    balance_after_yuan = fields.Float(string="Balance After (CNY)", compute="_compute_yuan", digits=(16, 2))
    posted_at = fields.Datetime(required=True, readonly=True)
    merchant_id = fields.Many2one(related="operation_id.merchant_id")

    def init(self):
        cr = self.env.cr
        cr.execute("CREATE INDEX IF NOT EXISTS city_card_entry_account_id_idx ON city_card_entry (account_id, id)")
        # A card's history, newest first (portal). The filters of the history page (kind, date)
        # are INCLUDEd so that finding a page is an index-only scan: with millions of entries a
        # filtered page of a busy card never fetches the table rows it skips.
        cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'city_card_entry_card_history_idx'")
        row = cr.fetchone()
        if not row or "INCLUDE" not in row[0]:
            cr.execute("DROP INDEX IF EXISTS city_card_entry_card_history_idx")
            cr.execute(
                "CREATE INDEX city_card_entry_card_history_idx ON city_card_entry (card_id, id DESC) "
                "INCLUDE (kind, posted_at) WHERE card_id IS NOT NULL"
            )
        cr.execute(
            """CREATE OR REPLACE FUNCTION city_card_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                   RAISE EXCEPTION 'city_card_entry rows are immutable' USING ERRCODE = 'restrict_violation';
               END $$"""
        )
        cr.execute("DROP TRIGGER IF EXISTS city_card_entry_immutable ON city_card_entry")
        cr.execute(
            "CREATE TRIGGER city_card_entry_immutable BEFORE UPDATE OR DELETE ON city_card_entry "
            "FOR EACH ROW EXECUTE FUNCTION city_card_entry_immutable()"
        )

    @api.depends("amount", "balance_after")
    def _compute_yuan(self):
        for entry in self:
            entry.amount_yuan = entry.amount / 100
            entry.balance_after_yuan = entry.balance_after / 100

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list:
            raise AccessError(self.env._("Ledger entries are written by the posting engine only."))
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(self.env._("Ledger entries cannot be changed; post a reversing operation instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Ledger entries cannot be deleted; post a reversing operation instead."))

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("Ledger entries cannot be duplicated."))
        return super().copy(default)
