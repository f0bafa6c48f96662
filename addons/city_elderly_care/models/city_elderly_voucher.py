from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.city_base.tools.dates import city_today

# Context key of the ledger's own writes: nothing else may change a voucher or write a move.
LEDGER = "city_elderly_voucher_ledger"

ISSUE_SQL = """
WITH policy AS (
    SELECT p.id, p.monthly_fen, p.care_level,
           (%(month)s::date + make_interval(months => p.valid_months) - interval '1 day')::date AS expires_on,
           ARRAY(SELECT pc.category_id FROM city_elderly_subsidy_policy_category_rel pc
                  WHERE pc.policy_id = p.id) AS category_ids
      FROM city_elderly_subsidy_policy p
     WHERE p.active
       AND p.date_start <= %(month_end)s
       AND (p.date_end IS NULL OR p.date_end >= %(month)s)
       AND (%(policy_ids)s::int[] IS NULL OR p.id = ANY(%(policy_ids)s::int[]))
), issued AS (
    INSERT INTO city_elderly_voucher (recipient_id, policy_id, month, amount_fen, balance_fen, expires_on, state,
                                      create_uid, write_uid, create_date, write_date)
    SELECT r.id, p.id, %(month)s, p.monthly_fen, p.monthly_fen, p.expires_on, 'active',
           %(uid)s, %(uid)s, %(now)s, %(now)s
      FROM policy p
      JOIN city_care_recipient r
        ON r.active
       AND (p.care_level IS NULL OR r.care_level = p.care_level)
       AND (cardinality(p.category_ids) = 0 OR EXISTS (
                SELECT 1 FROM city_care_recipient_category_rel rc
                 WHERE rc.recipient_id = r.id AND rc.category_id = ANY(p.category_ids)))
    ON CONFLICT (recipient_id, policy_id, month) DO NOTHING
    RETURNING id, recipient_id, amount_fen
)
INSERT INTO city_elderly_voucher_move (voucher_id, recipient_id, community_id, kind, amount_fen, amount, date,
                                       create_uid, write_uid, create_date, write_date)
SELECT i.id, i.recipient_id, r.community_id, 'issue', i.amount_fen, i.amount_fen / 100.0, %(now)s,
       %(uid)s, %(uid)s, %(now)s, %(now)s
  FROM issued i
  JOIN city_care_recipient r ON r.id = i.recipient_id
"""

EXPIRE_SQL = """
WITH due AS (
    SELECT id, balance_fen FROM city_elderly_voucher
     WHERE state IN ('active', 'exhausted') AND expires_on < %(today)s
     FOR UPDATE
), expired AS (
    UPDATE city_elderly_voucher v
       SET state = 'expired', balance_fen = 0, write_uid = %(uid)s, write_date = %(now)s
      FROM due
     WHERE v.id = due.id
    RETURNING v.id, v.recipient_id, due.balance_fen AS lost
), moves AS (
    INSERT INTO city_elderly_voucher_move (voucher_id, recipient_id, community_id, kind, amount_fen, amount, date,
                                           create_uid, write_uid, create_date, write_date)
    SELECT e.id, e.recipient_id, r.community_id, 'expire', -e.lost, -e.lost / 100.0, %(now)s,
           %(uid)s, %(uid)s, %(now)s, %(now)s
      FROM expired e
      JOIN city_care_recipient r ON r.id = e.recipient_id
     WHERE e.lost > 0
)
SELECT count(*) FROM expired
"""


class CityElderlyVoucher(models.Model):
    """A monthly subsidy voucher of one elder (服务券): spent on service orders, expires.

    The balance changes only through the ledger (``city.elderly.voucher.move``): it always equals
    the sum of the voucher's moves, and a CHECK keeps it between 0 and the amount issued.
    """

    _name = "city.elderly.voucher"
    _description = "Elderly Subsidy Voucher"
    _order = "month desc, expires_on, id"
    _rec_name = "recipient_id"

    recipient_id = fields.Many2one(
        "city.care.recipient", string="Elder", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="recipient_id.partner_id", string="Resident")
    division_id = fields.Many2one(related="recipient_id.division_id", string="Grid")
    community_id = fields.Many2one(related="recipient_id.community_id", string="Community")
    policy_id = fields.Many2one(
        "city.elderly.subsidy.policy",
        string="Subsidy Policy",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    month = fields.Date(required=True, readonly=True, help="First day of the month the voucher was issued for.")
    amount_fen = fields.Integer(string="Amount Issued (fen)", required=True, readonly=True)
    balance_fen = fields.Integer(string="Balance (fen)", readonly=True)
    amount = fields.Float(string="Amount Issued", compute="_compute_amounts", digits=(12, 2))
    balance = fields.Float(compute="_compute_amounts", digits=(12, 2))
    expires_on = fields.Date(required=True, readonly=True, index=True, help="Last day on which it can be spent.")
    state = fields.Selection(
        [("active", "Active"), ("exhausted", "Used Up"), ("expired", "Expired")],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )
    move_ids = fields.One2many("city.elderly.voucher.move", "voucher_id", string="Ledger", readonly=True)

    _sql_constraints = [
        (
            "recipient_policy_month_uniq",
            "UNIQUE (recipient_id, policy_id, month)",
            "An elder gets one voucher per policy and month.",
        ),
        (
            "balance_range",
            "CHECK (balance_fen BETWEEN 0 AND amount_fen)",
            "A voucher balance cannot be negative nor exceed the amount issued.",
        ),
        ("amount_positive", "CHECK (amount_fen > 0)", "A voucher amount must be positive."),
    ]

    @api.depends("amount_fen", "balance_fen")
    def _compute_amounts(self):
        for voucher in self:
            voucher.amount = voucher.amount_fen / 100.0
            voucher.balance = voucher.balance_fen / 100.0

    @api.model_create_multi
    def create(self, vals_list):
        """A voucher issued by hand: its balance is the amount, and the ledger gets its issue move."""
        for vals in vals_list:
            policy = self.env["city.elderly.subsidy.policy"].browse(vals.get("policy_id"))
            month = fields.Date.to_date(vals.get("month") or city_today()).replace(day=1)
            vals["month"] = month
            vals.setdefault("amount_fen", policy.monthly_fen)
            vals.setdefault("expires_on", month + relativedelta(months=policy.valid_months or 1, days=-1))
            vals["balance_fen"] = vals["amount_fen"]
            vals["state"] = "active"
        vouchers = super().create(vals_list)
        self.env["city.elderly.voucher.move"].with_context(**{LEDGER: True}).create(
            [{"voucher_id": voucher.id, "kind": "issue", "amount_fen": voucher.amount_fen} for voucher in vouchers]
        )
        return vouchers

    def write(self, vals):
        if not self.env.context.get(LEDGER):
            raise UserError(self.env._("Vouchers change only through their ledger (spend, refund, expiry)."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Vouchers cannot be deleted: they are part of the subsidy ledger."))

    # ------------------------------------------------------------------
    # Ledger API (used by service orders and the crons)
    # ------------------------------------------------------------------
    def _ledger_done(self):
        self.env["city.elderly.voucher"].invalidate_model()
        self.env["city.elderly.voucher.move"].invalidate_model()

    @api.model
    def _spend(self, order, amount_fen):
        """Pay up to ``amount_fen`` of ``order`` with its elder's vouchers; return the fen taken.

        The elder's spendable vouchers are locked (FOR UPDATE) and used earliest expiry first;
        never more than their balance is taken, so the result is less than ``amount_fen`` when the
        balance is short (the rest is self-pay). One spend move per voucher used, linked to the order.
        """
        order.ensure_one()
        if amount_fen <= 0:
            return 0
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """SELECT id, balance_fen FROM city_elderly_voucher
                WHERE recipient_id = %s AND state = 'active' AND balance_fen > 0 AND expires_on >= %s
                ORDER BY expires_on, month, id
                  FOR UPDATE""",
            [order.recipient_id.id, city_today()],
        )
        takes = []
        remaining = amount_fen
        for voucher_id, balance in cr.fetchall():
            if remaining <= 0:
                break
            take = min(balance, remaining)
            takes.append((voucher_id, take))
            remaining -= take
        if takes:
            self._ledger_apply(takes, "spend", order)
        return amount_fen - remaining

    @api.model
    def _refund(self, order):
        """Give back to the same vouchers what ``order`` took from them; return the fen given back.

        A refund to a voucher that has expired meanwhile is written and expired again at once
        (a refund move followed by an expire move): expired subsidy does not come back. Running it
        twice gives nothing more back (what the order still holds is recomputed under the lock).
        """
        order.ensure_one()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """SELECT v.id FROM city_elderly_voucher v
                WHERE v.id IN (SELECT voucher_id FROM city_elderly_voucher_move WHERE order_id = %s)
                ORDER BY v.expires_on, v.month, v.id
                  FOR UPDATE""",
            [order.id],
        )
        voucher_ids = [row[0] for row in cr.fetchall()]
        if not voucher_ids:
            return 0
        cr.execute(
            """SELECT m.voucher_id, -sum(m.amount_fen), v.expires_on < %s OR v.state = 'expired'
                 FROM city_elderly_voucher_move m
                 JOIN city_elderly_voucher v ON v.id = m.voucher_id
                WHERE m.order_id = %s AND m.kind IN ('spend', 'refund') AND m.voucher_id = ANY(%s)
                GROUP BY m.voucher_id, v.expires_on, v.state
               HAVING sum(m.amount_fen) < 0""",
            [city_today(), order.id, voucher_ids],
        )
        rows = cr.fetchall()
        if not rows:
            return 0
        self._ledger_apply([(voucher_id, held) for voucher_id, held, _expired in rows], "refund", order)
        lost = [(voucher_id, held) for voucher_id, held, expired in rows if expired]
        if lost:
            self._ledger_apply(lost, "expire", order)
        return sum(held for _voucher_id, held, _expired in rows)

    @api.model
    def _ledger_apply(self, amounts, kind, order=None):
        """Move ``[(voucher_id, fen)]`` (fen > 0) out of (spend, expire) or back into (refund) the vouchers."""
        sign = 1 if kind == "refund" else -1
        now = fields.Datetime.now()
        params = {
            "ids": [voucher_id for voucher_id, _fen in amounts],
            "fens": [sign * fen for _voucher_id, fen in amounts],
            "kind": kind,
            "order": order.id if order else None,
            "uid": self.env.uid,
            "now": now,
            "today": city_today(),
        }
        self.env.cr.execute(
            """WITH delta AS (SELECT * FROM unnest(%(ids)s::int[], %(fens)s::int[]) AS d(voucher_id, fen)),
                    changed AS (
                        UPDATE city_elderly_voucher v
                           SET balance_fen = v.balance_fen + delta.fen,
                               state = CASE WHEN %(kind)s = 'expire' OR v.expires_on < %(today)s THEN 'expired'
                                            WHEN v.balance_fen + delta.fen = 0 THEN 'exhausted'
                                            ELSE 'active' END,
                               write_uid = %(uid)s, write_date = %(now)s
                          FROM delta
                         WHERE v.id = delta.voucher_id
                        RETURNING v.id, v.recipient_id, delta.fen)
               INSERT INTO city_elderly_voucher_move (voucher_id, recipient_id, community_id, order_id, kind,
                                                      amount_fen, amount, date,
                                                      create_uid, write_uid, create_date, write_date)
               SELECT c.id, c.recipient_id, r.community_id, %(order)s, %(kind)s, c.fen, c.fen / 100.0, %(now)s,
                      %(uid)s, %(uid)s, %(now)s, %(now)s
                 FROM changed c
                 JOIN city_care_recipient r ON r.id = c.recipient_id""",
            params,
        )
        self._ledger_done()

    @api.model
    def _balance(self, recipients):
        """Spendable voucher balance (fen) of each of ``recipients``: ``{recipient_id: fen}``."""
        balances = dict.fromkeys(recipients.ids, 0)
        if not recipients:
            return balances
        self.flush_model(["recipient_id", "balance_fen", "state", "expires_on"])
        self.env.cr.execute(
            """SELECT recipient_id, sum(balance_fen) FROM city_elderly_voucher
                WHERE recipient_id = ANY(%s) AND state = 'active' AND expires_on >= %s
                GROUP BY recipient_id""",
            [recipients.ids, city_today()],
        )
        balances.update((recipient_id, int(fen)) for recipient_id, fen in self.env.cr.fetchall())
        return balances

    @api.model
    def _issue_month(self, month_date, policies=None):
        """Issue the vouchers of ``month_date``'s month for every active policy (or ``policies``).

        One set-based statement: one voucher per matching active recipient and policy, with its
        issue move; what was issued already is left alone (ON CONFLICT DO NOTHING), so running it
        twice issues nothing more. Returns the number of vouchers issued.
        """
        month = fields.Date.to_date(month_date).replace(day=1)
        self.env.flush_all()
        self.env.cr.execute(
            ISSUE_SQL,
            {
                "month": month,
                "month_end": month + relativedelta(months=1, days=-1),
                "policy_ids": policies.ids if policies is not None else None,
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
            },
        )
        issued = self.env.cr.rowcount
        self._ledger_done()
        return issued

    @api.model
    def _expire(self, today=None):
        """Expire the vouchers past their last day: balance to 0 with an expire move; returns how many."""
        self.env.flush_all()
        self.env.cr.execute(
            EXPIRE_SQL, {"today": today or city_today(), "uid": self.env.uid, "now": fields.Datetime.now()}
        )
        expired = self.env.cr.fetchone()[0]
        self._ledger_done()
        return expired

    @api.model
    def _cron_issue(self):
        """Daily: issue the current month's vouchers (only the first run of a month issues any)."""
        return self._issue_month(city_today())

    @api.model
    def _cron_expire(self):
        return self._expire()
