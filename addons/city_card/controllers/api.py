"""Terminal API of the one-card: online payments and the hotlist (``/api/city/v1/card/...``).

A card terminal (POS, transit validator, kiosk) authenticates with its own key,
``Authorization: Bearer <terminal code>.<secret>``; only an HMAC digest of the key is stored,
checked as :meth:`city.card.terminal._authenticate` does, in one indexed lookup (no password
hashing on the payment path). A missing, unknown or revoked key answers 401 ``unauthorized``; a terminal of
a suspended or archived merchant may still read (its payments, the hotlist) and give money back
(void, refund), but new payments and captures answer 403 ``merchant_inactive``.

Routes (JSON bodies, answers in the API's envelope ``{"data": ...}`` / ``{"error": ...}``):

* ``POST /card/payments`` ``{card, amount | full_fare, idempotency_key, capture, hold_minutes}``:
  pay (``capture`` true, the default: authorise and capture in one call) or hold the amount
  (``capture`` false, two-phase, for ``hold_minutes``, default 30); 201 with the operation.
* ``POST /card/payments/<id>/capture`` ``{amount?, idempotency_key}``: capture a hold, all or
  part (the rest goes back to the card); ``/void`` ``{idempotency_key}``: release a hold;
  ``/refund`` ``{amount?, idempotency_key}``: refund a payment or captured hold, all or part.
* ``GET /card/payments/<id>``: an operation of the terminal's merchant and the operations
  that closed or refunded it.
* ``GET /card/hotlist?since=<version>``: the hotlist changes after the terminal's version.

Every write carries a client ``idempotency_key`` (per terminal): the same key with the same body
answers 200 with the original answer and ``"replayed": true``; with another body 409
``idempotency_conflict``. A terminal sees and touches only its own merchant's operations (others
answer 404). Engine refusals keep their code and status (``insufficient_funds``,
``card_not_active``, ``function_disabled``, ``capture_exceeds``, ...), and nothing is posted.

The city API's per-user rate limit does not apply: every terminal acts as the one gateway user
and a bus fleet's validators would share one quota; a misbehaving terminal loses its key.
"""

import datetime
import json
import secrets
from typing import NamedTuple

import psycopg2

from odoo import fields, http
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.city_base.controllers.api import API_PREFIX, ApiError, CityApiBase

from ..models.city_card_operation import DEFAULT_MAX_PAYMENT
from ..tools.allocation import allocate, spending_order
from ..tools.card_crypto import terminal_key_digest
from ..tools.errors import CardError

GATEWAY_USER = "city_card.user_card_gateway"
LAST_SEEN_EVERY = 300  # seconds between two refreshes of a terminal's last_seen_at (see _card_touch)
MAX_KEY_LENGTH = 128
CITY_TZ = "Asia/Shanghai"
ROUTE = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
    # writes: last_seen_at, hotlist_version, the ledger
    "readonly": False,
}


class TerminalInfo(NamedTuple):
    """What the terminal API needs to know of the calling terminal (read with its merchant)."""

    merchant_id: int
    merchant_active: bool
    function_id: int | None  # the merchant's card function, None: any card pays
    accepts_subsidy: bool
    last_seen_at: datetime.datetime | None
    lang: str | None  # the gateway user's language (``_api_lang`` reads ``.lang``)


class CardTerminalApi(CityApiBase):
    """Card terminal endpoints; the work runs as the *Card Terminal Gateway* user in sudo mode.

    Why sudo: a terminal is not an Odoo user and its authority is narrower than any group. Its
    key proves which terminal calls; the code below then confines it explicitly, by merchant,
    to the operations of that merchant and to cards named by number, and the ledger engine
    checks the card and merchant rules itself. A record rule cannot express "this terminal's
    merchant" for a user shared by every terminal, and access checks would only add queries to
    the busiest path of the city. The dedicated, archived (no login, no password) gateway user
    is the one recorded on every operation and change (``Recorded By``, ``create_uid``), so
    terminal traffic is told apart from desk and system work in the ledger and the logs.
    """

    # ------------------------------------------------------------------
    # Authentication and shared helpers
    # ------------------------------------------------------------------
    def _card_terminal(self, charge=False):
        """The calling terminal and facts about it (401 otherwise); the request becomes the gateway's.

        The key is checked as :meth:`city.card.terminal._authenticate` does (the terminal code
        before the dot finds the active terminal, its stored digest is compared in constant time),
        in the same query that reads the terminal's merchant and last visit, so the payment path
        needs no ORM read. Returns ``(terminal, info)``, ``info`` a :class:`TerminalInfo`.
        ``charge``: the call moves money to the merchant (payment, capture), whose merchant must be
        active (403 ``merchant_inactive``). Messages are in the language of ``Accept-Language``
        (when installed), else the gateway user's.
        """
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, key = header.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise ApiError(401, "unauthorized", request.env._("Send the terminal key: Authorization: Bearer <key>."))
        gateway = request.env["ir.model.data"]._xmlid_to_res_id(GATEWAY_USER, True)
        request.update_env(user=gateway, su=True)
        row = None
        if "." in key:
            request.env["city.card.terminal"].flush_model(["code", "key_digest", "active", "merchant_id"])
            cr = request.env.cr
            cr.execute(
                SQL(
                    """SELECT t.id, t.key_digest, t.merchant_id, m.state = 'active' AND m.active, m.function_id,
                              m.accepts_subsidy, t.last_seen_at,
                              (SELECT p.lang FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                                WHERE u.id = %(gateway)s)
                         FROM city_card_terminal t JOIN city_card_merchant m ON m.id = t.merchant_id
                        WHERE t.code = %(code)s AND t.active AND t.key_digest IS NOT NULL""",
                    gateway=gateway,
                    code=key.split(".", 1)[0],
                )
            )
            row = cr.fetchone()
        if not row or not secrets.compare_digest(row[1], terminal_key_digest(key)):
            raise ApiError(401, "unauthorized", request.env._("The terminal key is invalid or revoked."))
        terminal = request.env["city.card.terminal"].browse(row[0])
        info = TerminalInfo(*row[2:])
        request.update_context(lang=self._api_lang(info), tz=CITY_TZ)
        if charge and not info.merchant_active:
            raise ApiError(403, "merchant_inactive", request.env._("The terminal's merchant does not accept payments."))
        self._card_touch(terminal, info.last_seen_at)
        return terminal, info

    @staticmethod
    def _card_touch(terminal, last_seen):
        """Refresh the terminal's last_seen_at, at most once every ``LAST_SEEN_EVERY`` seconds.

        Not on every request: every operation's foreign key locks its terminal's row (KEY SHARE),
        and in Odoo's repeatable-read transactions a payment in flight while the row changes
        fails with a serialization error and is retried after a random pause. Concurrent
        requests of one terminal never wait for each other here: the row is skipped when another
        request holds it, and a refresh that collides with one just committed is dropped (in a
        savepoint, so the request goes on).
        """
        now = fields.Datetime.now()
        if last_seen and (now - last_seen).total_seconds() < LAST_SEEN_EVERY:
            return
        cr = request.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    SQL(
                        """UPDATE city_card_terminal SET last_seen_at = %(now)s
                            WHERE id IN (SELECT id FROM city_card_terminal
                                          WHERE id = %(id)s
                                            AND (last_seen_at IS NULL OR last_seen_at < %(since)s)
                                            FOR UPDATE SKIP LOCKED)""",
                        now=now,
                        id=terminal.id,
                        since=now - datetime.timedelta(seconds=LAST_SEEN_EVERY),
                    )
                )
        except psycopg2.errors.SerializationFailure:
            return
        terminal.invalidate_recordset(["last_seen_at"])

    def _card_call(self, handler, savepoint=True):
        """``_api_call`` with the ledger's refusals (CardError) mapped to their status and code."""

        def run(_payload):
            try:
                return handler()
            except CardError as error:
                raise ApiError(error.status, error.code, error.args[0]) from error

        return self._api_call(run, authenticate=False, savepoint=savepoint)

    @staticmethod
    def _card_malformed(field, message):
        return ApiError(400, "malformed", message, {"field": field})

    def _card_int(self, payload, field, required=False):
        """A positive whole number from the body (fen, minutes), None when absent and optional."""
        value = payload.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise self._card_malformed(field, request.env._("%(field)s must be a positive whole number.", field=field))
        return value

    def _card_idempotency_key(self, payload):
        key = payload.get("idempotency_key")
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
            raise self._card_malformed(
                "idempotency_key",
                request.env._(
                    "Send an idempotency_key: a string of 1 to %(max)s characters, unique per request.",
                    max=MAX_KEY_LENGTH,
                ),
            )
        return key

    @staticmethod
    def _card_scope(terminal):
        return f"terminal:{terminal.id}"

    @staticmethod
    def _card_operation(terminal, operation_id):
        """An operation of the terminal's merchant, or 404 (whether it exists elsewhere or not)."""
        operation = request.env["city.card.operation"].browse(operation_id).exists()
        if not operation or operation.merchant_id != terminal.merchant_id:
            raise ApiError(
                404,
                "not_found",
                request.env._("No payment %(id)s for this terminal's merchant.", id=operation_id),
            )
        return operation

    @staticmethod
    def _card_result(operation, response, replayed):
        """201 for a new operation, 200 for a replay (the original answer) or when nothing was posted."""
        status = 201 if operation and not replayed else 200
        return status, {"data": response, "replayed": bool(replayed)}

    @staticmethod
    def _card_operation_data(operation):
        """What a terminal may read of one of its merchant's operations."""

        def brief(op):
            return {
                "operation_id": op.id,
                "kind": op.kind,
                "amount": op.amount,
                "posted_at": fields.Datetime.to_string(op.posted_at),
            }

        data = dict(
            brief(operation),
            card=operation.card_id.number or None,
            merchant=operation.merchant_id.code,
            terminal=operation.terminal_id.code or None,
            original_id=operation.original_id.id or None,
        )
        if operation.kind == "hold":
            data["hold_state"] = operation.hold_state
            data["hold_expires_at"] = fields.Datetime.to_string(operation.hold_expires_at)
        if operation.kind in ("payment", "capture"):
            data["refunded_amount"] = operation.refunded_amount
            data["refundable_amount"] = operation.amount - operation.refunded_amount
        related = request.env["city.card.operation"].search([("original_id", "=", operation.id)], order="id")
        data["related"] = [brief(op) for op in related]
        return data

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    @http.route(f"{API_PREFIX}/card/payments", methods=["POST"], **ROUTE)
    def card_payment_create(self):
        def handler():
            terminal, info = self._card_terminal(charge=True)
            payload = self._api_body()
            key = self._card_idempotency_key(payload)
            if "card" not in payload:
                raise self._card_malformed("card", request.env._("Send the card number in card."))
            capture = payload.get("capture", True)
            if not isinstance(capture, bool):
                raise self._card_malformed("capture", request.env._("capture must be true or false."))
            amount = self._card_int(payload, "amount")
            full_fare = self._card_int(payload, "full_fare")
            if (amount is None) == (full_fare is None):
                raise self._card_malformed(
                    "amount", request.env._("Send either amount or full_fare (transit), in fen.")
                )
            hold_minutes = self._card_int(payload, "hold_minutes")
            if hold_minutes is not None and capture:
                raise self._card_malformed(
                    "hold_minutes", request.env._("hold_minutes applies to holds only (capture false).")
                )
            if capture and amount is not None:
                fast = self._card_pay_fast(terminal, info, payload["card"], amount, key)
                if fast:
                    return fast
            # The engine writes in several statements: a refusal must undo them all.
            with request.env.cr.savepoint():
                card = request.env["city.card"]._find_by_number(payload["card"])
                operation, response, replayed = request.env["city.card.operation"]._pay(
                    card,
                    terminal.merchant_id,
                    amount,
                    terminal=terminal,
                    key=key,
                    scope=self._card_scope(terminal),
                    hold=not capture,
                    hold_minutes=hold_minutes,
                    full_fare=full_fare,
                )
            return self._card_result(operation, response, replayed)

        # No savepoint around the whole call: the fast path writes in one atomic statement (and
        # reads before it), the engine's path has its own savepoint above; the terminal's
        # last-seen refresh has its own too.
        return self._card_call(handler, savepoint=False)

    def _card_pay_fast(self, terminal, info, number, amount, key):
        """The common payment (capture, an amount, a new key, nothing to refuse) in two statements.

        The busiest request of the city: ``city.card.operation._pay`` takes about twenty queries
        through the ORM, this takes two, for the same result. The first reads the card (state,
        validity, the merchant's function), whether the key was used, the clearing account and
        the operation's id, and locks and reads the card's purses; the second writes the
        operation with its stored answer, its entries and the purses' balances, as the engine's
        ``_post`` does (same columns, same request hash, same spending order: unexpired subsidies
        first at merchants that take them, earliest expiry first, then cash). A key posted
        concurrently makes the insert fail with a serialization error: Odoo retries the request,
        which then replays. Anything else returns None and goes to ``_pay``, which finds the same
        case and answers it: a replay or reused key, an unknown, blocked or expired card, a
        function not enabled, too little money, an amount over the limit. A new rule in ``_pay``
        or ``_check_usable``, or a new column the engine writes, must be added here too:
        tests/test_api.py compares the rows both ways write.
        """
        Operation = request.env["city.card.operation"]
        if not isinstance(number, str) or amount > Operation._param_int("city_card.max_payment", DEFAULT_MAX_PAYMENT):
            return None
        scope = self._card_scope(terminal)
        today = fields.Date.context_today(Operation)
        request.env["city.card.account"].flush_model()
        cr = request.env.cr
        cr.execute(
            SQL(
                """SELECT c.id, c.state = 'active' AND (c.expires_on IS NULL OR c.expires_on >= %(today)s)
                          AND (%(function)s::int4 IS NULL OR EXISTS (
                              SELECT 1 FROM city_card_city_card_function_rel r
                               WHERE r.city_card_id = c.id AND r.city_card_function_id = %(function)s)),
                          EXISTS (SELECT 1 FROM city_card_operation o
                                   WHERE o.idem_scope = %(scope)s AND o.idem_key = %(key)s),
                          (SELECT a.id FROM city_card_account a
                            WHERE a.kind = 'clearing' AND a.card_id IS NULL AND a.merchant_id IS NULL
                              AND a.desk_id IS NULL ORDER BY a.expires_on, a.id LIMIT 1),
                          (SELECT nextval('city_card_operation_id_seq')),
                          p.id, p.kind, p.cached_balance, p.expires_on
                     FROM city_card c
                     JOIN LATERAL (SELECT id, kind, cached_balance, expires_on FROM city_card_account
                                    WHERE card_id = c.id AND is_purse ORDER BY id FOR UPDATE) p ON TRUE
                    WHERE c.number = %(number)s""",
                today=today,
                function=info.function_id,
                scope=scope,
                key=key,
                number=number,
            )
        )
        rows = cr.fetchall()
        if not rows or not rows[0][1] or rows[0][2] or not rows[0][3]:
            return None  # unknown, blocked or expired card, function not enabled, key used before
        card_id, _usable, _used, clearing_id, operation_id = rows[0][:5]
        purses = [row[5:] for row in rows]
        order = spending_order(
            [(account_id, kind, expires_on, balance) for account_id, kind, balance, expires_on in purses],
            info.accepts_subsidy,
            today,
        )
        parts, rest = allocate(order, {row[0]: row[2] for row in purses}, amount)
        allocation = dict(parts)
        if rest:
            return None  # _pay refuses it with insufficient_funds
        payload = {
            "op": "payment",
            "card": number,
            "merchant": info.merchant_id,
            "terminal": terminal.id,
            "amount": amount,
            "full_fare": None,
        }
        now = fields.Datetime.now()
        cash = subsidy = 0
        after = {}
        for account_id, kind, balance, expires_on in purses:
            balance -= allocation.get(account_id, 0)
            after[account_id] = balance
            if kind == "purse_cash":
                cash += balance
            elif expires_on and expires_on >= today:
                subsidy += balance
        response = {
            "operation_id": operation_id,
            "kind": "payment",
            "amount": amount,
            "posted_at": fields.Datetime.to_string(now),
            "card": number,
            "balance": {"cash": cash, "subsidy": subsidy, "total": cash + subsidy},
        }
        idem = Operation._idem_vals(scope, key, payload)
        accounts = [*allocation, clearing_id]
        cr.execute(
            SQL(
                """WITH op AS (
                       INSERT INTO city_card_operation (id, kind, channel, card_id, merchant_id, terminal_id, amount,
                                                        user_id, posted_at, idem_scope, idem_key, request_hash,
                                                        response, refunded_amount, create_uid, create_date,
                                                        write_uid, write_date)
                       VALUES (%(id)s, 'payment', 'terminal', %(card)s, %(merchant)s, %(terminal)s, %(amount)s,
                               %(uid)s, %(now)s, %(scope)s, %(key)s, %(hash)s, %(response)s, 0,
                               %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc')
                       ON CONFLICT (idem_scope, idem_key) DO NOTHING
                       RETURNING id),
                   entries AS (
                       INSERT INTO city_card_entry (operation_id, account_id, card_id, kind, amount, balance_after,
                                                    posted_at)
                       SELECT op.id, e.account, e.card, 'payment', e.amount, e.balance_after, %(now)s
                         FROM op, unnest(%(accounts)s::int4[], %(cards)s::int4[], %(amounts)s::int4[],
                                         %(afters)s::int4[]) AS e(account, card, amount, balance_after)),
                   purses AS (
                       UPDATE city_card_account a SET cached_balance = v.balance
                         FROM op, unnest(%(purses)s::int4[], %(balances)s::int4[]) AS v(id, balance)
                        WHERE a.id = v.id)
                SELECT id FROM op""",
                id=operation_id,
                card=card_id,
                merchant=info.merchant_id,
                terminal=terminal.id,
                amount=amount,
                uid=request.env.uid,
                now=now,
                scope=scope,
                key=key,
                hash=idem["request_hash"],
                response=json.dumps(response, ensure_ascii=False, sort_keys=True),
                accounts=accounts,
                cards=[card_id] * len(allocation) + [None],
                amounts=[-part for part in allocation.values()] + [amount],
                afters=[after[account] for account in allocation] + [None],
                purses=list(allocation),
                balances=[after[account] for account in allocation],
            )
        )
        if not cr.fetchone():
            return None
        request.env["city.card.account"].invalidate_model(["cached_balance"])
        return 201, {"data": response, "replayed": False}

    @http.route(f"{API_PREFIX}/card/payments/<int:operation_id>", methods=["GET"], **ROUTE)
    def card_payment_read(self, operation_id):
        def handler():
            terminal, _info = self._card_terminal()
            return {"data": self._card_operation_data(self._card_operation(terminal, operation_id))}

        return self._card_call(handler)

    @http.route(f"{API_PREFIX}/card/payments/<int:operation_id>/capture", methods=["POST"], **ROUTE)
    def card_payment_capture(self, operation_id):
        def handler():
            terminal, _info = self._card_terminal(charge=True)
            payload = self._api_body()
            key = self._card_idempotency_key(payload)
            amount = self._card_int(payload, "amount")
            hold = self._card_operation(terminal, operation_id)
            return self._card_result(*hold._capture(amount, key=key, scope=self._card_scope(terminal)))

        return self._card_call(handler)

    @http.route(f"{API_PREFIX}/card/payments/<int:operation_id>/void", methods=["POST"], **ROUTE)
    def card_payment_void(self, operation_id):
        def handler():
            terminal, _info = self._card_terminal()
            payload = self._api_body()
            key = self._card_idempotency_key(payload)
            hold = self._card_operation(terminal, operation_id)
            return self._card_result(*hold._void(key=key, scope=self._card_scope(terminal)))

        return self._card_call(handler)

    @http.route(f"{API_PREFIX}/card/payments/<int:operation_id>/refund", methods=["POST"], **ROUTE)
    def card_payment_refund(self, operation_id):
        def handler():
            terminal, _info = self._card_terminal()
            payload = self._api_body()
            key = self._card_idempotency_key(payload)
            amount = self._card_int(payload, "amount")
            payment = self._card_operation(terminal, operation_id)
            if payment.kind == "hold" and payment.hold_state == "captured":
                # the client may name the hold it captured: refund its capture
                capture = request.env["city.card.operation"].search(
                    [("original_id", "=", payment.id), ("kind", "=", "capture")], limit=1
                )
                payment = capture or payment
            return self._card_result(*payment._refund(amount, key=key, scope=self._card_scope(terminal)))

        return self._card_call(handler)

    # ------------------------------------------------------------------
    # Hotlist
    # ------------------------------------------------------------------
    @http.route(f"{API_PREFIX}/card/hotlist", methods=["GET"], **ROUTE)
    def card_hotlist(self, since="0", limit=None, **_params):
        def handler():
            terminal, _info = self._card_terminal()
            try:
                version = int(since)
                page = int(limit) if limit is not None else None
            except ValueError as error:
                raise self._card_malformed("since", request.env._("since and limit must be whole numbers.")) from error
            if version < 0 or (page is not None and not 1 <= page <= 10000):
                raise self._card_malformed("since", request.env._("since must be at least 0 and limit 1 to 10000."))
            Hotlist = request.env["city.card.hotlist"]
            delta = Hotlist._delta(version, page) if page else Hotlist._delta(version)
            request.env.cr.execute(
                SQL(
                    "UPDATE city_card_terminal SET hotlist_version = %s, last_seen_at = %s WHERE id = %s",
                    delta["version"],
                    fields.Datetime.now(),
                    terminal.id,
                )
            )
            terminal.invalidate_recordset(["hotlist_version", "last_seen_at"])
            return {"data": delta}

        return self._card_call(handler)
