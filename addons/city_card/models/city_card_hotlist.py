from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

HOTLIST_LOCK = 7362021  # advisory lock serialising hotlist versions
MAX_PAGE = 10000


class CityCardHotlist(models.Model):
    """The versioned hotlist: every block and unblock of a card, numbered in commit order.

    A terminal keeps the highest version it applied and asks for the changes after it. Writers
    take one transaction-level advisory lock before inserting, so versions are assigned and
    committed in the same order and a terminal can never skip a change that commits late.
    """

    _name = "city.card.hotlist"
    _description = "Card Hotlist Entry"
    _order = "id desc"
    _rec_name = "card_number"

    card_id = fields.Many2one("city.card", required=True, readonly=True, ondelete="restrict", index=True)
    card_number = fields.Char(required=True, readonly=True, index=True)
    action = fields.Selection([("block", "Block"), ("unblock", "Unblock")], required=True, readonly=True)
    reason = fields.Selection(
        [
            ("lost", "Reported Lost"),
            ("frozen", "Frozen"),
            ("replaced", "Replaced"),
            ("cancelled", "Cancelled"),
            ("active", "Unblocked"),
        ],
        required=True,
        readonly=True,
    )
    version = fields.Integer(compute="_compute_version")

    @api.depends()
    def _compute_version(self):
        for entry in self:
            entry.version = entry.id

    def write(self, vals):
        if self:
            raise UserError(self.env._("Hotlist entries cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Hotlist entries cannot be deleted."))

    def _append(self, card, action, reason):
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", HOTLIST_LOCK))
        return self.create({"card_id": card.id, "card_number": card.number, "action": action, "reason": reason})

    @api.model
    def _block(self, card, reason):
        return self._append(card, "block", reason)

    @api.model
    def _unblock(self, card):
        return self._append(card, "unblock", "active")

    @api.model
    def _current_version(self):
        self.flush_model()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM city_card_hotlist")
        return self.env.cr.fetchone()[0]

    @api.model
    def _delta(self, since, limit=MAX_PAGE):
        """The changes after version ``since``: the last action per card, in version order.

        With ``since`` = 0 this is the full list of blocked cards. Returns
        ``{"version", "since", "full", "more", "entries": [{"version", "card", "action", "reason"}]}``;
        with ``more`` the terminal asks again from the returned version.
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT version, card_number, action, reason FROM (
                       SELECT DISTINCT ON (card_id) id AS version, card_number, action, reason
                         FROM city_card_hotlist WHERE id > %s
                        ORDER BY card_id, id DESC) last
                    WHERE %s > 0 OR action = 'block'
                    ORDER BY version LIMIT %s""",
                since,
                since,
                limit + 1,
            )
        )
        rows = self.env.cr.fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        current = self._current_version()
        version = rows[-1][0] if more else current
        return {
            "version": version,
            "since": since,
            "full": since == 0,
            "more": more,
            "entries": [{"version": row[0], "card": row[1], "action": row[2], "reason": row[3]} for row in rows],
        }
