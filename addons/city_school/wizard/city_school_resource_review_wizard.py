from odoo import fields, models


class CitySchoolResourceReviewWizard(models.TransientModel):
    """Approve or reject a library resource at the level it is waiting for, with a reason."""

    _name = "city.school.resource.review.wizard"
    _description = "Review a Library Resource"

    slide_id = fields.Many2one("slide.slide", string="Resource", required=True, ondelete="cascade")
    library_state = fields.Selection(related="slide_id.library_state")
    reason = fields.Text()

    def action_approve(self):
        self.ensure_one()
        self.slide_id.action_library_approve(self.reason)
        return {"type": "ir.actions.act_window_close"}

    def action_reject(self):
        self.ensure_one()
        self.slide_id.action_library_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
