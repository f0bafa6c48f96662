import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.card_crypto import terminal_key_digest


class CityCardTerminal(models.Model):
    """A card terminal (bus validator, POS, self-service kiosk) with its own API key.

    The key is shown once when generated; only its HMAC digest (under a pepper from the
    configuration) is stored, so the database never holds it in clear.
    """

    _name = "city.card.terminal"
    _description = "Card Terminal"
    _inherit = ["mail.thread"]
    _order = "code"
    _rec_name = "code"

    code = fields.Char(string="Terminal ID", required=True, tracking=True, help="The terminal's serial number.")
    kind = fields.Selection(
        [("validator", "Transit Validator"), ("pos", "Point of Sale"), ("kiosk", "Self-service Kiosk")],
        default="pos",
        required=True,
    )
    merchant_id = fields.Many2one("city.card.merchant", required=True, ondelete="restrict", index=True, tracking=True)
    outlet_id = fields.Many2one(
        "city.card.outlet", ondelete="restrict", domain="[('merchant_id', '=', merchant_id)]", tracking=True
    )
    key_digest = fields.Char(readonly=True, copy=False, groups="base.group_system")
    key_set_at = fields.Datetime(string="Key Issued", readonly=True, copy=False)
    has_key = fields.Boolean(compute="_compute_has_key")
    hotlist_version = fields.Integer(readonly=True, help="The last hotlist version this terminal fetched.")
    last_seen_at = fields.Datetime(readonly=True)
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [("code_unique", "unique(code)", "A terminal ID must be unique.")]

    @api.depends("key_set_at")
    def _compute_has_key(self):
        for terminal in self:
            terminal.has_key = bool(terminal.key_set_at)

    def _generate_key(self):
        """Give the terminal a new key (the old one stops working) and return it in clear, once."""
        self.ensure_one()
        key = f"{self.code}.{secrets.token_urlsafe(32)}"
        self.sudo().write({"key_digest": terminal_key_digest(key), "key_set_at": fields.Datetime.now()})
        self.message_post(body=self.env._("A new API key was issued; the previous key no longer works."))
        return key

    def action_generate_key(self):
        self.ensure_one()
        key = self._generate_key()
        # Like Odoo's own API keys: the key travels in the action's context to a form that is
        # never saved, so it is shown once and stored nowhere in clear.
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.card.terminal.key",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Terminal API Key"),
            "context": {"default_terminal_id": self.id, "default_key": key},
        }

    def action_revoke_key(self):
        self.sudo().write({"key_digest": False, "key_set_at": False})
        for terminal in self:
            terminal.message_post(body=self.env._("The API key was revoked."))
        return True

    @api.model
    def _authenticate(self, key):
        """The active terminal whose key this is, or an empty recordset.

        A key is ``<terminal code>.<secret>``: the code finds the terminal in one indexed lookup,
        the digest comparison runs in constant time.
        """
        if not isinstance(key, str) or "." not in key:
            return self.browse()
        code = key.split(".", 1)[0]
        self.flush_model(["code", "key_digest", "active"])
        self.env.cr.execute(
            "SELECT id, key_digest FROM city_card_terminal WHERE code = %s AND active AND key_digest IS NOT NULL",
            [code],
        )
        row = self.env.cr.fetchone()
        if not row or not secrets.compare_digest(row[1], terminal_key_digest(key)):
            return self.browse()
        return self.browse(row[0])

    def _check_merchant_active(self):
        self.ensure_one()
        if self.merchant_id.state != "active" or not self.merchant_id.active:
            raise UserError(self.env._("The terminal's merchant is suspended."))
