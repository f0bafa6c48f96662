from odoo import fields, models
from odoo.exceptions import UserError


class CityCareVisit(models.Model):
    _inherit = "city.care.visit"

    request_id = fields.Many2one(
        "city.request",
        string="Community Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The community service request opened from the findings of this visit.",
    )

    def _check_can_open_request(self):
        """Only a recorded visit opens a request, and only one."""
        for visit in self:
            if visit.state != "done":
                raise UserError(self.env._("Record the visit first: only a done visit can open a community request."))
            if visit.request_id:
                raise UserError(
                    self.env._(
                        "This visit already opened community request %(ref)s.",
                        # the care worker may have no community role: the reference alone is no leak
                        ref=visit.request_id.sudo().name,
                    )
                )

    def action_open_request_wizard(self):
        self.ensure_one()
        self._check_can_open_request()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.care.visit.request.wizard",
            "name": self.env._("Open Community Request"),
            "view_mode": "form",
            "target": "new",
            "context": {"default_visit_id": self.id},
        }

    def action_view_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.request",
            "name": self.env._("Community Request"),
            "view_mode": "form",
            "res_id": self.request_id.id,
        }
