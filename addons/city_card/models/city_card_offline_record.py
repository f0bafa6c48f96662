from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.errors import CardError

RECORD_STATES = [
    ("posted", "Posted"),
    ("exception", "Exception"),
    ("rejected", "Rejected"),
    ("retried", "Posted on Retry"),
    ("written_off", "Written Off"),
]
# Why a record was not posted. Rejected: the record cannot be trusted or used (malformed, forged,
# replayed counter, unknown card). Exception: a genuine tap the ledger cannot take now (blocked
# card, no funds, ...); it waits in the exception queue until a manager retries or writes it off.
RECORD_CODES = [
    ("free_ride", "Free Ride"),
    ("malformed", "Malformed Record"),
    ("amount_invalid", "Invalid Amount"),
    ("card_invalid", "Invalid Card Number"),
    ("card_unknown", "Unknown Card"),
    ("mac_invalid", "MAC Verification Failed"),
    ("counter_regression", "Counter Regression"),
    ("card_hotlisted", "Card Hotlisted"),
    ("card_not_active", "Card Not Active"),
    ("card_expired", "Card Expired"),
    ("function_disabled", "Function Not Enabled"),
    ("merchant_inactive", "Merchant Suspended"),
    ("amount_limit", "Amount Over the Limit"),
    ("insufficient_funds", "Insufficient Funds"),
]
REJECTED_CODES = ("malformed", "amount_invalid", "card_invalid", "card_unknown", "mac_invalid", "counter_regression")
OPEN_STATE = "exception"


class CityCardOfflineRecord(models.Model):
    """One offline tap uploaded by a terminal in a batch, and what became of it.

    A terminal numbers its records (``serial``, unique per terminal), so a record uploaded again is
    recognised and answered with its first outcome. Every record of a batch is stored, whatever
    its outcome: posted records point to their payment operation; records the ledger could not
    take wait in the exception queue (state ``exception``) until a manager retries them (posted
    if the card can pay now) or writes them off (the loss is accepted, with a reason, in the
    audit log).
    """

    _name = "city.card.offline.record"
    _description = "Offline Card Record"
    _order = "id desc"
    _rec_name = "serial"
    _log_access = False  # written set-based by the batch upload; the batch keeps who and when

    batch_id = fields.Many2one("city.card.terminal.batch", readonly=True, ondelete="restrict", index=True)
    terminal_id = fields.Many2one("city.card.terminal", required=True, readonly=True, ondelete="restrict")
    merchant_id = fields.Many2one("city.card.merchant", readonly=True, ondelete="restrict")
    serial = fields.Char(required=True, readonly=True, help="The terminal's serial number of the record.")
    card_number = fields.Char(readonly=True)
    card_id = fields.Many2one("city.card", readonly=True, ondelete="restrict", index="btree_not_null")
    partner_id = fields.Many2one(related="card_id.partner_id", string="Holder")
    amount = fields.Integer(readonly=True, help="Fen, as recorded by the terminal.")
    amount_yuan = fields.Float(string="Amount (CNY)", compute="_compute_amount_yuan", digits=(16, 2))
    tapped_at = fields.Datetime(readonly=True)
    counter = fields.Integer(string="Card Counter", readonly=True)
    mac = fields.Char(string="MAC", readonly=True)
    state = fields.Selection(RECORD_STATES, required=True, readonly=True)
    code = fields.Selection(RECORD_CODES, string="Reason", readonly=True)
    operation_id = fields.Many2one("city.card.operation", readonly=True, ondelete="restrict")
    resolved_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    resolved_at = fields.Datetime(readonly=True)
    resolution_note = fields.Text(readonly=True)

    _sql_constraints = [
        ("terminal_serial_unique", "unique(terminal_id, serial)", "A terminal uses a record serial number once."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_card_offline_record_open_idx ON city_card_offline_record (id) "
            "WHERE state = 'exception'"
        )

    @api.depends("amount")
    def _compute_amount_yuan(self):
        for record in self:
            record.amount_yuan = (record.amount or 0) / 100

    @api.depends("serial", "terminal_id")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.terminal_id.code or ''}/{record.serial or ''}"

    # ------------------------------------------------------------------
    # Records are written by the batch upload and change only through the queue actions
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_card_batch_upload"):
            raise UserError(self.env._("Offline records come from terminal batches only."))
        return super().create(vals_list)

    def write(self, vals):
        if self and not self.env.context.get("city_card_offline_resolve"):
            raise UserError(self.env._("Offline records change only through the exception queue's actions."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Offline records cannot be deleted."))

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("Offline records cannot be duplicated."))
        return super().copy(default)

    # ------------------------------------------------------------------
    # Exception queue
    # ------------------------------------------------------------------
    def _lock_open(self):
        """Lock these records and return those still in the exception queue."""
        self.check_access("write")
        self.env.cr.execute(
            SQL("SELECT id FROM city_card_offline_record WHERE id = ANY(%s) ORDER BY id FOR UPDATE", self.ids)
        )
        self.invalidate_recordset()
        return self.filtered(lambda record: record.state == OPEN_STATE)

    def _resolve(self, vals):
        vals.update(resolved_by_id=self.env.uid, resolved_at=fields.Datetime.now())
        self.with_context(city_card_offline_resolve=True).sudo().write(vals)

    def _audit(self, event, payload=None):
        self.ensure_one()
        data = {
            "terminal": self.terminal_id.code,
            "serial": self.serial,
            "card": self.card_number or "",
            "amount": self.amount,
            "tapped_at": fields.Datetime.to_string(self.tapped_at) if self.tapped_at else None,
            "code": self.code or "",
        }
        data.update(payload or {})
        self.env["city.audit.log"].sudo().record(event, record=self, payload=data, chain="card")

    def _retry(self):
        """Post every record of the queue whose card can pay now.

        Returns ``(posted, failed)`` where ``failed`` is ``[(record, code, message)]``. A record that
        is no longer in the queue is left alone, so retrying twice posts once; the payment carries
        the record's idempotency key (terminal scope, serial) as well.
        """
        posted, failed = self.browse(), []
        for record in self._lock_open():
            previous = record.code
            try:
                with self.env.cr.savepoint():
                    operation = record.sudo()._post_now()
            except CardError as error:
                code = error.code if error.code in dict(RECORD_CODES) else previous
                if code == "card_not_active" and record.sudo().card_id.hotlisted:
                    code = "card_hotlisted"
                if code != previous:
                    record.with_context(city_card_offline_resolve=True).sudo().write({"code": code})
                failed.append((record, code, error.args[0]))
                continue
            if operation:
                record._resolve({"state": "retried", "operation_id": operation.id})
            else:
                record._resolve({"state": "retried", "code": "free_ride"})
            record._audit("card.offline.retry", {"previous_code": previous or "", "operation": operation.id or None})
            posted |= record
        return posted, failed

    def _post_now(self):
        """Pay the record's amount to its merchant from the card now (a free ride posts nothing)."""
        self.ensure_one()
        if not self.card_id:
            raise CardError(self.env._("The record names no known card."), "card_unknown", 404)
        if not self.amount:
            self.card_id._check_usable(merchant=self.merchant_id)
            return self.env["city.card.operation"]
        operation, _response, _replayed = self.env["city.card.operation"]._pay(
            self.card_id,
            self.merchant_id,
            self.amount,
            terminal=self.terminal_id,
            channel="offline",
            scope=f"offline:{self.terminal_id.id}",
            key=self.serial,
            note=self.env._("Offline record retried from the exception queue"),
        )
        return operation

    def _write_off(self, reason):
        """Close these queue records without posting: the loss is accepted, for ``reason``."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("A write-off needs a reason."))
        records = self._lock_open()
        for record in records:
            record._resolve({"state": "written_off", "resolution_note": reason})
            record._audit("card.offline.write_off", {"reason": reason})
        return records

    def action_retry(self):
        posted, failed = self._retry()
        if not posted and not failed:
            raise UserError(self.env._("None of these records is in the exception queue any more."))
        message = self.env._("%(posted)s record(s) posted.", posted=len(posted))
        if failed:
            reasons = dict(self._fields["code"]._description_selection(self.env))
            details = "; ".join(f"{record.display_name}: {reasons.get(code, code)}" for record, code, _m in failed[:10])
            message += " " + self.env._(
                "%(failed)s record(s) still cannot be posted: %(details)s", failed=len(failed), details=details
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Retry"),
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": bool(failed),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_write_off(self):
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.card.offline.writeoff",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Write Off"),
            "context": {"default_record_ids": [fields.Command.set(self.ids)]},
        }
