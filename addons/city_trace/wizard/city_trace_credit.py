from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

CREDIT_KINDS = [("blacklist", "Blacklist (dishonest)"), ("warning", "Warning")]


class CityTraceCredit(models.TransientModel):
    """Write the responsible enterprise of a recall to the city's credit registry (``city.credit.record``)."""

    _name = "city.trace.credit"
    _description = "Report to the Credit Registry"

    recall_id = fields.Many2one("city.trace.recall", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        string="Responsible Enterprise",
        required=True,
        compute="_compute_partner_id",
        store=True,
        precompute=True,
        readonly=False,
    )
    kind = fields.Selection(CREDIT_KINDS, required=True, default="warning")
    reason = fields.Text(required=True, compute="_compute_reason", store=True, precompute=True, readonly=False)
    valid_from = fields.Date(required=True, default=fields.Date.context_today)
    valid_to = fields.Date(help="Leave empty for a record without end date.")

    @api.depends("recall_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.recall_id.partner_id

    @api.depends("recall_id")
    def _compute_reason(self):
        levels = dict(self.env["city.trace.recall"]._fields["hazard_level"]._description_selection(self.env))
        for wizard in self:
            recall = wizard.recall_id
            if not recall:
                wizard.reason = False
                continue
            wizard.reason = self.env._(
                "Product recall %(name)s (%(level)s): %(title)s. Lots: %(lots)s. Reason: %(reason)s",
                name=recall.name,
                level=levels.get(recall.hazard_level, ""),
                title=recall.title,
                lots=", ".join(recall.lot_ids.mapped("display_name")),
                reason=recall.reason,
            )

    @api.model
    def _credit_source(self):
        return self.env._("Important Product Traceability Platform")

    def action_confirm(self):
        """Create the credit record (trace managers only) and log it in the recall's chatter."""
        self.ensure_one()
        if not self.env.user.has_group("city_trace.group_city_trace_manager"):
            raise AccessError(self.env._("Only traceability managers report enterprises to the credit registry."))
        recall = self.recall_id
        recall.check_access("write")
        if recall.state not in ("open", "closed"):
            raise UserError(self.env._("Only a started or closed recall can be reported to the credit registry."))
        if self.valid_to and self.valid_to < self.valid_from:
            raise UserError(self.env._("A credit record cannot end before it starts."))
        # Trace managers are not credit-registry managers: the record is created on their behalf.
        record_sudo = (
            self.env["city.credit.record"]
            .sudo()
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "kind": self.kind,
                    "source": self._credit_source(),
                    "reason": self.reason,
                    "valid_from": self.valid_from,
                    "valid_to": self.valid_to,
                }
            )
        )
        recall.credit_record_ids = [fields.Command.link(record_sudo.id)]
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        recall.message_post(
            body=self.env._(
                "%(enterprise)s reported to the credit registry: %(kind)s record %(record)s.",
                enterprise=self.partner_id.name,
                kind=kinds[self.kind],
                record=record_sudo.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.credit.record",
            "res_id": record_sudo.id,
            "view_mode": "form",
        }
