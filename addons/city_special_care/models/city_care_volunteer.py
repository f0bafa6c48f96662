from odoo import api, fields, models


class CityCareVolunteer(models.Model):
    """A volunteer of the care service, with the hours credited for life-help tasks."""

    _name = "city.care.volunteer"
    _description = "Care Volunteer"
    _inherit = ["mail.thread"]
    _order = "name"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="restrict")
    name = fields.Char(related="partner_id.name", store=True)
    phone = fields.Char(related="partner_id.mobile", string="Mobile")
    division_id = fields.Many2one("city.division", string="Serves", index=True, required=True)
    skills = fields.Char()
    hour_ids = fields.One2many("city.care.volunteer.hour", "volunteer_id", string="Credited Hours")
    total_hours = fields.Float(compute="_compute_total_hours", store=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("partner_unique", "unique(partner_id)", "This person is already a volunteer.")]

    @api.depends("hour_ids.hours")
    def _compute_total_hours(self):
        for volunteer in self:
            volunteer.total_hours = sum(volunteer.hour_ids.mapped("hours"))
