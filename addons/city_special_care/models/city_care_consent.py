from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .city_care_recipient import user_today

SHARED_WITH = [
    ("family", "Family Member"),
    ("provider", "Care Service Provider"),
    ("volunteer", "Volunteer"),
    ("medical", "Medical Institution"),
]


class CityCareConsent(models.Model):
    """What of the care file is shared with whom, signed by whom and when."""

    _name = "city.care.consent"
    _description = "Care Consent"
    _inherit = ["mail.thread"]
    _order = "signed_on desc, id desc"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    shared_with = fields.Selection(SHARED_WITH, required=True, default="family", tracking=True)
    contact_id = fields.Many2one(
        "city.care.contact",
        string="Family Member",
        domain="[('recipient_id', '=', recipient_id)]",
        tracking=True,
    )
    organisation = fields.Char(help="The provider, institution or volunteer team the data is shared with.")
    share_alarms = fields.Boolean(string="Alarms", default=True, tracking=True)
    share_visits = fields.Boolean(string="Visits", default=True, tracking=True)
    share_readings = fields.Boolean(string="Latest Readings", tracking=True)
    signed_by = fields.Selection(
        [("self", "The Person"), ("guardian", "Guardian")], required=True, default="self", tracking=True
    )
    signer_name = fields.Char(required=True)
    signed_on = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    valid_until = fields.Date(tracking=True)
    revoked_on = fields.Date(readonly=True, tracking=True)
    attachment_id = fields.Many2one("ir.attachment", string="Signed Form")
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")],
        default="active",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )

    @api.constrains("shared_with", "contact_id", "organisation")
    def _check_party(self):
        for consent in self:
            if consent.shared_with == "family" and not consent.contact_id:
                raise ValidationError(self.env._("Name the family member the data is shared with."))
            if consent.shared_with != "family" and not consent.organisation:
                raise ValidationError(self.env._("Name the organisation the data is shared with."))
            if consent.contact_id and consent.contact_id.recipient_id != consent.recipient_id:
                raise ValidationError(self.env._("The family member must be a contact of the same person."))

    @api.constrains("signed_on", "valid_until")
    def _check_dates(self):
        for consent in self:
            if consent.valid_until and consent.valid_until < consent.signed_on:
                raise ValidationError(self.env._("A consent cannot end before it was signed."))
            if consent.signed_on > fields.Date.context_today(consent):
                raise ValidationError(self.env._("A consent cannot be signed in the future."))

    @api.depends("recipient_id", "shared_with", "contact_id", "organisation")
    def _compute_display_name(self):
        labels = dict(self._fields["shared_with"]._description_selection(self.env))
        for consent in self:
            party = consent.contact_id.name or consent.organisation or ""
            consent.display_name = f"{consent.recipient_id.name} → {labels.get(consent.shared_with)} {party}".strip()

    def action_revoke(self):
        for consent in self:
            if consent.state != "active":
                raise UserError(self.env._("Only an active consent can be revoked."))
        self.write({"state": "revoked", "revoked_on": fields.Date.context_today(self)})
        return True

    @api.model
    def _expire_due(self):
        due = self.search([("state", "=", "active"), ("valid_until", "<", user_today(self))])
        due.write({"state": "expired"})
        return due
