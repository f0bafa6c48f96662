from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import epcis

BATCH = 5000


class CityTraceChain(models.Model):
    """Head of one enterprise's event chain: the last position and link hash written.

    Capture locks the heads of the enterprises it writes for (SELECT ... FOR UPDATE, in id
    order), so the events of one enterprise get gapless positions even with concurrent senders.
    """

    _name = "city.trace.chain"
    _description = "Trace Event Chain"
    _order = "partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Enterprise", required=True, readonly=True, ondelete="restrict")
    last_sequence = fields.Integer(readonly=True)
    last_hash = fields.Char(readonly=True)

    _sql_constraints = [("partner_unique", "unique(partner_id)", "An enterprise has one event chain.")]

    @api.model
    def _lock_heads(self, partner_ids):
        """Create missing heads, lock all of them and return ``{partner_id: [sequence, hash]}``."""
        partner_ids = sorted(set(partner_ids))
        cr = self.env.cr
        cr.execute(
            SQL(
                """INSERT INTO city_trace_chain (partner_id, last_sequence, create_uid, create_date, write_uid,
                                                 write_date)
                   SELECT p, 0, %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
                     FROM unnest(%(partners)s::int[]) p
                   ON CONFLICT (partner_id) DO NOTHING""",
                uid=self.env.uid,
                partners=partner_ids,
            )
        )
        cr.execute(
            SQL(
                """SELECT partner_id, last_sequence, last_hash FROM city_trace_chain
                    WHERE partner_id = ANY(%s) ORDER BY partner_id FOR UPDATE""",
                partner_ids,
            )
        )
        return {partner_id: [sequence, digest] for partner_id, sequence, digest in cr.fetchall()}

    @api.model
    def _store_heads(self, heads):
        if not heads:
            return
        partners, sequences, hashes = zip(*[(p, s, h) for p, (s, h) in heads.items()], strict=True)
        self.env.cr.execute(
            SQL(
                """UPDATE city_trace_chain c SET last_sequence = v.s, last_hash = v.h,
                          write_date = now() at time zone 'utc'
                     FROM unnest(%s::int[], %s::int[], %s::varchar[]) AS v(p, s, h)
                    WHERE c.partner_id = v.p""",
                list(partners),
                list(sequences),
                list(hashes),
            )
        )
        self.invalidate_model(["last_sequence", "last_hash"])

    def verify(self):
        """Check each chain of ``self`` link by link; return ``{"ok", "checked", "broken"}`` like the audit log."""
        self.env["city.trace.event"].flush_model()
        cr = self.env.cr
        checked = 0
        for chain in self:
            previous, expected, last_id = None, 1, None
            while True:
                cr.execute(
                    SQL(
                        """SELECT id, chain_sequence, event_hash, prev_hash, chain_hash FROM city_trace_event
                            WHERE partner_id = %s AND chain_sequence >= %s ORDER BY chain_sequence LIMIT %s""",
                        chain.partner_id.id,
                        expected,
                        BATCH,
                    )
                )
                rows = cr.fetchall()
                for event_id, sequence, digest, prev_hash, link in rows:
                    checked += 1
                    last_id = event_id
                    reason = None
                    if sequence != expected:
                        reason = "sequence"
                    elif (prev_hash or None) != previous:
                        reason = "link"
                    elif epcis.chain_link(previous, sequence, digest) != link:
                        reason = "hash"
                    if reason:
                        return {
                            "ok": False,
                            "checked": checked,
                            "broken": {
                                "id": event_id,
                                "partner_id": chain.partner_id.id,
                                "sequence": expected,
                                "reason": reason,
                            },
                        }
                    previous, expected = link, sequence + 1
                if len(rows) < BATCH:
                    break
            if expected - 1 != chain.last_sequence or previous != (chain.last_hash or None):
                return {
                    "ok": False,
                    "checked": checked,
                    "broken": {
                        "id": last_id,
                        "partner_id": chain.partner_id.id,
                        "sequence": expected,
                        "reason": "truncated",
                    },
                }
        return {"ok": True, "checked": checked, "broken": None}

    def action_verify(self):
        result = self.verify()
        if result["ok"]:
            message = self.env._("Event chain intact: %(count)s events verified.", count=result["checked"])
        else:
            broken = result["broken"]
            message = self.env._(
                "The event chain of %(partner)s is broken at position %(sequence)s (%(reason)s).",
                partner=self.env["res.partner"].browse(broken["partner_id"]).display_name,
                sequence=broken["sequence"],
                reason=broken["reason"],
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Event Chain Verification"),
                "message": message,
                "type": "success" if result["ok"] else "danger",
                "sticky": not result["ok"],
            },
        }
