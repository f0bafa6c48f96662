from odoo import api, fields, models
from odoo.exceptions import UserError


class CityRequestExtension(models.Model):
    """A department asks for more working days; a community manager approves or refuses."""

    _name = "city.request.extension"
    _description = "Deadline Extension"
    _inherit = ["mail.thread"]
    _order = "id desc"

    request_id = fields.Many2one("city.request", required=True, ondelete="cascade", index=True)
    department_id = fields.Many2one(related="request_id.department_id", store=True)
    days = fields.Integer(string="Working Days", required=True)
    reason = fields.Text(required=True)
    state = fields.Selection(
        [("pending", "Waiting for Approval"), ("approved", "Approved"), ("refused", "Declined")],
        default="pending",
        required=True,
        tracking=True,
    )
    old_deadline = fields.Datetime(readonly=True)
    new_deadline = fields.Datetime(readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_note = fields.Text()

    _sql_constraints = [("days_positive", "CHECK(days > 0 AND days <= 60)", "An extension is 1 to 60 working days.")]

    @api.depends("request_id.name", "days")
    def _compute_display_name(self):
        for extension in self:
            extension.display_name = self.env._(
                "%(ref)s: +%(days)s working days", ref=extension.request_id.name, days=extension.days
            )

    @api.model_create_multi
    def create(self, vals_list):
        extensions = super().create(vals_list)
        for extension in extensions:
            extension.request_id._log_step(
                self.env._(
                    "Extension of %(days)s working days requested: %(reason)s",
                    days=extension.days,
                    reason=extension.reason,
                )
            )
            extension.request_id._schedule_for_managers(
                self.env._("Decide on the extension of %(ref)s", ref=extension.request_id.name)
            )
        return extensions

    def _check_pending(self):
        self.request_id._check_manager()
        for extension in self:
            if extension.state != "pending":
                raise UserError(self.env._("This extension was already decided."))

    def action_approve(self):
        self._check_pending()
        calendar = self.env["city.holiday"]
        for extension in self:
            request = extension.request_id
            if request.state not in ("accepted", "dispatched", "in_progress", "returned"):
                raise UserError(self.env._("The request is no longer open; nothing to extend."))
            old = request.reply_deadline or fields.Datetime.now()
            new = request._end_of_workday(calendar.add_workdays(request._local_date(old), extension.days))
            request.write({"reply_deadline": new, "deadline": new, "escalation_level": "0"})
            extension.write(
                {"state": "approved", "old_deadline": old, "new_deadline": new, "decided_by_id": self.env.uid}
            )
            request._log_step(
                self.env._("Extension approved: the reply is due by %(date)s.", date=fields.Datetime.to_string(new))
            )
        self.request_id._close_manager_activities()
        return True

    def action_refuse(self):
        self._check_pending()
        self.write({"state": "refused", "decided_by_id": self.env.uid})
        for extension in self:
            extension.request_id._log_step(self.env._("Extension refused."))
        self.request_id._close_manager_activities()
        return True
