from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.dates import city_today


class CityCreditRecord(models.Model):
    _name = "city.credit.record"
    _description = "Credit Record"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "valid_from desc, id desc"

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Subject", required=True, index=True, ondelete="restrict", tracking=True
    )
    kind = fields.Selection(
        [
            ("blacklist", "Blacklist (dishonest)"),
            ("warning", "Warning"),
            ("commendation", "Commendation"),
        ],
        required=True,
        default="blacklist",
        tracking=True,
    )
    source = fields.Char(required=True, tracking=True, help="Authority or platform that reported the record.")
    reason = fields.Text(required=True, tracking=True)
    valid_from = fields.Date(required=True, default=lambda self: city_today(), tracking=True)
    valid_to = fields.Date(tracking=True, help="Leave empty for a record without end date.")
    state = fields.Selection(
        [("active", "Active"), ("revoked", "Revoked")], default="active", required=True, tracking=True
    )
    revoke_reason = fields.Text(tracking=True)
    is_current = fields.Boolean(compute="_compute_is_current", search="_search_is_current")

    _sql_constraints = [
        ("dates_check", "CHECK(valid_to IS NULL OR valid_to >= valid_from)", "A record cannot end before it starts."),
    ]

    def _compute_is_current(self):
        today = city_today()
        for record in self:
            record.is_current = record._is_valid_at(today)

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on Current."))
        today = city_today()
        domain = [
            ("state", "=", "active"),
            ("valid_from", "<=", today),
            "|",
            ("valid_to", "=", False),
            ("valid_to", ">=", today),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("city.credit.record") or "/"
        records = super().create(vals_list)
        for record in records:
            record._audit("credit.create")
        return records

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise ValidationError(self.env._("Credit records are kept for the audit trail; revoke them instead."))

    def _is_valid_at(self, date):
        self.ensure_one()
        return self.state == "active" and self.valid_from <= date and (not self.valid_to or self.valid_to >= date)

    def _audit(self, event):
        self.env["city.audit.log"].sudo().record(
            event,
            record=self,
            payload={
                "reference": self.name,
                "partner_id": self.partner_id.id,
                "kind": self.kind,
                "state": self.state,
                "valid_from": self.valid_from,
                "valid_to": self.valid_to,
            },
        )

    def action_revoke(self):
        for record in self:
            if record.state != "active":
                raise ValidationError(self.env._("Record %(name)s is already revoked.", name=record.name))
            if not record.revoke_reason:
                raise ValidationError(self.env._("Give the reason for revoking %(name)s.", name=record.name))
        self.write({"state": "revoked"})
        for record in self:
            record._audit("credit.revoke")
        return True

    @api.model
    def _blacklisted_partner_query(self, date=None):
        """SQL selecting the ids of partners blacklisted at ``date`` (their company's record counts too)."""
        date = date or city_today()
        return SQL(
            """SELECT p.id FROM res_partner p
                 JOIN city_credit_record r ON r.partner_id IN (p.id, p.commercial_partner_id)
                WHERE r.kind = 'blacklist' AND r.state = 'active' AND r.valid_from <= %(date)s
                  AND (r.valid_to IS NULL OR r.valid_to >= %(date)s)""",
            date=date,
        )

    @api.model
    def _blacklisted_partners(self, partners, date=None):
        """Return the subset of ``partners`` blacklisted at ``date`` (default today), in one query."""
        if not partners:
            return partners
        self.env["city.credit.record"].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(SQL("%s AND p.id IN %s", self._blacklisted_partner_query(date), tuple(partners.ids)))
        return partners.browse(sorted({row[0] for row in self.env.cr.fetchall()}))

    @api.model
    def is_blacklisted(self, partner, date=None):
        """Public API for other addons: is ``partner`` (or its company) blacklisted at ``date``?"""
        return bool(self._blacklisted_partners(partner, date))
