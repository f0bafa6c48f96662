from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1


class CityTraceLogisticUnit(models.Model):
    """A pallet, case or container identified by its SSCC (00); units nest in each other."""

    _name = "city.trace.logistic.unit"
    _description = "Logistic Unit"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "sscc"
    _order = "sscc"

    sscc = fields.Char(string="SSCC", required=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Packed by", required=True, index=True, domain=[("trace_enterprise", "=", True)]
    )
    parent_id = fields.Many2one("city.trace.logistic.unit", string="Packed in", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("city.trace.logistic.unit", "parent_id", string="Contains Units")
    lot_ids = fields.Many2many("city.trace.lot", string="Contains Lots")
    serial_ids = fields.Many2many("city.trace.serial", string="Contains Items")

    _sql_constraints = [("sscc_unique", "unique(sscc)", "An SSCC identifies one logistic unit.")]

    @api.constrains("sscc")
    def _check_sscc(self):
        for unit in self:
            if not gs1.is_valid_sscc(unit.sscc or ""):
                raise ValidationError(
                    self.env._("%(sscc)s is not a valid SSCC (18 digits with the GS1 check digit).", sscc=unit.sscc)
                )

    @api.constrains("parent_id")
    def _check_parent(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A logistic unit cannot be packed inside itself."))
