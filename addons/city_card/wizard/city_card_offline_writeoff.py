from odoo import api, fields, models


class CityCardOfflineWriteoff(models.TransientModel):
    """Write off offline records of the exception queue: the loss is accepted, with a reason."""

    _name = "city.card.offline.writeoff"
    _description = "Write Off Offline Records"

    record_ids = fields.Many2many("city.card.offline.record", string="Offline Records", required=True)
    record_count = fields.Integer(compute="_compute_totals")
    amount_yuan = fields.Float(string="Amount (CNY)", compute="_compute_totals", digits=(16, 2))
    reason = fields.Text(required=True)

    @api.depends("record_ids")
    def _compute_totals(self):
        for wizard in self:
            open_records = wizard.record_ids.filtered(lambda record: record.state == "exception")
            wizard.record_count = len(open_records)
            wizard.amount_yuan = sum(open_records.mapped("amount")) / 100

    def action_confirm(self):
        self.ensure_one()
        self.record_ids._write_off(self.reason)
        return {"type": "ir.actions.act_window_close"}
