from odoo import fields, models


class CitySchoolAllocate(models.TransientModel):
    _name = "city.school.allocate"
    _description = "Allocate a School to a Waitlisted Child"

    application_id = fields.Many2one(
        "city.school.application", required=True, default=lambda self: self.env.context.get("active_id")
    )
    stage = fields.Selection(related="application_id.stage")
    school_id = fields.Many2one("city.school", required=True, domain="[('stage', '=', stage)]")

    def action_allocate(self):
        self.application_id.action_allocate(self.school_id)
        return {"type": "ir.actions.act_window_close"}
