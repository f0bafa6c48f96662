from odoo import api, fields, models
from odoo.exceptions import UserError

ROLES = [
    ("epc", "Object"),
    ("input", "Input"),
    ("output", "Output"),
    ("parent", "Parent Unit"),
    ("child", "Packed Content"),
]


class CityTraceEventLine(models.Model):
    """One object an event names: a lot with its quantity, a serial item or a logistic unit (SSCC)."""

    _name = "city.trace.event.line"
    _description = "Trace Event Object"
    _order = "event_id, id"
    _log_access = False

    event_id = fields.Many2one("city.trace.event", required=True, readonly=True, index=True, ondelete="cascade")
    role = fields.Selection(ROLES, required=True, readonly=True)
    lot_id = fields.Many2one("city.trace.lot", readonly=True, index="btree_not_null", ondelete="restrict")
    serial_id = fields.Many2one("city.trace.serial", readonly=True, index="btree_not_null", ondelete="restrict")
    unit_id = fields.Many2one(
        "city.trace.logistic.unit", string="Logistic Unit", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    quantity = fields.Float(readonly=True)
    uom = fields.Selection(related="lot_id.uom", string="Unit")
    partner_id = fields.Many2one(related="event_id.partner_id", string="Enterprise")
    event_time = fields.Datetime(related="event_id.event_time")
    biz_step = fields.Selection(related="event_id.biz_step")

    def init(self):
        # The objects of a set of events without touching the table (portal lists, graph indexing).
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_event_line_event_lot_idx "
            "ON city_trace_event_line (event_id) INCLUDE (lot_id)"
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_trace_capture"):
            raise UserError(self.env._("Trace events are recorded through capture (portal, import or API) only."))
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(
                self.env._("Trace events cannot be changed; declare an error and capture the corrective event.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Trace events cannot be deleted; declare an error instead."))
