from odoo import fields, models


class CityTradingSuspendWizard(models.TransientModel):
    _name = "city.trading.suspend.wizard"
    _description = "Suspend a Trading Procedure"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.procedure_id._suspend(self.reason)
        return {"type": "ir.actions.act_window_close"}
