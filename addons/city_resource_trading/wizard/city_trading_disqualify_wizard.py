from odoo import api, fields, models


class CityTradingDisqualifyWizard(models.TransientModel):
    """The committee's officer disqualifies a bid during the evaluation (non-compliant offer), with
    the reason; the bid leaves the ranking and the evaluation is ranked again."""

    _name = "city.trading.disqualify.wizard"
    _description = "Disqualify a Bid"

    evaluation_id = fields.Many2one("city.trading.evaluation", required=True, ondelete="cascade")
    procedure_id = fields.Many2one(related="evaluation_id.procedure_id")
    # the valid bids of the procedure (VALID_BID_STATES of the evaluation)
    bid_id = fields.Many2one(
        "city.trading.bid",
        required=True,
        ondelete="cascade",
        domain="[('procedure_id', '=', procedure_id), ('state', 'in', ('opened', 'valid'))]",
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if values.get("evaluation_id"):
            # refused here rather than on confirmation: the officer sees at once he may not
            self.env["city.trading.evaluation"].browse(values["evaluation_id"])._check_officer()
        return values

    def action_confirm(self):
        self.ensure_one()
        self.evaluation_id.disqualify_bid(self.bid_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
