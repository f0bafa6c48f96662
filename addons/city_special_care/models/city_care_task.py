from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

TASK_TYPES = [
    ("shopping", "Shopping"),
    ("cleaning", "Cleaning"),
    ("repair", "Household Repair"),
    ("escort", "Escort to Hospital"),
    ("medicine", "Medicine Pick-up"),
    ("company", "Company and Chat"),
    ("tutoring", "Homework Help"),
    ("other", "Other"),
]


class CityCareTask(models.Model):
    """A life-help task (生活帮扶) done by a worker or a volunteer; volunteer hours are credited."""

    _name = "city.care.task"
    _description = "Life-help Task"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_sequence, planned_date, id"

    name = fields.Char(required=True)
    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    type = fields.Selection(TASK_TYPES, required=True, default="other")
    planned_date = fields.Date(required=True, default=fields.Date.context_today)
    user_id = fields.Many2one("res.users", string="Worker", default=lambda self: self.env.user, tracking=True)
    volunteer_id = fields.Many2one("city.care.volunteer", tracking=True)
    hours = fields.Float(tracking=True)
    state = fields.Selection(
        [("new", "New"), ("assigned", "Assigned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    result = fields.Text()
    hour_id = fields.Many2one("city.care.volunteer.hour", readonly=True)

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {"new": 0, "assigned": 1, "done": 2, "cancelled": 3}
        for task in self:
            task.state_sequence = order.get(task.state, 4)

    @api.constrains("hours")
    def _check_hours(self):
        for task in self:
            if task.hours < 0 or task.hours > 24:
                raise ValidationError(self.env._("A task takes 0 to 24 hours."))

    def action_assign(self):
        for task in self:
            if task.state != "new":
                raise UserError(self.env._("Only a new task can be assigned."))
            if not (task.volunteer_id or task.user_id):
                raise UserError(self.env._("Assign the task to a worker or a volunteer."))
        self.write({"state": "assigned"})
        return True

    def action_done(self):
        for task in self:
            if task.state != "assigned":
                raise UserError(self.env._("Only an assigned task can be done."))
            if task.volunteer_id and task.hours <= 0:
                raise UserError(self.env._("Enter the volunteer's hours to credit them."))
        for task in self:
            values = {"state": "done"}
            if task.volunteer_id:
                hour = (
                    self.env["city.care.volunteer.hour"]
                    .sudo()
                    .create(
                        {
                            "volunteer_id": task.volunteer_id.id,
                            "task_id": task.id,
                            "date": fields.Date.context_today(task),
                            "hours": task.hours,
                            "confirmed_by": self.env.uid,
                        }
                    )
                )
                values["hour_id"] = hour.id
            task.write(values)
        return True

    def action_cancel(self):
        for task in self:
            if task.state in ("done", "cancelled"):
                raise UserError(self.env._("A done or cancelled task cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True
