import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.validators import canonical_json, chain_hash

BATCH = 5000


class CityAuditLog(models.Model):
    """Append-only, SHA-256 hash-chained audit log.

    Each entry's hash covers the previous entry's hash and the canonical JSON of the entry,
    so changing, removing or reordering any entry breaks the chain from there on.
    Entries are written only through :meth:`record`; the ORM refuses every write and delete.
    """

    _name = "city.audit.log"
    _description = "Audit Log Entry"
    _order = "chain, sequence desc"
    _rec_name = "event"

    chain = fields.Char(required=True, readonly=True, index=True, default="default")
    sequence = fields.Integer(required=True, readonly=True)
    event = fields.Char(required=True, readonly=True, index=True)
    model = fields.Char(readonly=True, index=True)
    res_id = fields.Integer(string="Record ID", readonly=True, index=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    logged_at = fields.Datetime(required=True, readonly=True)
    payload = fields.Text(readonly=True)
    prev_hash = fields.Char(string="Previous Hash", readonly=True)
    hash = fields.Char(required=True, readonly=True, index=True)

    _sql_constraints = [
        ("chain_sequence_unique", "unique(chain, sequence)", "An audit chain cannot fork."),
    ]

    # ------------------------------------------------------------------
    # Append-only
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_audit_append"):
            raise AccessError(self.env._("Audit log entries are written by the system only."))
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(self.env._("Audit log entries cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Audit log entries cannot be deleted."))

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("Audit log entries cannot be duplicated."))
        return super().copy(default)

    # ------------------------------------------------------------------
    # API for other addons
    # ------------------------------------------------------------------
    @api.model
    def _entry_data(self, chain, sequence, event, model, res_id, user_id, logged_at, payload):
        """The dictionary whose canonical JSON is hashed (one definition for write and verify)."""
        return {
            "chain": chain,
            "sequence": sequence,
            "event": event,
            "model": model or None,
            "res_id": res_id or None,
            "user_id": user_id or None,
            "logged_at": fields.Datetime.to_string(logged_at),
            "payload": payload,
        }

    @api.model
    def record(self, event, record=None, payload=None, chain="default"):
        """Append one entry to ``chain`` and return it.

        :param event: dotted event name, e.g. ``card.payment`` or ``credit.revoke``
        :param record: optional single record the event is about
        :param payload: JSON-serialisable dict (dates become ISO strings)
        """
        if record is not None and len(record) > 1:
            raise UserError(self.env._("An audit entry is about one record at most."))
        payload = json.loads(canonical_json(payload or {}))
        cr = self.env.cr
        cr.execute(
            "INSERT INTO city_audit_chain (name, last_sequence, create_uid, create_date, write_uid, write_date) "
            "VALUES (%s, 0, %s, now() at time zone 'utc', %s, now() at time zone 'utc') "
            "ON CONFLICT (name) DO NOTHING",
            [chain, self.env.uid, self.env.uid],
        )
        cr.execute("SELECT id, last_sequence, last_hash FROM city_audit_chain WHERE name = %s FOR UPDATE", [chain])
        head_id, last_sequence, last_hash = cr.fetchone()
        sequence = last_sequence + 1
        logged_at = fields.Datetime.now()
        model = record._name if record else False
        res_id = record.id if record else False
        data = self._entry_data(chain, sequence, event, model, res_id, self.env.uid, logged_at, payload)
        digest = chain_hash(last_hash, data)
        entry = (
            self.sudo()
            .with_context(city_audit_append=True)
            .create(
                {
                    "chain": chain,
                    "sequence": sequence,
                    "event": event,
                    "model": model,
                    "res_id": res_id,
                    "user_id": self.env.uid,
                    "logged_at": logged_at,
                    "payload": canonical_json(payload),
                    "prev_hash": last_hash,
                    "hash": digest,
                }
            )
        )
        cr.execute(
            "UPDATE city_audit_chain SET last_sequence = %s, last_hash = %s, write_date = now() at time zone 'utc' "
            "WHERE id = %s",
            [sequence, digest, head_id],
        )
        self.env["city.audit.chain"].invalidate_model(["last_sequence", "last_hash"])
        return entry

    @api.model
    def verify(self, chains=None):
        """Check every entry of ``chains`` (all when None) against its hash and its predecessor.

        Returns ``{"ok": bool, "checked": int, "broken": None or {...}}`` where ``broken`` names the
        first broken link: the entry id (or None when entries are missing at the end), chain,
        sequence and reason (``hash``, ``link``, ``sequence``, ``truncated``).
        """
        self.flush_model()
        cr = self.env.cr
        if chains is None:
            cr.execute("SELECT name, last_sequence, last_hash FROM city_audit_chain ORDER BY name")
        else:
            cr.execute(
                "SELECT name, last_sequence, last_hash FROM city_audit_chain WHERE name IN %s ORDER BY name",
                [tuple(chains) or ("",)],
            )
        heads = cr.fetchall()
        checked = 0
        for name, head_sequence, head_hash in heads:
            previous_hash, expected = None, 1
            last_id = 0
            while True:
                cr.execute(
                    SQL(
                        """SELECT id, sequence, event, model, res_id, user_id, logged_at, payload, prev_hash, hash
                             FROM city_audit_log WHERE chain = %s AND sequence >= %s
                            ORDER BY sequence LIMIT %s""",
                        name,
                        expected,
                        BATCH,
                    )
                )
                rows = cr.fetchall()
                for entry_id, sequence, event, model, res_id, user_id, logged_at, payload, prev_hash, digest in rows:
                    checked += 1
                    last_id = entry_id
                    broken = None
                    if sequence != expected:
                        broken = "sequence"
                    elif (prev_hash or None) != previous_hash:
                        broken = "link"
                    else:
                        data = self._entry_data(
                            name, sequence, event, model, res_id, user_id, logged_at, json.loads(payload or "{}")
                        )
                        if chain_hash(previous_hash, data) != digest:
                            broken = "hash"
                    if broken:
                        return {
                            "ok": False,
                            "checked": checked,
                            "broken": {"id": entry_id, "chain": name, "sequence": expected, "reason": broken},
                        }
                    previous_hash, expected = digest, sequence + 1
                if len(rows) < BATCH:
                    break
            if expected - 1 != head_sequence or previous_hash != (head_hash or None):
                return {
                    "ok": False,
                    "checked": checked,
                    "broken": {"id": last_id or None, "chain": name, "sequence": expected, "reason": "truncated"},
                }
        return {"ok": True, "checked": checked, "broken": None}

    @api.model
    def action_verify(self, chains=None):
        result = self.verify(chains=chains)
        if result["ok"]:
            message = self.env._("Audit chain intact: %(count)s entries verified.", count=result["checked"])
            kind = "success"
        else:
            broken = result["broken"]
            message = self.env._(
                "Audit chain %(chain)s is broken at sequence %(sequence)s (%(reason)s).",
                chain=broken["chain"],
                sequence=broken["sequence"],
                reason=broken["reason"],
            )
            kind = "danger"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Audit Verification"),
                "message": message,
                "type": kind,
                "sticky": not result["ok"],
            },
        }
