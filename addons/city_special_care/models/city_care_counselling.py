from odoo import api, fields, models
from odoo.exceptions import UserError

COUNSELLOR_GROUP = "city_special_care.group_city_special_care_counsellor"


class CityCareCounselling(models.Model):
    """A psychological counselling session (心理咨询) held by a counsellor."""

    _name = "city.care.counselling"
    _description = "Counselling Session"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "scheduled_at desc, id desc"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    counsellor_id = fields.Many2one(
        "res.users",
        required=True,
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(COUNSELLOR_GROUP).id)],
    )
    scheduled_at = fields.Datetime(required=True, tracking=True)
    duration = fields.Float(string="Duration (h)", default=1.0)
    mode = fields.Selection(
        [("in_person", "In Person"), ("phone", "Phone"), ("video", "Video")], required=True, default="in_person"
    )
    topic = fields.Char(required=True)
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Held"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        tracking=True,
    )
    notes = fields.Text(string="Session Notes", groups=COUNSELLOR_GROUP)
    follow_up_date = fields.Date()

    @api.constrains("duration")
    def _check_duration(self):
        for session in self:
            if not 0 < session.duration <= 8:
                raise UserError(self.env._("A session lasts more than 0 and at most 8 hours."))

    def action_done(self):
        for session in self:
            if session.state != "planned":
                raise UserError(self.env._("Only a planned session can be held."))
        self.write({"state": "done"})
        return True

    def action_cancel(self):
        for session in self:
            if session.state != "planned":
                raise UserError(self.env._("Only a planned session can be cancelled."))
        self.write({"state": "cancelled"})
        return True
