import datetime
import json
import time

import pytz
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.allocation import allocate, spending_order
from ..tools.card_crypto import card_key, card_number_error, verify_mac
from ..tools.errors import CardError
from .city_card_operation import DEFAULT_MAX_PAYMENT, request_hash

DEFAULT_MAX_RECORDS = 1000
MAX_ID_LENGTH = 64
INT4_MAX = 2**31 - 1
HOTLISTED_STATES = ("lost", "frozen", "replaced", "cancelled")

# Columns of city_card_offline_record written by the batch upload, with their SQL array types.
_RECORD_COLUMNS = [
    ("batch_id", "int4"),
    ("terminal_id", "int4"),
    ("merchant_id", "int4"),
    ("serial", "varchar"),
    ("card_number", "varchar"),
    ("card_id", "int4"),
    ("amount", "int4"),
    ("tapped_at", "timestamp"),
    ("counter", "int4"),
    ("mac", "varchar"),
    ("state", "varchar"),
    ("code", "varchar"),
    ("operation_id", "int4"),
]


class _Item:
    """One record of an upload while the batch is processed."""

    __slots__ = (
        "index",
        "serial",
        "card_number",
        "amount",
        "tapped_text",
        "tapped_at",
        "counter",
        "mac",
        "card",
        "status",
        "code",
        "field",
        "operation_id",
        "allocation",
        "original",
        "store",
    )

    def __init__(self, index):
        self.index = index
        self.serial = self.card_number = self.amount = self.tapped_text = self.tapped_at = None
        self.counter = self.mac = self.card = self.code = self.field = self.operation_id = None
        self.allocation = self.original = None
        self.status = None
        self.store = False

    def refuse(self, status, code, field=None):
        self.status, self.code = status, code
        if field:
            self.field = field
        return False

    def answer(self):
        if self.original is not None:
            status, code, operation_id = self.original
            return {
                "serial": self.serial,
                "status": "duplicate",
                "code": code,
                "original_status": status,
                "operation_id": operation_id,
            }
        answer = {"serial": self.serial, "status": self.status, "code": self.code, "operation_id": self.operation_id}
        if self.field:
            answer["field"] = self.field
        return answer


def _int(value, minimum=0, maximum=INT4_MAX):
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        return None
    return value


def _moment(text):
    """An ISO 8601 date-time with its offset as naive UTC, or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


class CityCardTerminalBatch(models.Model):
    """One upload of offline tap records by a terminal (``POST /card/terminal-batches``).

    A batch is processed in one transaction: every record's MAC is verified with the card's own
    key, replays (a serial the terminal used before) and counter regressions are refused, and
    the valid records are posted set-based (one locking read of all the purses involved, one
    posting of all the payments, one insert of all the records, one update of the cards'
    counters). A record for a blocked card or without funds goes to the exception queue. The
    answer (one result per record) is stored: uploading the same batch again returns it
    unchanged, a different batch under the same batch ID is refused (409).
    """

    _name = "city.card.terminal.batch"
    _description = "Terminal Offline Batch"
    _order = "id desc"

    name = fields.Char(string="Batch ID", required=True, readonly=True, help="The terminal's own batch identifier.")
    terminal_id = fields.Many2one("city.card.terminal", required=True, readonly=True, ondelete="restrict", index=True)
    merchant_id = fields.Many2one("city.card.merchant", readonly=True, ondelete="restrict", index=True)
    received_at = fields.Datetime(required=True, readonly=True, index=True)
    request_hash = fields.Char(readonly=True)
    record_count = fields.Integer(string="Records", readonly=True)
    posted_count = fields.Integer(string="Posted", readonly=True)
    exception_count = fields.Integer(string="Exceptions", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    duplicate_count = fields.Integer(string="Duplicates", readonly=True)
    posted_amount = fields.Integer(readonly=True, help="Fen.")
    posted_amount_yuan = fields.Float(string="Posted (CNY)", compute="_compute_posted_amount_yuan", digits=(16, 2))
    duration_ms = fields.Integer(string="Processing Time (ms)", readonly=True)
    response = fields.Text(readonly=True, help="The answer sent to the terminal (returned again on a re-upload).")
    record_ids = fields.One2many("city.card.offline.record", "batch_id", string="Offline Records")
    open_exception_count = fields.Integer(string="Open Exceptions", compute="_compute_open_exception_count")

    _sql_constraints = [
        ("terminal_batch_unique", "unique(terminal_id, name)", "A terminal uses a batch ID once."),
    ]

    @api.depends("posted_amount")
    def _compute_posted_amount_yuan(self):
        for batch in self:
            batch.posted_amount_yuan = batch.posted_amount / 100

    def _compute_open_exception_count(self):
        counts = dict(
            self.env["city.card.offline.record"]._read_group(
                [("batch_id", "in", self.ids), ("state", "=", "exception")], ["batch_id"], ["__count"]
            )
        )
        for batch in self:
            batch.open_exception_count = counts.get(batch, 0)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_card_batch_upload"):
            raise UserError(self.env._("Terminal batches are uploaded by terminals only."))
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(self.env._("Terminal batches cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Terminal batches cannot be deleted."))

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("Terminal batches cannot be duplicated."))
        return super().copy(default)

    def action_view_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_card.city_card_offline_record_action_queue")
        action["domain"] = [("batch_id", "=", self.id), ("state", "=", "exception")]
        return action

    # ------------------------------------------------------------------
    # Upload
    # ------------------------------------------------------------------
    @api.model
    def _max_records(self):
        return self.env["city.card.operation"]._param_int("city_card.batch_max_records", DEFAULT_MAX_RECORDS)

    @api.model
    def _ingest(self, terminal, batch_id, records):
        """Process an upload of ``terminal`` and return ``(answer, replayed)``.

        ``answer`` is ``{"batch_id", "terminal", "received_at", "records", "posted", "exceptions",
        "rejected", "duplicates", "posted_amount", "results": [{"serial", "status", "code",
        "operation_id"}]}``. Raises :class:`CardError` for a malformed upload (400), too many
        records (413) or a batch ID used before for different records (409).
        """
        started = time.monotonic()
        if not isinstance(batch_id, str) or not 1 <= len(batch_id) <= MAX_ID_LENGTH:
            raise CardError(self.env._("batch_id must be a string of 1 to 64 characters."), "malformed", 400)
        if not isinstance(records, list) or not records:
            raise CardError(self.env._("records must be a non-empty list."), "malformed", 400)
        limit = self._max_records()
        if len(records) > limit:
            raise CardError(
                self.env._("A batch holds at most %(limit)s records.", limit=limit), "payload_too_large", 413
            )
        digest = request_hash({"records": records})
        batch = self._find(terminal, batch_id)
        if batch:
            return batch._replay(digest), True
        batch = self._open(terminal, batch_id, digest, len(records))
        answer = batch._process(records)
        batch._close(answer, int((time.monotonic() - started) * 1000))
        return answer, False

    @api.model
    def _find(self, terminal, batch_id):
        self.env.cr.execute(
            SQL("SELECT id FROM city_card_terminal_batch WHERE terminal_id = %s AND name = %s", terminal.id, batch_id)
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0] if row else ())

    def _replay(self, digest):
        self.ensure_one()
        if self.request_hash != digest:
            raise CardError(
                self.env._("This batch ID was already used for different records."), "idempotency_conflict", 409
            )
        return json.loads(self.response)

    @api.model
    def _open(self, terminal, batch_id, digest, count):
        """Insert the batch row first: a concurrent upload of the same batch waits for it and retries."""
        cr = self.env.cr
        query = SQL(
            """INSERT INTO city_card_terminal_batch (name, terminal_id, merchant_id, received_at, request_hash,
                                                     record_count, posted_count, exception_count, rejected_count,
                                                     duplicate_count, posted_amount, duration_ms, create_uid,
                                                     create_date, write_uid, write_date)
               VALUES (%s, %s, %s, now() at time zone 'utc', %s, %s, 0, 0, 0, 0, 0, 0, %s,
                       now() at time zone 'utc', %s, now() at time zone 'utc')
               RETURNING id""",
            batch_id,
            terminal.id,
            terminal.merchant_id.id,
            digest,
            count,
            self.env.uid,
            self.env.uid,
        )
        try:
            with cr.savepoint(flush=False):
                cr.execute(query)
                batch_id = cr.fetchone()[0]
        except pg_errors.UniqueViolation:
            # The same batch is being uploaded by a concurrent request: retry the whole request,
            # which then finds the committed batch and answers with its stored results.
            cr.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'concurrent upload of the same batch' "
                "USING ERRCODE = 'serialization_failure'; END $$"
            )
        return self.browse(batch_id)

    def _close(self, answer, duration_ms):
        self.env.cr.execute(
            SQL(
                """UPDATE city_card_terminal_batch
                      SET posted_count = %s, exception_count = %s, rejected_count = %s, duplicate_count = %s,
                          posted_amount = %s, duration_ms = %s, response = %s
                    WHERE id = %s""",
                answer["posted"],
                answer["exceptions"],
                answer["rejected"],
                answer["duplicates"],
                answer["posted_amount"],
                duration_ms,
                json.dumps(answer, ensure_ascii=False, sort_keys=True),
                self.id,
            )
        )
        self.invalidate_recordset()

    def _process(self, raw_records):
        """Check, post and store the records of this (new) batch; return the answer."""
        self.ensure_one()
        terminal = self.terminal_id.sudo()
        merchant = terminal.merchant_id
        items = [self._parse(index, raw, merchant) for index, raw in enumerate(raw_records)]
        stored = [item for item in self._split_duplicates(terminal, items) if item.status is None]
        cards = self._lock_cards({item.card_number for item in stored})
        self._verify(terminal, stored, cards)
        self._check_usable(merchant, [item for item in stored if item.status is None])
        payable = [item for item in stored if item.status is None]
        self._allocate(merchant, payable)
        self._post(terminal, merchant, payable)
        self._store(terminal, merchant, [item for item in items if item.store])
        self._advance_counters(stored)
        results = [item.answer() for item in items]
        counts = {"posted": 0, "exception": 0, "rejected": 0, "duplicate": 0}
        for result in results:
            counts[result["status"]] += 1
        return {
            "batch_id": self.name,
            "terminal": terminal.code,
            "received_at": fields.Datetime.to_string(self.received_at),
            "records": len(items),
            "posted": counts["posted"],
            "exceptions": counts["exception"],
            "rejected": counts["rejected"],
            "duplicates": counts["duplicate"],
            "posted_amount": sum(item.amount for item in payable if item.operation_id),
            "results": results,
        }

    @api.model
    def _parse(self, index, raw, merchant):
        """Read one record's fields; a malformed record is rejected with the field at fault."""
        item = _Item(index)
        if not isinstance(raw, dict):
            item.refuse("rejected", "malformed", "record")
            return item
        serial = raw.get("serial")
        if isinstance(serial, int) and not isinstance(serial, bool) and 0 <= serial < 10**18:
            serial = str(serial)
        if not isinstance(serial, str) or not 1 <= len(serial) <= MAX_ID_LENGTH:
            item.serial = serial if isinstance(serial, (str, int, float)) else None
            item.refuse("rejected", "malformed", "serial")
            return item
        item.serial = serial
        item.store = True
        number = raw.get("card")
        item.card_number = number if isinstance(number, str) and len(number) <= 32 else None
        mac = raw.get("mac")
        item.mac = mac if isinstance(mac, str) and len(mac) <= 64 else None
        item.amount = _int(raw.get("amount"))
        item.counter = _int(raw.get("counter"))
        item.tapped_text = raw.get("tapped_at")
        item.tapped_at = _moment(item.tapped_text)
        if item.amount is None or (item.amount == 0 and not merchant.is_transit):
            item.refuse("rejected", "amount_invalid", "amount")
        elif item.tapped_at is None:
            item.refuse("rejected", "malformed", "tapped_at")
        elif item.counter is None:
            item.refuse("rejected", "malformed", "counter")
        elif item.mac is None:
            item.refuse("rejected", "malformed", "mac")
        elif item.card_number is None or card_number_error(item.card_number):
            item.refuse("rejected", "card_invalid", "card")
        return item

    @api.model
    def _split_duplicates(self, terminal, items):
        """Mark replays (stored before, or earlier in this batch); return the records to store."""
        serials = [item.serial for item in items if item.store]
        self.env["city.card.offline.record"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT serial, state, code, operation_id FROM city_card_offline_record
                    WHERE terminal_id = %s AND serial = ANY(%s)""",
                terminal.id,
                serials,
            )
        )
        known = {serial: (state, code, operation_id) for serial, state, code, operation_id in self.env.cr.fetchall()}
        first = {}
        fresh = []
        for item in items:
            if not item.store:
                continue
            if item.serial in known:
                item.original = known[item.serial]
                item.store = False
            elif item.serial in first:
                item.original = first[item.serial]
                item.store = False
            else:
                first[item.serial] = item
                fresh.append(item)
        # An in-batch duplicate answers with its first occurrence's outcome, known only at the end.
        for item in items:
            if isinstance(item.original, _Item):
                item.original = _Pending(item.original)
        return fresh

    @api.model
    def _lock_cards(self, numbers):
        """``{number: row}`` of the cards named, locked (their counters change in this batch)."""
        numbers = sorted(number for number in numbers if number)
        if not numbers:
            return {}
        self.env["city.card"].flush_model(["number", "state", "expires_on", "last_counter"])
        self.env.cr.execute(
            SQL(
                """SELECT id, number, state, expires_on, last_counter FROM city_card
                    WHERE number = ANY(%s) ORDER BY id FOR NO KEY UPDATE""",
                numbers,
            )
        )
        return {row[1]: _Card(*row) for row in self.env.cr.fetchall()}

    @api.model
    def _verify(self, terminal, items, cards):
        """Known card, MAC with the card's own key, and a counter above every earlier one."""
        keys = {}
        for item in items:
            if item.status is not None:
                continue
            card = cards.get(item.card_number)
            if card is None:
                item.refuse("rejected", "card_unknown", "card")
                continue
            item.card = card
            key = keys.get(card.number)
            if key is None:
                key = keys[card.number] = card_key(card.number)
            if not verify_mac(
                key, item.mac, card.number, item.amount, item.tapped_text, terminal.code, item.serial, item.counter
            ):
                item.refuse("rejected", "mac_invalid", "mac")
                continue
            if item.counter <= card.counter:
                item.refuse("rejected", "counter_regression", "counter")
                continue
            card.counter = item.counter

    @api.model
    def _check_usable(self, merchant, items):
        """Genuine taps the ledger cannot take now go to the exception queue."""
        if not items:
            return
        merchant_open = merchant.active and merchant.state == "active"
        enabled = None
        if merchant.function_id:
            relation = self.env["city.card"]._fields["function_ids"]
            self.env["city.card"].flush_model(["function_ids"])
            self.env.cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE %s = %s AND %s = ANY(%s)",
                    SQL.identifier(relation.column1),
                    SQL.identifier(relation.relation),
                    SQL.identifier(relation.column2),
                    merchant.function_id.id,
                    SQL.identifier(relation.column1),
                    list({item.card.id for item in items}),
                )
            )
            enabled = {row[0] for row in self.env.cr.fetchall()}
        today = fields.Date.context_today(self)
        maximum = self.env["city.card.operation"]._param_int("city_card.max_payment", DEFAULT_MAX_PAYMENT)
        for item in items:
            card = item.card
            if card.state != "active":
                item.refuse("exception", "card_hotlisted" if card.state in HOTLISTED_STATES else "card_not_active")
            elif (
                card.expires_on
                and card.expires_on < today
                and card.expires_on < fields.Date.context_today(self, item.tapped_at)
            ):
                item.refuse("exception", "card_expired")
            elif not merchant_open:
                item.refuse("exception", "merchant_inactive")
            elif enabled is not None and card.id not in enabled:
                item.refuse("exception", "function_disabled")
            elif item.amount > maximum:
                item.refuse("exception", "amount_limit")
            elif item.amount == 0:
                item.refuse("posted", "free_ride")

    @api.model
    def _allocate(self, merchant, items):
        """Split each payment over its card's purses (subsidies first where accepted), in batch order."""
        if not items:
            return
        self.env["city.card.account"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id, card_id, kind, expires_on, cached_balance FROM city_card_account
                    WHERE card_id = ANY(%s) AND is_purse ORDER BY id FOR UPDATE""",
                sorted({item.card.id for item in items}),
            )
        )
        today = fields.Date.context_today(self)
        purses, balance = {}, {}
        for account_id, card_id, kind, expires_on, amount in self.env.cr.fetchall():
            balance[account_id] = amount
            purses.setdefault(card_id, []).append((account_id, kind, expires_on, amount))
        order = {
            card_id: spending_order(purses.get(card_id, []), merchant.accepts_subsidy, today)
            for card_id in {item.card.id for item in items}
        }
        for item in items:
            allocation, rest = allocate(order[item.card.id], balance, item.amount)
            if rest:
                item.refuse("exception", "insufficient_funds")
                continue
            for account, part in allocation:
                balance[account] -= part
            item.allocation = allocation
            item.status = "posted"

    @api.model
    def _post(self, terminal, merchant, items):
        """Post every allocated payment in one call of the ledger engine."""
        items = [item for item in items if item.allocation]
        if not items:
            return
        clearing = self.env["city.card.account"]._system_account("clearing").id
        scope = f"offline:{terminal.id}"
        specs = []
        for item in items:
            payload = {
                "op": "payment",
                "card": item.card.number,
                "merchant": merchant.id,
                "terminal": terminal.id,
                "amount": item.amount,
                "full_fare": None,
            }
            specs.append(
                {
                    "vals": {
                        "kind": "payment",
                        "channel": "offline",
                        "card_id": item.card.id,
                        "merchant_id": merchant.id,
                        "terminal_id": terminal.id,
                        "amount": item.amount,
                        "idem_scope": scope,
                        "idem_key": item.serial,
                        "request_hash": request_hash(payload),
                        "external_ref": f"{terminal.code}/{item.serial}",
                    },
                    "lines": [(account, -part) for account, part in item.allocation] + [(clearing, item.amount)],
                }
            )
        operations = self.env["city.card.operation"].sudo()._post(specs)
        for item, operation_id in zip(items, operations.ids, strict=True):
            item.operation_id = operation_id

    def _store(self, terminal, merchant, items):
        """Insert every stored record of the batch in one statement."""
        if not items:
            return
        rows = {name: [] for name, _type in _RECORD_COLUMNS}
        for item in items:
            values = {
                "batch_id": self.id,
                "terminal_id": terminal.id,
                "merchant_id": merchant.id,
                "serial": item.serial,
                "card_number": item.card_number,
                "card_id": item.card.id if item.card else None,
                "amount": item.amount,
                "tapped_at": item.tapped_at,
                "counter": item.counter,
                "mac": item.mac,
                "state": item.status,
                "code": item.code,
                "operation_id": item.operation_id,
            }
            for name, _type in _RECORD_COLUMNS:
                rows[name].append(values[name])
        names = ", ".join(name for name, _type in _RECORD_COLUMNS)
        arrays = ", ".join(f"%({name})s::{sql_type}[]" for name, sql_type in _RECORD_COLUMNS)
        self.env.cr.execute(
            SQL(
                f"""INSERT INTO city_card_offline_record ({names})
                    SELECT {names} FROM unnest({arrays}) AS t({names})""",  # noqa: S608 - column names are constants
                **rows,
            )
        )
        self.env["city.card.offline.record"].invalidate_model()

    @api.model
    def _advance_counters(self, items):
        """Raise each card's last accepted counter to the highest genuine tap of the batch."""
        highest = {}
        for item in items:
            if item.card and item.status in ("posted", "exception"):
                highest[item.card.id] = max(highest.get(item.card.id, 0), item.counter)
        if not highest:
            return
        self.env.cr.execute(
            SQL(
                """UPDATE city_card c SET last_counter = v.counter
                     FROM unnest(%s::int4[], %s::int4[]) AS v(id, counter)
                    WHERE c.id = v.id AND COALESCE(c.last_counter, 0) < v.counter""",
                list(highest),
                list(highest.values()),
            )
        )
        self.env["city.card"].invalidate_model(["last_counter"])


class _Card:
    """A card row locked by the batch; ``counter`` follows the batch's accepted records."""

    __slots__ = ("id", "number", "state", "expires_on", "counter")

    def __init__(self, card_id, number, state, expires_on, last_counter):
        self.id = card_id
        self.number = number
        self.state = state
        self.expires_on = expires_on
        self.counter = last_counter or 0


class _Pending:
    """The outcome of an earlier record of the same batch, read when the answer is built."""

    __slots__ = ("item",)

    def __init__(self, item):
        self.item = item

    def __iter__(self):
        return iter((self.item.status, self.item.code, self.item.operation_id))
