import hashlib
import json
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.city_base.tools.validators import canonical_json

from ..tools import demo
from ..tools.allocation import allocate, spending_order
from ..tools.errors import CardError

OPERATION_KINDS = [
    ("topup", "Top-up"),
    ("topup_online", "Online Top-up"),
    ("payment", "Payment"),
    ("hold", "Hold"),
    ("capture", "Capture"),
    ("void", "Void"),
    ("refund", "Refund"),
    ("subsidy", "Subsidy Credit"),
    ("expiry", "Subsidy Expiry"),
    ("transfer", "Balance Transfer"),
    ("cancel_refund", "Cancellation Refund"),
    ("settlement", "Settlement"),
    ("payout", "Merchant Payout"),
]
CHANNELS = [
    ("desk", "Service Desk"),
    ("portal", "Portal"),
    ("terminal", "Terminal (online)"),
    ("offline", "Terminal (offline batch)"),
    ("system", "System"),
]
# Operations a merchant is paid for, and the ones that pay a holder back.
SETTLED_KINDS = ("payment", "capture", "refund")
DEFAULT_MAX_CASH_BALANCE = 500000  # fen: 5,000 yuan on a registered card
DEFAULT_MAX_PAYMENT = 100000  # fen: 1,000 yuan per payment
DEFAULT_HOLD_MINUTES = 30

# Columns the posting engine writes into city_card_operation, with their SQL array types.
_OPERATION_COLUMNS = [
    ("kind", "varchar"),
    ("channel", "varchar"),
    ("card_id", "int4"),
    ("merchant_id", "int4"),
    ("terminal_id", "int4"),
    ("desk_id", "int4"),
    ("amount", "int4"),
    ("original_id", "int4"),
    ("user_id", "int4"),
    ("posted_at", "timestamp"),
    ("idem_scope", "varchar"),
    ("idem_key", "varchar"),
    ("request_hash", "varchar"),
    ("hold_state", "varchar"),
    ("hold_expires_at", "timestamp"),
    ("note", "text"),
    ("external_ref", "varchar"),
]


def request_hash(payload):
    """SHA-256 of the canonical JSON of an operation's request (for idempotency checks)."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def yuan(fen):
    return f"{fen / 100:,.2f}"


def fen(env, amount_yuan):
    """Whole fen of an amount typed in yuan; refuses a non-positive amount or one with fractions of a fen."""
    amount = round((amount_yuan or 0) * 100)
    if amount <= 0 or abs((amount_yuan or 0) * 100 - amount) > 1e-6:
        raise UserError(env._("Enter a positive amount in yuan with at most two decimals."))
    return amount


class CityCardOperation(models.Model):
    """One business operation of the one-card ledger and its balanced entries.

    Every money movement (top-up, payment, hold and its capture or void, refund, subsidy and
    its expiry, balance transfer, cancellation refund, settlement, payout) is one operation
    posted by :meth:`_post`, which writes the operation and its entries set-based in one
    statement each, after locking the purses involved. An operation may carry a client
    idempotency key: a retry with the same key and request returns the original result, a
    different request with the same key is refused (``idempotency_conflict``).
    """

    _name = "city.card.operation"
    _description = "Card Operation"
    _order = "id desc"

    kind = fields.Selection(OPERATION_KINDS, required=True, readonly=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True, default="system")
    card_id = fields.Many2one("city.card", readonly=True, ondelete="restrict", index="btree_not_null")
    partner_id = fields.Many2one(related="card_id.partner_id", string="Holder")
    merchant_id = fields.Many2one("city.card.merchant", readonly=True, ondelete="restrict")
    terminal_id = fields.Many2one("city.card.terminal", readonly=True, ondelete="restrict")
    desk_id = fields.Many2one("city.card.desk", readonly=True, ondelete="restrict")
    amount = fields.Integer(required=True, readonly=True, help="Fen.")
    amount_yuan = fields.Float(string="Amount (CNY)", compute="_compute_amount_yuan", digits=(16, 2))
    original_id = fields.Many2one(
        "city.card.operation",
        string="Original Operation",
        readonly=True,
        ondelete="restrict",
        index="btree_not_null",
        help="The payment a refund returns, the hold a capture or void closes.",
    )
    user_id = fields.Many2one("res.users", string="Recorded By", readonly=True, ondelete="restrict")
    posted_at = fields.Datetime(required=True, readonly=True, index=True)
    idem_scope = fields.Char(string="Idempotency Scope", readonly=True)
    idem_key = fields.Char(string="Idempotency Key", readonly=True)
    request_hash = fields.Char(readonly=True)
    response = fields.Text(readonly=True, help="The result returned to the client (replayed on a retry).")
    hold_state = fields.Selection(
        [("pending", "Pending"), ("captured", "Captured"), ("voided", "Voided"), ("expired", "Expired")],
        readonly=True,
    )
    hold_expires_at = fields.Datetime(readonly=True)
    refunded_amount = fields.Integer(readonly=True, default=0, help="Fen refunded so far (refunds and reversals).")
    settlement_id = fields.Many2one("city.card.settlement", readonly=True, ondelete="restrict", index="btree_not_null")
    note = fields.Text(readonly=True)
    external_ref = fields.Char(string="External Reference", readonly=True, index="btree_not_null")
    entry_ids = fields.One2many("city.card.entry", "operation_id", string="Entries")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "An operation moves a positive amount."),
        ("refund_within", "CHECK(refunded_amount >= 0 AND refunded_amount <= amount)", "Refunds exceed the payment."),
        ("idempotency_unique", "unique(idem_scope, idem_key)", "This idempotency key was already used."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_card_operation_unsettled_idx "
            "ON city_card_operation (merchant_id, posted_at) "
            "WHERE settlement_id IS NULL AND kind IN ('payment', 'capture', 'refund')"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_card_operation_pending_hold_idx ON city_card_operation (hold_expires_at) "
            "WHERE hold_state = 'pending'"
        )

    @api.depends("amount")
    def _compute_amount_yuan(self):
        for operation in self:
            operation.amount_yuan = operation.amount / 100

    @api.depends("kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for operation in self:
            operation.display_name = f"{kinds.get(operation.kind, '')} #{operation.id or ''}"

    # ------------------------------------------------------------------
    # Immutability: operations change only through the engine
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if vals_list:
            raise UserError(self.env._("Card operations are posted by the one-card ledger only."))
        return super().create(vals_list)

    def write(self, vals):
        if self and not self.env.context.get("city_card_engine"):
            raise UserError(self.env._("Card operations cannot be changed; post a reversing operation instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Card operations cannot be deleted."))

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("Card operations cannot be duplicated."))
        return super().copy(default)

    # ------------------------------------------------------------------
    # The posting engine
    # ------------------------------------------------------------------
    @api.model
    def _post(self, specs):
        """Post operations set-based and return them (in the order of ``specs``).

        :param specs: list of ``{"vals": {column: value}, "lines": [(account_id, amount), ...]}``;
            the lines of each operation sum to zero, amounts are non-zero integers (fen).
        Purses are locked in id order; a purse that would go negative refuses the whole call
        with ``insufficient_funds`` (the database CHECK is the last line of defence).
        """
        if not specs:
            return self.browse()
        cr = self.env.cr
        account_ids = set()
        for spec in specs:
            lines = spec["lines"]
            if not lines or sum(amount for _account, amount in lines) != 0:
                raise UserError(self.env._("An operation's entries must balance to zero."))
            if any(not isinstance(amount, int) or amount == 0 for _account, amount in lines):
                raise UserError(self.env._("Ledger amounts are non-zero whole fen."))
            account_ids.update(account for account, _amount in lines)
        self.env["city.card.account"].flush_model()
        cr.execute(
            SQL(
                """SELECT id, card_id, cached_balance FROM city_card_account
                    WHERE id = ANY(%s) AND is_purse ORDER BY id FOR UPDATE""",
                sorted(account_ids),
            )
        )
        purses = {account_id: [card_id, balance] for account_id, card_id, balance in cr.fetchall()}
        now = demo.POSTING_TIME.get() or fields.Datetime.now()  # set only by the demo loader
        columns = {name: [] for name, _type in _OPERATION_COLUMNS}
        entry_rows = []  # (spec index, account, card, kind, amount, balance_after)
        for index, spec in enumerate(specs):
            vals = dict(spec["vals"], posted_at=spec["vals"].get("posted_at") or now)
            vals.setdefault("user_id", self.env.uid)
            vals.setdefault("channel", "system")
            for name, _type in _OPERATION_COLUMNS:
                columns[name].append(vals.get(name) or None)
            for account, amount in spec["lines"]:
                balance_after = None
                card_id = None
                if account in purses:
                    card_id, balance = purses[account]
                    balance_after = balance + amount
                    if balance_after < 0:
                        raise CardError(
                            self.env._(
                                "Insufficient funds: the purse holds %(balance)s yuan, %(amount)s yuan are needed.",
                                balance=yuan(balance),
                                amount=yuan(-amount),
                            ),
                            code="insufficient_funds",
                        )
                    purses[account][1] = balance_after
                entry_rows.append((index, account, card_id, vals["kind"], amount, balance_after, vals["posted_at"]))
        select = ", ".join(f"%({name})s::{sql_type}[]" for name, sql_type in _OPERATION_COLUMNS)
        names = ", ".join(name for name, _type in _OPERATION_COLUMNS)
        params = dict(columns, uid=self.env.uid)
        query = SQL(
            f"""INSERT INTO city_card_operation ({names}, refunded_amount, create_uid, create_date, write_uid,
                                                 write_date)
                SELECT {names}, 0, %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
                  FROM unnest({select}) AS t({names})
             RETURNING id""",  # noqa: S608 - column names are constants of this module
            **params,
        )
        keyed = any(columns["idem_key"])
        try:
            if keyed:
                with cr.savepoint(flush=False):
                    cr.execute(query)
                    operation_ids = [row[0] for row in cr.fetchall()]
            else:
                cr.execute(query)
                operation_ids = [row[0] for row in cr.fetchall()]
        except pg_errors.UniqueViolation:
            # The same idempotency key is being posted by a concurrent request: retry the whole
            # request, which then finds the committed operation and returns its result.
            cr.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'concurrent request with the same idempotency key' "
                "USING ERRCODE = 'serialization_failure'; END $$"
            )
        cr.execute(
            SQL(
                """INSERT INTO city_card_entry (operation_id, account_id, card_id, kind, amount, balance_after,
                                                posted_at)
                   SELECT * FROM unnest(%s::int4[], %s::int4[], %s::int4[], %s::varchar[], %s::int4[], %s::int4[],
                                        %s::timestamp[])""",
                [operation_ids[row[0]] for row in entry_rows],
                [row[1] for row in entry_rows],
                [row[2] for row in entry_rows],
                [row[3] for row in entry_rows],
                [row[4] for row in entry_rows],
                [row[5] for row in entry_rows],
                [row[6] for row in entry_rows],
            )
        )
        touched = [(account, balance) for account, (_card, balance) in purses.items()]
        if touched:
            cr.execute(
                SQL(
                    """UPDATE city_card_account a SET cached_balance = v.balance
                         FROM unnest(%s::int4[], %s::int4[]) AS v(id, balance) WHERE a.id = v.id""",
                    [account for account, _balance in touched],
                    [balance for _account, balance in touched],
                )
            )
        self.env["city.card.account"].invalidate_model(["cached_balance"])
        self.env["city.card.entry"].invalidate_model()
        self.env["city.card"].invalidate_model(
            ["cash_balance", "subsidy_balance", "cash_balance_yuan", "subsidy_balance_yuan", "total_balance_yuan"]
        )
        return self.browse(operation_ids)

    def _engine_write(self, vals):
        """Write the engine-maintained fields (hold state, refunded amount, settlement, response)."""
        return self.with_context(city_card_engine=True).sudo().write(vals)

    # ------------------------------------------------------------------
    # Idempotency
    # ------------------------------------------------------------------
    @api.model
    def _find_idempotent(self, scope, key, payload):
        """The operation already posted under ``(scope, key)`` for the same request, or an empty set.

        Raises ``idempotency_conflict`` (409) when the key was used for a different request.
        """
        if not key:
            return self.browse()
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise CardError(
                self.env._("The idempotency key is a string of 1 to 128 characters."), "amount_invalid", 400
            )
        operation = self.sudo().search([("idem_scope", "=", scope), ("idem_key", "=", key)], limit=1)
        if operation and operation.request_hash != request_hash(payload):
            raise CardError(
                self.env._("This idempotency key was already used for a different request."),
                code="idempotency_conflict",
                status=409,
            )
        return operation

    @api.model
    def _idem_vals(self, scope, key, payload):
        if not key:
            return {}
        return {"idem_scope": scope, "idem_key": key, "request_hash": request_hash(payload)}

    def _set_response(self, response):
        self.ensure_one()
        self._engine_write({"response": json.dumps(response, ensure_ascii=False, sort_keys=True)})
        return response

    def _stored_response(self):
        self.ensure_one()
        return json.loads(self.response) if self.response else None

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _check_amount(self, amount, maximum=None):
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise CardError(self.env._("The amount must be a positive whole number of fen."), "amount_invalid", 400)
        if maximum and amount > maximum:
            raise CardError(
                self.env._("The amount exceeds the limit of %(limit)s yuan.", limit=yuan(maximum)), "amount_invalid"
            )

    @api.model
    def _param_int(self, key, default):
        try:
            return int(self.env["ir.config_parameter"].sudo().get_param(key, default))
        except (TypeError, ValueError):
            return default

    @api.model
    def _allocate(self, card, amount, merchant=None):
        """Split ``amount`` over the card's purses in spending order: ``[(account_id, part), ...]``.

        Locks the card's purses first; the order is :func:`..tools.allocation.spending_order`.
        """
        self.env["city.card.account"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id, kind, expires_on, cached_balance FROM city_card_account
                    WHERE card_id = %s AND is_purse ORDER BY id FOR UPDATE""",
                card.id,
            )
        )
        purses = self.env.cr.fetchall()
        self.env["city.card.account"].invalidate_model(["cached_balance"])
        order = spending_order(purses, bool(merchant and merchant.accepts_subsidy), fields.Date.context_today(self))
        allocation, rest = allocate(order, {row[0]: row[3] for row in purses}, amount)
        if rest:
            available = amount - rest
            raise CardError(
                self.env._(
                    "Insufficient funds: %(available)s yuan available, %(amount)s yuan needed.",
                    available=yuan(available),
                    amount=yuan(amount),
                ),
                code="insufficient_funds",
            )
        return allocation

    def _purse_allocation(self):
        """For a payment or capture: ``{purse account: fen}`` it took from purses, net of refunds so far."""
        self.ensure_one()
        taken = {}
        sources = self
        if self.kind == "capture":
            sources = self.original_id | self
        for entry in sources.entry_ids.filtered(lambda e: e.account_id.is_purse):
            taken[entry.account_id.id] = taken.get(entry.account_id.id, 0) - entry.amount
        refunds = self.search([("original_id", "=", self.id), ("kind", "=", "refund")])
        for entry in refunds.entry_ids.filtered(lambda e: e.account_id.is_purse):
            taken[entry.account_id.id] = taken.get(entry.account_id.id, 0) - entry.amount
        return {account: amount for account, amount in taken.items() if amount > 0}

    @staticmethod
    def _give_back(allocation, amount, accounts):
        """Return ``amount`` to purses of ``allocation`` (cash first, then the latest-expiring subsidy)."""
        order = sorted(
            allocation,
            key=lambda account_id: (
                accounts.browse(account_id).kind != "purse_cash",
                -(accounts.browse(account_id).expires_on or fields.Date.today()).toordinal(),
            ),
        )
        lines, rest = [], amount
        for account_id in order:
            part = min(allocation[account_id], rest)
            if part:
                lines.append((account_id, part))
                rest -= part
        return lines, rest

    def _response(self, card=None):
        """The JSON answer for this operation (stored for idempotent replays)."""
        self.ensure_one()
        card = card or self.card_id
        data = {
            "operation_id": self.id,
            "kind": self.kind,
            "amount": self.amount,
            "posted_at": fields.Datetime.to_string(self.posted_at),
        }
        if card:
            data["card"] = card.number
            data["balance"] = card.sudo()._balances()
        if self.kind == "hold":
            data["hold_state"] = self.hold_state
            data["hold_expires_at"] = fields.Datetime.to_string(self.hold_expires_at)
        if self.original_id:
            data["original_id"] = self.original_id.id
        return data

    def _post_keyed(self, scope, key, payload, spec, card=None):
        """Post one operation under an idempotency key and store its response; replay if posted."""
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        spec["vals"].update(self._idem_vals(scope, key, payload))
        operation = self._post([spec])
        return operation, operation._set_response(operation._response(card)), False

    # ------------------------------------------------------------------
    # Business operations (callers check the user's rights first)
    # ------------------------------------------------------------------
    @api.model
    def _topup(
        self,
        card,
        amount,
        *,
        channel="desk",
        desk=None,
        source="desk_cash",
        key=None,
        scope=None,
        note=None,
        external_ref=None,
    ):
        """Credit the cash purse from a service desk's cash or from online payment receipts."""
        self._check_amount(amount)
        payload = {"op": "topup", "card": card.number, "amount": amount, "channel": channel}
        scope = scope or f"user:{self.env.uid}"
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        card._check_usable(for_topup=True)
        purse = card._cash_purse()
        limit = self._param_int("city_card.max_cash_balance", DEFAULT_MAX_CASH_BALANCE)
        self.env.cr.execute(SQL("SELECT cached_balance FROM city_card_account WHERE id = %s FOR UPDATE", purse.id))
        if self.env.cr.fetchone()[0] + amount > limit:
            raise CardError(
                self.env._("A cash purse holds at most %(limit)s yuan.", limit=yuan(limit)), code="balance_limit"
            )
        if source == "desk_cash":
            if not desk:
                raise UserError(self.env._("A desk top-up needs the service desk."))
            source_account = desk._cash_account()
            kind = "topup"
        else:
            source_account = self.env["city.card.account"]._system_account("gateway")
            kind = "topup_online"
        spec = {
            "vals": {
                "kind": kind,
                "channel": channel,
                "card_id": card.id,
                "desk_id": desk.id if desk else None,
                "amount": amount,
                "note": note,
                "external_ref": external_ref,
            },
            "lines": [(source_account.id, -amount), (purse.id, amount)],
        }
        return self._post_keyed(scope, key, payload, spec, card)

    @api.model
    def _pay(
        self,
        card,
        merchant,
        amount,
        *,
        terminal=None,
        channel="terminal",
        key=None,
        scope=None,
        hold=False,
        hold_minutes=None,
        note=None,
        full_fare=None,
    ):
        """Pay ``merchant`` from the card (subsidy purses first), or hold the amount (two-phase).

        With ``full_fare`` (transit merchants) the amount is the card type's share of the fare.
        """
        if full_fare is not None:
            self._check_amount(full_fare)
            if not merchant.is_transit:
                raise CardError(self.env._("Fares apply to transit merchants only."), "amount_invalid", 400)
            amount = card.type_id._fare(full_fare)
        payload = {
            "op": "hold" if hold else "payment",
            "card": card.number,
            "merchant": merchant.id,
            "terminal": terminal.id if terminal else None,
            "amount": amount,
            "full_fare": full_fare,
        }
        scope = scope or (f"terminal:{terminal.id}" if terminal else f"user:{self.env.uid}")
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        if full_fare is not None and amount == 0:
            # A free ride: nothing is posted, the answer says so.
            card._check_usable(merchant=merchant)
            return (
                self.browse(),
                {
                    "operation_id": None,
                    "kind": "payment",
                    "amount": 0,
                    "card": card.number,
                    "balance": card.sudo()._balances(),
                    "free_ride": True,
                },
                False,
            )
        self._check_amount(amount, self._param_int("city_card.max_payment", DEFAULT_MAX_PAYMENT))
        card._check_usable(merchant=merchant)
        allocation = self._allocate(card, amount, merchant)
        target = self.env["city.card.account"]._system_account("hold" if hold else "clearing")
        vals = {
            "kind": "hold" if hold else "payment",
            "channel": channel,
            "card_id": card.id,
            "merchant_id": merchant.id,
            "terminal_id": terminal.id if terminal else None,
            "amount": amount,
            "note": note,
        }
        if hold:
            minutes = hold_minutes or DEFAULT_HOLD_MINUTES
            if not isinstance(minutes, int) or not 1 <= minutes <= 7 * 24 * 60:
                raise CardError(self.env._("A hold lasts 1 minute to 7 days."), "amount_invalid", 400)
            vals.update(hold_state="pending", hold_expires_at=fields.Datetime.now() + timedelta(minutes=minutes))
        lines = [(account_id, -part) for account_id, part in allocation] + [(target.id, amount)]
        return self._post_keyed(scope, key, payload, {"vals": vals, "lines": lines}, card)

    def _lock(self):
        """Lock this operation's row (holds and payments change state on capture, void and refund)."""
        self.env.cr.execute(SQL("SELECT id FROM city_card_operation WHERE id = ANY(%s) FOR UPDATE", self.ids))
        self.invalidate_recordset()

    def _capture(self, amount=None, *, key=None, scope=None, channel="terminal"):
        """Capture a pending hold (all of it or less); what is not captured goes back to the purses."""
        self.ensure_one()
        payload = {"op": "capture", "hold": self.id, "amount": amount}
        scope = scope or (f"terminal:{self.terminal_id.id}" if self.terminal_id else f"user:{self.env.uid}")
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        self._lock()
        self._check_pending_hold()
        amount = self.amount if amount is None else amount
        self._check_amount(amount)
        if amount > self.amount:
            raise CardError(
                self.env._("A capture cannot exceed the held %(amount)s yuan.", amount=yuan(self.amount)),
                "capture_exceeds",
            )
        holds = self.env["city.card.account"]._system_account("hold")
        clearing = self.env["city.card.account"]._system_account("clearing")
        lines = [(holds.id, -self.amount), (clearing.id, amount)]
        if amount < self.amount:
            taken = {e.account_id.id: -e.amount for e in self.entry_ids if e.account_id.is_purse}
            back, _rest = self._give_back(taken, self.amount - amount, self.env["city.card.account"].sudo())
            lines += back
        spec = {
            "vals": {
                "kind": "capture",
                "channel": channel,
                "card_id": self.card_id.id,
                "merchant_id": self.merchant_id.id,
                "terminal_id": self.terminal_id.id,
                "amount": amount,
                "original_id": self.id,
            },
            "lines": lines,
        }
        result = self._post_keyed(scope, key, payload, spec)
        self._engine_write({"hold_state": "captured"})
        return result

    def _void(self, *, key=None, scope=None, channel="terminal", expired=False):
        """Release a pending hold back to the purses it came from."""
        self.ensure_one()
        payload = {"op": "void", "hold": self.id}
        scope = scope or (f"terminal:{self.terminal_id.id}" if self.terminal_id else f"user:{self.env.uid}")
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        self._lock()
        self._check_pending_hold(allow_expired=True)
        holds = self.env["city.card.account"]._system_account("hold")
        lines = [(holds.id, -self.amount)] + [
            (e.account_id.id, -e.amount) for e in self.entry_ids if e.account_id.is_purse
        ]
        spec = {
            "vals": {
                "kind": "void",
                "channel": "system" if expired else channel,
                "card_id": self.card_id.id,
                "merchant_id": self.merchant_id.id,
                "terminal_id": self.terminal_id.id,
                "amount": self.amount,
                "original_id": self.id,
            },
            "lines": lines,
        }
        result = self._post_keyed(scope, key, payload, spec)
        self._engine_write({"hold_state": "expired" if expired else "voided"})
        return result

    def _check_pending_hold(self, allow_expired=False):
        if self.kind != "hold" or self.hold_state != "pending":
            raise CardError(self.env._("This hold is no longer pending."), "hold_not_pending", 409)
        if not allow_expired and self.hold_expires_at and self.hold_expires_at < fields.Datetime.now():
            raise CardError(self.env._("This hold has expired."), "hold_expired", 409)

    def _refund(self, amount=None, *, key=None, scope=None, channel="terminal", note=None):
        """Refund a payment or capture (all or part): from clearing back to the purses it came from."""
        self.ensure_one()
        payload = {"op": "refund", "payment": self.id, "amount": amount}
        scope = scope or (f"terminal:{self.terminal_id.id}" if self.terminal_id else f"user:{self.env.uid}")
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        if self.kind not in ("payment", "capture"):
            raise CardError(self.env._("Only payments and captures can be refunded."), "not_refundable", 409)
        self._lock()
        left = self.amount - self.refunded_amount
        amount = left if amount is None else amount
        self._check_amount(amount)
        if amount > left:
            raise CardError(
                self.env._("At most %(left)s yuan of this payment can still be refunded.", left=yuan(left)),
                "refund_exceeds",
                409,
            )
        card = self.card_id._current_card()
        card._check_usable(for_refund=True)
        back, rest = self._give_back(self._purse_allocation(), amount, self.env["city.card.account"].sudo())
        if rest:
            raise CardError(self.env._("The refund does not match what the payment took."), "refund_exceeds", 409)
        if card != self.card_id:
            # The card was replaced since: the money goes to the same kind of purse on the new card.
            back = [
                (card._matching_purse(self.env["city.card.account"].sudo().browse(account)).id, part)
                for account, part in back
            ]
        clearing = self.env["city.card.account"]._system_account("clearing")
        spec = {
            "vals": {
                "kind": "refund",
                "channel": channel,
                "card_id": card.id,
                "merchant_id": self.merchant_id.id,
                "terminal_id": self.terminal_id.id,
                "amount": amount,
                "original_id": self.id,
                "note": note,
            },
            "lines": [(clearing.id, -amount)] + back,
        }
        result = self._post_keyed(scope, key, payload, spec)
        self._engine_write({"refunded_amount": self.refunded_amount + amount})
        return result

    @api.model
    def _credit_subsidy(self, card, amount, expires_on, *, note=None, key=None, scope=None):
        """Credit a subsidy to a new subsidy purse of the card, spendable until ``expires_on``."""
        self._check_amount(amount)
        expires_on = fields.Date.to_date(expires_on)
        payload = {"op": "subsidy", "card": card.number, "amount": amount, "expires_on": str(expires_on)}
        scope = scope or f"user:{self.env.uid}"
        existing = self._find_idempotent(scope, key, payload)
        if existing:
            return existing, existing._stored_response(), True
        if not expires_on or expires_on < fields.Date.context_today(self):
            raise CardError(self.env._("A subsidy needs an expiry date that is not in the past."), "amount_invalid")
        card._check_usable(for_topup=True)
        purse = card._subsidy_purse(expires_on)
        fund = self.env["city.card.account"]._system_account("subsidy_fund")
        spec = {
            "vals": {"kind": "subsidy", "card_id": card.id, "amount": amount, "note": note},
            "lines": [(fund.id, -amount), (purse.id, amount)],
        }
        return self._post_keyed(scope, key, payload, spec, card)

    @api.model
    def _expire_subsidies(self, today=None):
        """Return what is left in expired subsidy purses to the subsidy fund (one operation per purse)."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        accounts = self.env["city.card.account"].sudo()
        expired = accounts.search(
            [("kind", "=", "purse_subsidy"), ("expires_on", "<", today), ("cached_balance", ">", 0)]
        )
        if not expired:
            return self.browse()
        self.env.cr.execute(
            SQL("SELECT id FROM city_card_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE", expired.ids)
        )
        accounts.invalidate_model(["cached_balance"])
        fund = accounts._system_account("subsidy_fund")
        specs = [
            {
                "vals": {"kind": "expiry", "card_id": account.card_id.id, "amount": account.cached_balance},
                "lines": [(account.id, -account.cached_balance), (fund.id, account.cached_balance)],
            }
            for account in expired
            if account.cached_balance > 0
        ]
        return self._post(specs)

    @api.model
    def _expire_holds(self, now=None):
        """Void every pending hold past its expiry (cron)."""
        now = now or fields.Datetime.now()
        holds = self.sudo().search([("hold_state", "=", "pending"), ("hold_expires_at", "<", now)], limit=5000)
        for hold in holds:
            hold._void(expired=True, scope="system", key=f"expire:{hold.id}")
        return holds

    @api.model
    def _cron_expire(self):
        self._expire_holds()
        self._expire_subsidies()

    @api.model
    def _transfer(self, old_card, new_card):
        """Move every purse balance of a replaced card to its replacement (one operation)."""
        self.env.cr.execute(
            SQL("SELECT id FROM city_card_account WHERE card_id = %s AND is_purse ORDER BY id FOR UPDATE", old_card.id)
        )
        self.env["city.card.account"].invalidate_model(["cached_balance"])
        lines = []
        for purse in old_card.account_ids.filtered(lambda a: a.is_purse and a.cached_balance > 0):
            if purse.kind == "purse_cash":
                target = new_card._cash_purse()
            else:
                target = new_card._subsidy_purse(purse.expires_on)
            lines += [(purse.id, -purse.cached_balance), (target.id, purse.cached_balance)]
        if not lines:
            return self.browse()
        amount = sum(amount for _account, amount in lines if amount > 0)
        return self._post(
            [
                {
                    "vals": {
                        "kind": "transfer",
                        "channel": "desk",
                        "card_id": new_card.id,
                        "original_id": None,
                        "amount": amount,
                        "note": self.env._("From card %(number)s", number=old_card.number),
                    },
                    "lines": lines,
                }
            ]
        )

    @api.model
    def _cancel_refund(self, card, desk=None):
        """Pay a cancelled card's cash out at the desk; return its subsidies to the fund."""
        self.env.cr.execute(
            SQL("SELECT id FROM city_card_account WHERE card_id = %s AND is_purse ORDER BY id FOR UPDATE", card.id)
        )
        accounts = self.env["city.card.account"].sudo()
        accounts.invalidate_model(["cached_balance"])
        fund = accounts._system_account("subsidy_fund")
        lines = []
        for purse in card.account_ids.filtered(lambda a: a.is_purse and a.cached_balance > 0):
            if purse.kind == "purse_cash":
                if not desk:
                    raise UserError(self.env._("Paying out a cash purse needs a service desk."))
                lines += [(purse.id, -purse.cached_balance), (desk._cash_account().id, purse.cached_balance)]
            else:
                lines += [(purse.id, -purse.cached_balance), (fund.id, purse.cached_balance)]
        if not lines:
            return self.browse()
        amount = sum(amount for _account, amount in lines if amount > 0)
        return self._post(
            [
                {
                    "vals": {
                        "kind": "cancel_refund",
                        "channel": "desk",
                        "card_id": card.id,
                        "desk_id": desk.id if desk else None,
                        "amount": amount,
                    },
                    "lines": lines,
                }
            ]
        )
