from odoo import api, fields, models
from odoo.exceptions import UserError


class CityCareVolunteerHour(models.Model):
    """Hours credited to a volunteer for a done task (时间银行). Append-only."""

    _name = "city.care.volunteer.hour"
    _description = "Volunteer Hours"
    _order = "date desc, id desc"

    volunteer_id = fields.Many2one("city.care.volunteer", required=True, index=True, ondelete="restrict", readonly=True)
    task_id = fields.Many2one("city.care.task", readonly=True, ondelete="restrict")
    date = fields.Date(required=True, readonly=True)
    hours = fields.Float(required=True, readonly=True)
    confirmed_by = fields.Many2one("res.users", readonly=True)

    _sql_constraints = [
        ("hours_positive", "CHECK(hours > 0 AND hours <= 24)", "Credited hours are more than 0 and at most 24."),
        ("task_unique", "unique(task_id)", "A task's hours are credited once."),
    ]

    def write(self, vals):
        if vals:
            raise UserError(self.env._("Credited hours cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Credited hours cannot be deleted."))
