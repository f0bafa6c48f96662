from odoo import api, fields, models


class CityRequestDispatchWizard(models.TransientModel):
    """Dispatch (交办) an accepted request, or re-dispatch (改派) a sent-back one."""

    _name = "city.request.dispatch.wizard"
    _description = "Dispatch Request"

    request_ids = fields.Many2many("city.request", required=True)
    mode = fields.Selection([("dispatch", "Dispatch"), ("reassign", "Re-dispatch")], default="dispatch", required=True)
    department_id = fields.Many2one("city.department", string="Lead Department", required=True)
    assist_department_ids = fields.Many2many("city.department", string="Assisting Departments")
    suggestion = fields.Char(compute="_compute_suggestion")

    @api.depends("request_ids")
    def _compute_suggestion(self):
        for wizard in self:
            request = wizard.request_ids[:1]
            rule = self.env["city.dispatch.rule"]._find(request.item_id, request.division_id) if request else False
            wizard.suggestion = rule.name if rule else False

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "reassign":
            self.request_ids.action_approve_return(self.department_id, self.assist_department_ids)
        else:
            self.request_ids.action_dispatch(self.department_id, self.assist_department_ids)
        return {"type": "ir.actions.act_window_close"}
