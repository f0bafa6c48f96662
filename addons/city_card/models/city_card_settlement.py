import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .city_card_operation import SETTLED_KINDS, yuan

DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_CUTOFF_HOUR = 24  # the business day closes at midnight, local time
# A posting older than its merchant's settlement by this much should have been in it (see the
# reconciliation's "missed" check): no request takes that long, so it was not still uncommitted.
MISSED_MARGIN = datetime.timedelta(minutes=5)


class CityCardSettlement(models.Model):
    """A daily settlement batch of one merchant: payments − refunds − fees, out of clearing.

    :meth:`_settle` settles every merchant with unsettled payments, captures or refunds posted
    before a business day's cut-off: it creates one settlement per merchant, links the settled
    operations to it set-based (each operation is settled once: the rows are updated only while
    unsettled, and a merchant is settled once per business day) and posts one settlement
    operation per merchant: clearing → merchant payable account (net) and fee income (fee).
    A day where refunds exceed payments moves the difference back from the merchant's account
    to clearing. "Mark paid" posts the payout (merchant payable → payout account).
    """

    _name = "city.card.settlement"
    _description = "Merchant Settlement"
    _inherit = ["portal.mixin", "mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    merchant_id = fields.Many2one("city.card.merchant", required=True, readonly=True, ondelete="restrict", index=True)
    partner_id = fields.Many2one(related="merchant_id.partner_id", string="Organisation")
    date = fields.Date(string="Business Day", required=True, readonly=True, index=True)
    cutoff_at = fields.Datetime(string="Cut-off", required=True, readonly=True)
    payment_count = fields.Integer(readonly=True)
    payment_amount = fields.Integer(readonly=True, help="Fen.")
    refund_count = fields.Integer(readonly=True)
    refund_amount = fields.Integer(readonly=True, help="Fen.")
    fee_amount = fields.Integer(readonly=True, help="Fen.")
    net_amount = fields.Integer(readonly=True, help="Fen paid to the merchant: payments − refunds − fees.")
    payment_amount_yuan = fields.Float(
        string="Payments (CNY)", compute="_compute_yuan", store=True, digits=(16, 2), aggregator="sum"
    )
    refund_amount_yuan = fields.Float(
        string="Refunds (CNY)", compute="_compute_yuan", store=True, digits=(16, 2), aggregator="sum"
    )
    fee_amount_yuan = fields.Float(
        string="Fee (CNY)", compute="_compute_yuan", store=True, digits=(16, 2), aggregator="sum"
    )
    net_amount_yuan = fields.Float(
        string="Net (CNY)", compute="_compute_yuan", store=True, digits=(16, 2), aggregator="sum"
    )
    state = fields.Selection(
        [("posted", "Posted"), ("paid", "Paid")], default="posted", required=True, readonly=True, tracking=True
    )
    operation_id = fields.Many2one(
        "city.card.operation", string="Settlement Posting", readonly=True, ondelete="restrict"
    )
    payout_operation_id = fields.Many2one(
        "city.card.operation", string="Payout Posting", readonly=True, ondelete="restrict"
    )
    paid_at = fields.Datetime(string="Paid On", readonly=True)
    paid_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    settled_operation_ids = fields.One2many("city.card.operation", "settlement_id", string="Settled Operations")
    bank_account = fields.Char(related="merchant_id.bank_account")

    _sql_constraints = [
        ("merchant_day_unique", "unique(merchant_id, date)", "A merchant is settled once per business day."),
    ]

    @api.depends("payment_amount", "refund_amount", "fee_amount", "net_amount")
    def _compute_yuan(self):
        for settlement in self:
            settlement.payment_amount_yuan = settlement.payment_amount / 100
            settlement.refund_amount_yuan = settlement.refund_amount / 100
            settlement.fee_amount_yuan = settlement.fee_amount / 100
            settlement.net_amount_yuan = settlement.net_amount / 100

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for settlement in self:
            settlement.access_url = f"/my/card-settlements/{settlement.id}"
        return result

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Settlement %(name)s", name=self.name)

    # ------------------------------------------------------------------
    # Business day and cut-off
    # ------------------------------------------------------------------
    @api.model
    def _settlement_tz(self):
        name = self.env["ir.config_parameter"].sudo().get_param("city_card.settlement_tz") or DEFAULT_TZ
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            return pytz.timezone(DEFAULT_TZ)

    @api.model
    def _cutoff_hour(self):
        hour = self.env["city.card.operation"]._param_int("city_card.settlement_cutoff_hour", DEFAULT_CUTOFF_HOUR)
        return hour if 1 <= hour <= 24 else DEFAULT_CUTOFF_HOUR

    @api.model
    def _cutoff_at(self, day):
        """The cut-off of business day ``day`` as a naive UTC datetime (local midnight + the cut-off hour)."""
        day = fields.Date.to_date(day)
        local_midnight = self._settlement_tz().localize(datetime.datetime.combine(day, datetime.time.min))
        cutoff = local_midnight + datetime.timedelta(hours=self._cutoff_hour())
        return cutoff.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _last_closed_day(self, now=None):
        """The latest business day whose cut-off has passed at ``now`` (UTC)."""
        now = now or fields.Datetime.now()
        local_today = pytz.utc.localize(now).astimezone(self._settlement_tz()).date()
        for back in range(3):
            day = local_today - datetime.timedelta(days=back)
            if self._cutoff_at(day) <= now:
                return day
        return local_today - datetime.timedelta(days=3)

    # ------------------------------------------------------------------
    # Settlement
    # ------------------------------------------------------------------
    @api.model
    def _settle(self, day):
        """Settle every merchant's unsettled payments, captures and refunds posted before ``day``'s cut-off.

        Returns the new settlements (none for a merchant already settled for ``day``: what it
        receives later goes into its next day's settlement).
        """
        day = fields.Date.to_date(day)
        cutoff = self._cutoff_at(day)
        cr = self.env.cr
        self.env["city.card.operation"].flush_model()
        self.flush_model()
        kinds = tuple(SETTLED_KINDS)
        # The merchants to settle, locked so that two settlement runs of one merchant queue up (the
        # lock does not conflict with the key-share locks that new payments take on the merchant).
        cr.execute(
            SQL(
                """SELECT m.id FROM city_card_merchant m
                    WHERE EXISTS (SELECT 1 FROM city_card_operation o
                                   WHERE o.merchant_id = m.id AND o.settlement_id IS NULL
                                     AND o.kind IN %(kinds)s AND o.posted_at < %(cutoff)s)
                      AND NOT EXISTS (SELECT 1 FROM city_card_settlement s
                                       WHERE s.merchant_id = m.id AND s.date = %(day)s)
                    ORDER BY m.id
                      FOR NO KEY UPDATE OF m""",
                kinds=kinds,
                cutoff=cutoff,
                day=day,
            )
        )
        merchant_ids = [row[0] for row in cr.fetchall()]
        if not merchant_ids:
            return self.browse()
        merchants = self.env["city.card.merchant"].sudo().browse(merchant_ids)
        sequence = self.env["ir.sequence"].sudo().with_context(ir_sequence_date=str(day))
        settlements = (
            self.sudo()
            .with_context(mail_create_nolog=True)
            .create(
                [
                    {
                        "name": sequence.next_by_code("city.card.settlement") or "/",
                        "merchant_id": merchant.id,
                        "date": day,
                        "cutoff_at": cutoff,
                    }
                    for merchant in merchants
                ]
            )
        )
        settlements.flush_recordset()
        # Link the operations and total what was linked, in one statement: only rows still unsettled
        # are updated, so no operation is ever counted by two settlements.
        cr.execute(
            SQL(
                """WITH linked AS (
                       UPDATE city_card_operation o
                          SET settlement_id = s.id, write_uid = %(uid)s, write_date = now() at time zone 'utc'
                         FROM city_card_settlement s
                        WHERE s.id = ANY(%(ids)s) AND o.merchant_id = s.merchant_id AND o.settlement_id IS NULL
                          AND o.kind IN %(kinds)s AND o.posted_at < %(cutoff)s
                    RETURNING o.settlement_id, o.kind, o.amount
                   )
                   SELECT settlement_id,
                          COUNT(*) FILTER (WHERE kind <> 'refund'),
                          COALESCE(SUM(amount) FILTER (WHERE kind <> 'refund'), 0),
                          COUNT(*) FILTER (WHERE kind = 'refund'),
                          COALESCE(SUM(amount) FILTER (WHERE kind = 'refund'), 0)
                     FROM linked GROUP BY settlement_id""",
                uid=self.env.uid,
                ids=settlements.ids,
                kinds=kinds,
                cutoff=cutoff,
            )
        )
        totals = {row[0]: row[1:] for row in cr.fetchall()}
        self.env["city.card.operation"].invalidate_model(["settlement_id", "write_uid", "write_date"])
        accounts = self.env["city.card.account"]
        clearing = accounts._system_account("clearing")
        fee_income = accounts._system_account("fee_income")
        specs, posted = [], self.browse()
        for settlement in settlements:
            payment_count, payment_amount, refund_count, refund_amount = totals.get(settlement.id, (0, 0, 0, 0))
            gross = payment_amount - refund_amount
            fee = settlement.merchant_id._fee(gross)
            settlement.write(
                {
                    "payment_count": payment_count,
                    "payment_amount": payment_amount,
                    "refund_count": refund_count,
                    "refund_amount": refund_amount,
                    "fee_amount": fee,
                    "net_amount": gross - fee,
                }
            )
            lines = settlement._posting_lines(gross, fee, clearing, fee_income)
            if lines:
                specs.append(
                    {
                        "vals": {
                            "kind": "settlement",
                            "channel": "system",
                            "merchant_id": settlement.merchant_id.id,
                            "amount": abs(gross),
                            "note": settlement.name,
                        },
                        "lines": lines,
                    }
                )
                posted |= settlement
        operations = self.env["city.card.operation"].sudo()._post(specs)
        for settlement, operation in zip(posted, operations, strict=True):
            settlement.operation_id = operation
        for settlement in settlements:
            self.env["city.audit.log"].sudo().record(
                "card.settlement",
                record=settlement,
                payload={
                    "settlement": settlement.name,
                    "merchant": settlement.merchant_id.code,
                    "date": str(day),
                    "payments": settlement.payment_amount,
                    "refunds": settlement.refund_amount,
                    "fee": settlement.fee_amount,
                    "net": settlement.net_amount,
                    "operation": settlement.operation_id.id or None,
                },
                chain="card",
            )
        return settlements

    def _posting_lines(self, gross, fee, clearing, fee_income):
        """The entries of the settlement operation: ``gross`` (payments − refunds) leaves clearing.

        A positive gross goes to the merchant's payable account less the fee, which goes to fee
        income; a negative gross (more refunded than paid that day) is taken back from the
        merchant's account into clearing; a zero gross posts nothing.
        """
        self.ensure_one()
        payable = self.merchant_id.account_id
        if not payable:
            raise UserError(self.env._("Merchant %(name)s has no payable account.", name=self.merchant_id.name))
        if gross > 0:
            lines = [(clearing.id, -gross), (payable.id, gross - fee), (fee_income.id, fee)]
        elif gross < 0:
            lines = [(payable.id, gross), (clearing.id, -gross)]
        else:
            lines = []
        return [(account, amount) for account, amount in lines if amount]

    @api.model
    def _cron_settle(self):
        """Daily: settle the latest business day whose cut-off has passed."""
        return self._settle(self._last_closed_day())

    @api.model
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group("city_card.group_city_card_manager"):
            raise AccessError(self.env._("Only card managers settle merchants and pay settlements out."))

    @api.model
    def action_settle_last_day(self):
        """Settle the latest closed business day now (the daily job does the same)."""
        self._check_manager()
        day = self._last_closed_day()
        settlements = self._settle(day)
        if settlements:
            message = self.env._(
                "%(count)s merchant settlement(s) posted for %(day)s.", count=len(settlements), day=day
            )
        else:
            message = self.env._("Nothing to settle up to the cut-off of %(day)s.", day=day)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success" if settlements else "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Payout
    # ------------------------------------------------------------------
    def action_mark_paid(self):
        """Pay the selected settlements out: one payout per merchant (merchant payable → payouts).

        A merchant's settlements are paid together, so a day where refunds exceeded payments
        is netted against the days paid with it; a merchant owing money on balance is refused.
        """
        self.check_access("read")
        self._check_manager()
        if not self:
            return True
        self.env.cr.execute(
            SQL("SELECT id FROM city_card_settlement WHERE id = ANY(%s) ORDER BY id FOR UPDATE", self.ids)
        )
        self.invalidate_recordset(["state"])
        settlements = self.sudo().filtered(lambda s: s.state == "posted")
        if not settlements:
            raise UserError(self.env._("These settlements are already paid."))
        payout = self.env["city.card.account"]._system_account("payout")
        groups, specs = [], []
        for merchant in settlements.merchant_id:
            group = settlements.filtered(lambda s, merchant=merchant: s.merchant_id == merchant)
            total = sum(group.mapped("net_amount"))
            if total < 0:
                raise UserError(
                    self.env._(
                        "%(merchant)s owes %(amount)s yuan on these settlements: pay them together with a later one.",
                        merchant=merchant.name,
                        amount=yuan(-total),
                    )
                )
            spec = None
            if total > 0:
                spec = {
                    "vals": {
                        "kind": "payout",
                        "channel": "system",
                        "merchant_id": merchant.id,
                        "amount": total,
                        "note": ", ".join(group.sorted("date").mapped("name")),
                    },
                    "lines": [(merchant.account_id.id, -total), (payout.id, total)],
                }
                specs.append(spec)
            groups.append((group, spec is not None))
        operations = iter(self.env["city.card.operation"].sudo()._post(specs))
        now = fields.Datetime.now()
        for group, has_payout in groups:
            operation = next(operations) if has_payout else self.env["city.card.operation"]
            group.write(
                {"state": "paid", "payout_operation_id": operation.id, "paid_at": now, "paid_by_id": self.env.uid}
            )
            for settlement in group:
                self.env["city.audit.log"].sudo().record(
                    "card.payout",
                    record=settlement,
                    payload={
                        "settlement": settlement.name,
                        "merchant": settlement.merchant_id.code,
                        "net": settlement.net_amount,
                        "payout": operation.id or None,
                        "bank_account": settlement.merchant_id.bank_account or "",
                    },
                    chain="card",
                )
                settlement.message_post(
                    body=self.env._(
                        "Paid out %(amount)s yuan to %(account)s.",
                        amount=yuan(settlement.net_amount),
                        account=settlement.merchant_id.bank_account or settlement.merchant_id.name,
                    )
                )
        return True

    # ------------------------------------------------------------------
    # Views and statements
    # ------------------------------------------------------------------
    def action_view_operations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_card.city_card_operation_action")
        action.update(
            {
                "domain": [("settlement_id", "=", self.id)],
                "context": {"search_default_group_kind": 1},
                "display_name": self.env._("Settled Operations of %(name)s", name=self.name),
            }
        )
        return action

    @api.model
    def _yuan(self, fen):
        """Fen as a yuan amount with two decimals and thousands separators (statements)."""
        return yuan(fen or 0)

    def _statement_summary(self):
        """The settled operations by local day and kind: ``[{"day", "kind", "label", "count", "amount"}]``.

        One grouped query, so a statement stays a few lines long for a merchant with a million taps.
        """
        self.ensure_one()
        self.env["city.card.operation"].flush_model(["settlement_id", "kind", "amount", "posted_at"])
        self.env.cr.execute(
            SQL(
                """SELECT (posted_at AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day, kind, COUNT(*), SUM(amount)
                     FROM city_card_operation WHERE settlement_id = %(id)s
                    GROUP BY 1, 2 ORDER BY 1, 2""",
                tz=self._settlement_tz().zone,
                id=self.id,
            )
        )
        rows = self.env.cr.fetchall()
        labels = dict(self.env["city.card.operation"]._fields["kind"]._description_selection(self.env))
        return [
            {"day": day, "kind": kind, "label": labels.get(kind, kind), "count": count, "amount": amount}
            for day, kind, count, amount in rows
        ]

    def _statement_cutoff_local(self):
        """The cut-off in the settlement time zone, as text."""
        self.ensure_one()
        local = pytz.utc.localize(self.cutoff_at).astimezone(self._settlement_tz())
        return local.strftime("%Y-%m-%d %H:%M")
