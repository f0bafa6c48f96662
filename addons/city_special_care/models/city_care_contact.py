from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.city_base.tools import validators

RELATIONS = [
    ("spouse", "Spouse"),
    ("child", "Son / Daughter"),
    ("parent", "Parent"),
    ("grandparent", "Grandparent"),
    ("sibling", "Brother / Sister"),
    ("relative", "Other Relative"),
    ("neighbour", "Neighbour"),
    ("other", "Other"),
]


class CityCareContact(models.Model):
    """A guardian or emergency contact of a care recipient, called in priority order."""

    _name = "city.care.contact"
    _description = "Care Contact"
    _order = "recipient_id, priority, id"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    priority = fields.Integer(default=1, help="1 is called first.")
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        index="btree_not_null",
        ondelete="restrict",
        help="The contact's own partner record; with a portal user and a consent the contact follows "
        "the recipient in the family portal.",
    )
    name = fields.Char(required=True)
    phone = fields.Char(required=True)
    relation = fields.Selection(RELATIONS, required=True, default="child")
    is_guardian = fields.Boolean(string="Guardian")
    is_emergency = fields.Boolean(string="Emergency Contact", default=True)
    address = fields.Char()
    note = fields.Char()

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.name = self.partner_id.name
            self.phone = self.partner_id.mobile or self.partner_id.phone or self.phone

    @api.constrains("phone")
    def _check_phone(self):
        for contact in self:
            digits = (contact.phone or "").replace("-", "").replace(" ", "")
            if not (validators.is_mobile(contact.phone) or (digits.isdigit() and 7 <= len(digits) <= 12)):
                raise ValidationError(self.env._("%(phone)s is not a mobile or landline number.", phone=contact.phone))

    @api.constrains("priority")
    def _check_priority(self):
        for contact in self:
            if contact.priority < 1:
                raise ValidationError(self.env._("The call priority starts at 1."))
