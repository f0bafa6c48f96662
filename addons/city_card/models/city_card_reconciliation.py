import time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .city_card_operation import SETTLED_KINDS
from .city_card_settlement import MISSED_MARGIN

# Offending ids kept on a line (the count is always complete).
MAX_IDS = 200

# (check, model of the offending ids, method): the labels are the selection of the line's check field.
CHECKS = [
    ("conservation", None, "_check_conservation"),
    ("balanced", "city.card.operation", "_check_balanced"),
    ("derivation", "city.card.account", "_check_derivation"),
    ("negative_purse", "city.card.account", "_check_negative_purse"),
    ("holds", "city.card.operation", "_check_holds"),
    ("clearing", "city.card.operation", "_check_clearing"),
    ("settlement_links", "city.card.operation", "_check_settlement_links"),
    ("settlement_missed", "city.card.operation", "_check_settlement_missed"),
    ("settlement_totals", "city.card.settlement", "_check_settlement_totals"),
    ("merchant_payable", "city.card.merchant", "_check_merchant_payable"),
    ("refunded", "city.card.operation", "_check_refunded"),
]


class CityCardReconciliation(models.Model):
    """One run of the ledger reconciliation: every invariant checked by set-based SQL.

    Each check is one query over the whole ledger and gives a line (ok or broken, details and
    the offending record ids). A broken run schedules an activity for the card managers.
    """

    _name = "city.card.reconciliation"
    _description = "Ledger Reconciliation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "run_at"
    _mail_post_access = "read"

    run_at = fields.Datetime(string="Run On", required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="Run By", readonly=True, default=lambda self: self.env.user, ondelete="restrict"
    )
    result = fields.Selection([("ok", "OK"), ("broken", "Broken")], readonly=True, tracking=True)
    check_count = fields.Integer(string="Checks", readonly=True)
    broken_count = fields.Integer(string="Broken Checks", readonly=True)
    entry_count = fields.Integer(string="Entries", readonly=True)
    operation_count = fields.Integer(string="Operations", readonly=True)
    account_count = fields.Integer(string="Accounts", readonly=True)
    settlement_count = fields.Integer(string="Settlements", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    line_ids = fields.One2many("city.card.reconciliation.line", "reconciliation_id", string="Checks Run")

    @api.depends("run_at", "result")
    def _compute_display_name(self):
        results = dict(self._fields["result"]._description_selection(self.env))
        for run in self:
            stamp = fields.Datetime.to_string(fields.Datetime.context_timestamp(run, run.run_at)) if run.run_at else ""
            run.display_name = f"{stamp} {results.get(run.result, '')}".strip()

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------
    @api.model
    def action_run(self):
        """Run the reconciliation now (managers) and open the run."""
        if not self.env.su and not self.env.user.has_group("city_card.group_city_card_manager"):
            raise AccessError(self.env._("Only card managers run the reconciliation."))
        run = self._run()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _cron_run(self):
        return self._run()

    @api.model
    def _run(self):
        """Check every invariant and record the run (as superuser: the checks read the whole ledger)."""
        started, clock = fields.Datetime.now(), time.monotonic()
        self.env.flush_all()
        cr = self.env.cr
        # The balance of every account, summed once for all the checks (one scan of the entries).
        cr.execute("DROP TABLE IF EXISTS city_card_reconciliation_sums")
        cr.execute(
            """CREATE TEMPORARY TABLE city_card_reconciliation_sums AS
               SELECT account_id, SUM(amount) AS total, COUNT(*) AS entries FROM city_card_entry GROUP BY account_id"""
        )
        cr.execute("CREATE UNIQUE INDEX ON city_card_reconciliation_sums (account_id)")
        cr.execute("ANALYZE city_card_reconciliation_sums")
        line_vals = []
        for code, model, method in CHECKS:
            broken, details, ids, count = getattr(self, method)()
            line_vals.append(
                {
                    "check": code,
                    "status": "broken" if broken else "ok",
                    "details": details,
                    "res_model": model if ids else False,
                    "offending_ids": ",".join(str(i) for i in ids[:MAX_IDS]) if ids else False,
                    "offending_count": count,
                }
            )
        cr.execute(
            """SELECT (SELECT COALESCE(SUM(entries), 0)::bigint FROM city_card_reconciliation_sums),
                      (SELECT COUNT(*) FROM city_card_operation),
                      (SELECT COUNT(*) FROM city_card_account), (SELECT COUNT(*) FROM city_card_settlement)"""
        )
        entries, operations, accounts, settlements = cr.fetchone()
        broken = sum(1 for vals in line_vals if vals["status"] == "broken")
        run = (
            self.sudo()
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(
                {
                    "run_at": started,
                    "user_id": self.env.uid,
                    "result": "broken" if broken else "ok",
                    "check_count": len(line_vals),
                    "broken_count": broken,
                    "entry_count": entries,
                    "operation_count": operations,
                    "account_count": accounts,
                    "settlement_count": settlements,
                    "duration": time.monotonic() - clock,
                    "line_ids": [fields.Command.create(vals) for vals in line_vals],
                }
            )
        )
        cr.execute("DROP TABLE city_card_reconciliation_sums")
        if broken:
            run._notify_broken()
        return run

    def _notify_broken(self):
        """An activity for every card manager (internal users) about this broken run."""
        self.ensure_one()
        managers = (
            self.env.ref("city_card.group_city_card_manager")
            .sudo()
            .users.filtered(lambda user: user.active and user._is_internal())
        )
        broken = self.line_ids.filtered(lambda line: line.status == "broken")
        labels = dict(broken._fields["check"]._description_selection(self.env))
        note = Markup("<br/>").join(
            Markup("%s: %s") % (labels.get(line.check, line.check), line.details or "") for line in broken
        )
        for user in managers:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("One-card ledger reconciliation: %(count)s check(s) broken", count=len(broken)),
                note=note,
            )

    # ------------------------------------------------------------------
    # Checks: each returns (broken, details, offending ids, offending count)
    # ------------------------------------------------------------------
    def _offending(self, query):
        """``(ids, count)`` of the rows of ``query`` (a query selecting ``id``): all counted, MAX_IDS kept."""
        cr = self.env.cr
        cr.execute(SQL("SELECT COUNT(*) FROM (%s) AS offending", query))
        count = cr.fetchone()[0]
        if not count:
            return [], 0
        cr.execute(SQL("SELECT id FROM (%s) AS offending ORDER BY id LIMIT %s", query, MAX_IDS))
        return [row[0] for row in cr.fetchall()], count

    def _check_conservation(self):
        self.env.cr.execute(
            "SELECT COALESCE(SUM(total), 0)::bigint, COALESCE(SUM(entries), 0)::bigint "
            "FROM city_card_reconciliation_sums"
        )
        total, count = self.env.cr.fetchone()
        if total:
            details = self.env._("The %(count)s entries sum to %(total)s fen, not zero.", count=count, total=total)
            return True, details, [], 0
        return False, self.env._("The %(count)s entries sum to zero.", count=count), [], 0

    def _check_balanced(self):
        ids, count = self._offending(
            SQL(
                """SELECT operation_id AS id FROM city_card_entry GROUP BY operation_id HAVING SUM(amount) <> 0
                   UNION ALL
                   SELECT o.id FROM city_card_operation o
                    WHERE NOT EXISTS (SELECT 1 FROM city_card_entry e WHERE e.operation_id = o.id)"""
            )
        )
        if count:
            details = self.env._("%(count)s operation(s) do not balance or have no entries.", count=count)
            return True, details, ids, count
        return False, self.env._("Every operation balances."), [], 0

    def _check_derivation(self):
        ids, count = self._offending(
            SQL(
                """SELECT a.id FROM city_card_account a
                     LEFT JOIN city_card_reconciliation_sums e
                       ON e.account_id = a.id
                    WHERE a.is_purse AND a.cached_balance <> COALESCE(e.total, 0)"""
            )
        )
        if count:
            details = self.env._(
                "%(count)s purse(s) have a cached balance different from the sum of their entries.", count=count
            )
            return True, details, ids, count
        return False, self.env._("Every purse's cached balance equals the sum of its entries."), [], 0

    def _check_negative_purse(self):
        ids, count = self._offending(
            SQL(
                """SELECT a.id FROM city_card_account a
                     LEFT JOIN city_card_reconciliation_sums e
                       ON e.account_id = a.id
                    WHERE a.is_purse AND (a.cached_balance < 0 OR COALESCE(e.total, 0) < 0)"""
            )
        )
        if count:
            return True, self.env._("%(count)s purse(s) are negative.", count=count), ids, count
        return False, self.env._("No purse is negative."), [], 0

    def _system_balance(self, kind):
        account = self.env["city.card.account"]._system_account(kind)
        self.env.cr.execute(
            "SELECT COALESCE(SUM(total), 0)::bigint FROM city_card_reconciliation_sums WHERE account_id = %s",
            [account.id],
        )
        return self.env.cr.fetchone()[0]

    def _check_holds(self):
        balance = self._system_balance("hold")
        pending_query = SQL("SELECT id, amount FROM city_card_operation WHERE kind = 'hold' AND hold_state = 'pending'")
        self.env.cr.execute(
            SQL("SELECT COALESCE(SUM(amount), 0)::bigint, COUNT(*) FROM (%s) AS pending", pending_query)
        )
        pending, count = self.env.cr.fetchone()
        if balance == pending:
            details = self.env._(
                "The hold account holds %(balance)s fen: the %(count)s pending hold(s).", balance=balance, count=count
            )
            return False, details, [], 0
        ids, _count = self._offending(pending_query)
        details = self.env._(
            "The hold account holds %(balance)s fen, the %(count)s pending hold(s) %(pending)s fen.",
            balance=balance,
            count=count,
            pending=pending,
        )
        return True, details, ids, count

    def _check_clearing(self):
        balance = self._system_balance("clearing")
        unsettled_query = SQL(
            "SELECT id, kind, amount FROM city_card_operation WHERE settlement_id IS NULL AND kind IN %s",
            tuple(SETTLED_KINDS),
        )
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(CASE WHEN kind = 'refund' THEN -amount ELSE amount END), 0)::bigint, COUNT(*)
                     FROM (%s) AS unsettled""",
                unsettled_query,
            )
        )
        unsettled, count = self.env.cr.fetchone()
        if balance == unsettled:
            details = self.env._(
                "Clearing holds %(balance)s fen: the %(count)s unsettled operation(s).", balance=balance, count=count
            )
            return False, details, [], 0
        ids, _count = self._offending(unsettled_query)
        details = self.env._(
            "Clearing holds %(balance)s fen, the %(count)s unsettled operation(s) net %(unsettled)s fen.",
            balance=balance,
            count=count,
            unsettled=unsettled,
        )
        return True, details, ids, count

    def _check_settlement_links(self):
        ids, count = self._offending(
            SQL(
                """SELECT o.id FROM city_card_operation o
                     JOIN city_card_settlement s ON s.id = o.settlement_id
                    WHERE o.kind NOT IN %(kinds)s OR o.merchant_id IS DISTINCT FROM s.merchant_id
                       OR o.posted_at >= s.cutoff_at""",
                kinds=tuple(SETTLED_KINDS),
            )
        )
        if count:
            details = self.env._("%(count)s settled operation(s) do not belong to their settlement.", count=count)
            return True, details, ids, count
        details = self.env._(
            "Every settled operation is a payment, capture or refund of its settlement's merchant, posted before "
            "the cut-off."
        )
        return False, details, [], 0

    def _check_settlement_missed(self):
        ids, count = self._offending(
            SQL(
                """SELECT o.id FROM city_card_operation o
                    WHERE o.settlement_id IS NULL AND o.kind IN %(kinds)s
                      AND EXISTS (SELECT 1 FROM city_card_settlement s
                                   WHERE s.merchant_id = o.merchant_id AND o.posted_at < s.cutoff_at
                                     AND o.create_date < s.create_date - %(margin)s)""",
                kinds=tuple(SETTLED_KINDS),
                margin=MISSED_MARGIN,
            )
        )
        if count:
            details = self.env._(
                "%(count)s operation(s) posted before a settlement's cut-off were left out of it.", count=count
            )
            return True, details, ids, count
        return False, self.env._("No operation was left out of the settlement that should have settled it."), [], 0

    def _check_settlement_totals(self):
        ids, count = self._offending(
            SQL(
                """WITH ops AS (
                       SELECT settlement_id,
                              COUNT(*) FILTER (WHERE kind <> 'refund') AS payment_count,
                              COALESCE(SUM(amount) FILTER (WHERE kind <> 'refund'), 0) AS payment_amount,
                              COUNT(*) FILTER (WHERE kind = 'refund') AS refund_count,
                              COALESCE(SUM(amount) FILTER (WHERE kind = 'refund'), 0) AS refund_amount
                         FROM city_card_operation WHERE settlement_id IS NOT NULL GROUP BY settlement_id
                   ), posting AS (
                       SELECT s.id AS settlement_id,
                              COALESCE(SUM(e.amount) FILTER (WHERE a.kind = 'clearing'), 0) AS clearing,
                              COALESCE(SUM(e.amount) FILTER (WHERE a.kind = 'fee_income'), 0) AS fee,
                              COALESCE(SUM(e.amount) FILTER (WHERE a.id = m.account_id), 0) AS payable,
                              COUNT(e.id) FILTER (WHERE a.kind NOT IN ('clearing', 'fee_income')
                                                    AND a.id IS DISTINCT FROM m.account_id) AS stray
                         FROM city_card_settlement s
                         JOIN city_card_merchant m ON m.id = s.merchant_id
                         LEFT JOIN city_card_entry e ON e.operation_id = s.operation_id
                         LEFT JOIN city_card_account a ON a.id = e.account_id
                        GROUP BY s.id
                   ), shared AS (
                       SELECT operation_id FROM city_card_settlement WHERE operation_id IS NOT NULL
                        GROUP BY operation_id HAVING COUNT(*) > 1
                   )
                   SELECT s.id FROM city_card_settlement s
                     JOIN posting p ON p.settlement_id = s.id
                     LEFT JOIN ops ON ops.settlement_id = s.id
                     LEFT JOIN city_card_operation so ON so.id = s.operation_id
                    WHERE s.payment_count <> COALESCE(ops.payment_count, 0)
                       OR s.payment_amount <> COALESCE(ops.payment_amount, 0)
                       OR s.refund_count <> COALESCE(ops.refund_count, 0)
                       OR s.refund_amount <> COALESCE(ops.refund_amount, 0)
                       OR s.net_amount <> s.payment_amount - s.refund_amount - s.fee_amount
                       OR p.clearing <> s.refund_amount - s.payment_amount
                       OR p.fee <> s.fee_amount
                       OR p.payable <> s.net_amount
                       OR p.stray > 0
                       OR so.kind <> 'settlement'
                       OR so.merchant_id IS DISTINCT FROM s.merchant_id AND so.id IS NOT NULL
                       OR s.operation_id IN (SELECT operation_id FROM shared)"""
            )
        )
        if count:
            details = self.env._(
                "%(count)s settlement(s) disagree with their operations or with their posting.", count=count
            )
            return True, details, ids, count
        details = self.env._(
            "Every settlement's totals equal its operations, and its posting moves exactly its net amount and fee."
        )
        return False, details, [], 0

    def _check_merchant_payable(self):
        ids, count = self._offending(
            SQL(
                """SELECT m.id FROM city_card_merchant m
                     LEFT JOIN city_card_reconciliation_sums e
                       ON e.account_id = m.account_id
                     LEFT JOIN (SELECT merchant_id, SUM(net_amount) AS total FROM city_card_settlement
                                 WHERE state = 'posted' GROUP BY merchant_id) s
                       ON s.merchant_id = m.id
                    WHERE COALESCE(e.total, 0) <> COALESCE(s.total, 0)"""
            )
        )
        if count:
            details = self.env._(
                "%(count)s merchant(s) have a payable balance different from their unpaid settlements.", count=count
            )
            return True, details, ids, count
        return False, self.env._("Every merchant's payable account holds exactly its unpaid settlements."), [], 0

    def _check_refunded(self):
        ids, count = self._offending(
            SQL(
                """SELECT o.id FROM city_card_operation o
                     LEFT JOIN (SELECT original_id, SUM(amount) AS total FROM city_card_operation
                                 WHERE kind = 'refund' GROUP BY original_id) r
                       ON r.original_id = o.id
                    WHERE o.kind IN ('payment', 'capture') AND o.refunded_amount <> COALESCE(r.total, 0)
                   UNION ALL
                   SELECT o.id FROM city_card_operation o
                    WHERE o.kind NOT IN ('payment', 'capture') AND o.refunded_amount <> 0"""
            )
        )
        if count:
            details = self.env._(
                "%(count)s operation(s) have a refunded amount different from their refunds.", count=count
            )
            return True, details, ids, count
        return False, self.env._("Every payment's refunded amount equals the sum of its refunds."), [], 0
