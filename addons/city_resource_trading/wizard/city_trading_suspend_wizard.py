from odoo import fields, models


class CityTradingSuspendWizard(models.TransientModel):
    """Halts a procedure: suspends it (暂停, resumed later) or terminates it (终止), with the reason."""

    _name = "city.trading.suspend.wizard"
    _description = "Suspend or Terminate a Trading Procedure"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade")
    mode = fields.Selection([("suspend", "Suspend"), ("cancel", "Terminate")], required=True, default="suspend")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "cancel":
            self.procedure_id._cancel(self.reason)
        else:
            self.procedure_id._suspend(self.reason)
        return {"type": "ir.actions.act_window_close"}
