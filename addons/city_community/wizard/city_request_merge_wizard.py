from odoo import api, fields, models


class CityRequestMergeWizard(models.TransientModel):
    """并单: merge duplicates into one request that keeps everybody informed."""

    _name = "city.request.merge.wizard"
    _description = "Merge Duplicate Requests"

    request_id = fields.Many2one("city.request", string="Keep", required=True)
    duplicate_ids = fields.Many2many("city.request", string="Merge into it")
    candidate_ids = fields.Many2many(
        "city.request", "city_request_merge_wizard_candidate_rel", compute="_compute_candidate_ids"
    )

    @api.depends("request_id")
    def _compute_candidate_ids(self):
        for wizard in self:
            wizard.candidate_ids = wizard.request_id._find_duplicates() if wizard.request_id else False

    def action_confirm(self):
        self.ensure_one()
        self.duplicate_ids.action_merge_into(self.request_id)
        return {"type": "ir.actions.act_window_close"}
