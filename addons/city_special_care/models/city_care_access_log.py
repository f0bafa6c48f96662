from odoo import api, fields, models
from odoo.exceptions import UserError


class CityCareAccessLog(models.Model):
    """A read of a care file by someone else than its responsible worker. Append-only."""

    _name = "city.care.access.log"
    _description = "Care File Access Log"
    _order = "accessed_at desc, id desc"
    _log_access = False

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade", readonly=True)
    division_id = fields.Many2one(related="recipient_id.division_id", string="Grid")
    user_id = fields.Many2one("res.users", required=True, index=True, ondelete="restrict", readonly=True)
    accessed_at = fields.Datetime(required=True, readonly=True, index=True)
    fields_read = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_care_access_log"):
            raise UserError(self.env._("Access log entries are written by the system only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("Access log entries cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Access log entries cannot be deleted."))

    @api.model
    def _log(self, recipient, field_names):
        self.sudo().with_context(city_care_access_log=True).create(
            {
                "recipient_id": recipient.id,
                "user_id": self.env.uid,
                "accessed_at": fields.Datetime.now(),
                "fields_read": ", ".join(field_names)[:500],
            }
        )
