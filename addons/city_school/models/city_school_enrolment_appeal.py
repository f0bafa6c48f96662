from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CitySchoolEnrolmentAppeal(models.Model):
    """A parent's appeal (申诉) against an enrolment result, decided by the education bureau."""

    _name = "city.school.enrolment.appeal"
    _description = "Enrolment Appeal"
    _inherit = ["mail.thread"]
    _order = "id desc"

    application_id = fields.Many2one("city.school.application", required=True, index=True, ondelete="cascade")
    campaign_id = fields.Many2one(related="application_id.campaign_id", store=True)
    parent_partner_id = fields.Many2one(related="application_id.parent_partner_id", store=True, string="Parent")
    reason = fields.Text(required=True)
    state = fields.Selection(
        [
            ("submitted", "Submitted"),
            ("under_review", "Under Review"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        default="submitted",
        required=True,
        tracking=True,
    )
    decision = fields.Text(tracking=True)
    allocate_school_id = fields.Many2one(
        "city.school",
        string="Allocate To",
        ondelete="restrict",
        help="When the appeal is accepted, the child gets a place at this school.",
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        appeals = super().create(vals_list)
        for appeal in appeals:
            app = appeal.application_id
            if app.appeal_ids.filtered(
                lambda a, appeal=appeal: a != appeal and a.state in ("submitted", "under_review")
            ):
                raise UserError(self.env._("This application already has an open appeal."))
            previous = app.state
            app._set_state("appealed", state_before_appeal=previous)
        return appeals

    def _check_bureau(self):
        if not self.env.user.has_group("city_school.group_city_school_bureau"):
            raise AccessError(self.env._("Only the education bureau decides appeals."))

    def _check_state(self, allowed):
        if any(appeal.state not in allowed for appeal in self):
            raise UserError(self.env._("The appeal cannot do this in its current state."))

    def action_start_review(self):
        self._check_bureau()
        self._check_state(("submitted",))
        self.state = "under_review"

    def action_accept(self):
        self._check_bureau()
        self._check_state(("submitted", "under_review"))
        for appeal in self:
            if not appeal.decision:
                raise UserError(self.env._("Write the decision for the parent."))
            app = appeal.application_id
            if appeal.allocate_school_id:
                app.with_context(city_school_appeal=True).action_allocate(appeal.allocate_school_id)
            else:
                app._set_state(app.state_before_appeal)
            appeal.write({"state": "accepted", "decided_by_id": self.env.uid, "decided_on": fields.Datetime.now()})

    def action_reject(self):
        self._check_bureau()
        self._check_state(("submitted", "under_review"))
        for appeal in self:
            if not appeal.decision:
                raise UserError(self.env._("Write the reason of the rejection for the parent."))
            app = appeal.application_id
            app._set_state(app.state_before_appeal)
            appeal.write({"state": "rejected", "decided_by_id": self.env.uid, "decided_on": fields.Datetime.now()})
