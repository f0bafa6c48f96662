from odoo import api, fields, models

CHECK_KINDS = [
    ("conservation", "Conservation: all entries sum to zero"),
    ("balanced", "Conservation: each operation's entries sum to zero"),
    ("derivation", "Derivation: cached purse balance = sum of its entries"),
    ("negative_purse", "No negative purse"),
    ("holds", "Hold account = pending holds"),
    ("clearing", "Clearing = unsettled payments + captures − refunds"),
    ("settlement_links", "Settled postings belong to their settlement's merchant and day"),
    ("settlement_missed", "Postings before a settlement's cut-off are settled"),
    ("settlement_totals", "Settlement totals = their operations and postings"),
    ("merchant_payable", "Merchant payable = unpaid settlements"),
    ("refunded", "Refunded amount = sum of refunds"),
]


class CityCardReconciliationLine(models.Model):
    """One invariant checked by a reconciliation run: its status, details and offending records."""

    _name = "city.card.reconciliation.line"
    _description = "Ledger Reconciliation Check"
    _order = "reconciliation_id desc, id"
    _rec_name = "check"

    reconciliation_id = fields.Many2one("city.card.reconciliation", required=True, ondelete="cascade", index=True)
    check = fields.Selection(CHECK_KINDS, required=True, readonly=True)
    status = fields.Selection([("ok", "OK"), ("broken", "Broken")], required=True, readonly=True)
    details = fields.Text(readonly=True)
    res_model = fields.Char(string="Offending Model", readonly=True)
    offending_ids = fields.Text(string="Offending IDs", readonly=True, help="The first 200 ids, comma-separated.")
    offending_count = fields.Integer(string="Offending Records", readonly=True)

    @api.model
    def _offending_id_list(self, text):
        return [int(part) for part in (text or "").split(",") if part.strip().isdigit()]

    def action_open_offending(self):
        """The offending records (the first 200) in a list."""
        self.ensure_one()
        labels = dict(self._fields["check"]._description_selection(self.env))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(check)s: offending records", check=labels.get(self.check, self.check)),
            "res_model": self.res_model,
            "domain": [("id", "in", self._offending_id_list(self.offending_ids))],
            "view_mode": "list,form",
            "context": {"create": False},
        }
