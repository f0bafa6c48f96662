from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

# Recall levels of the Chinese food and drug recall regulations (食品召回管理办法, 药品召回管理办法).
HAZARD_LEVELS = [
    ("1", "Level I: serious health hazard"),
    ("2", "Level II: possible health hazard"),
    ("3", "Level III: unlikely health hazard"),
]
# Working days to complete the recall once started (食品召回管理办法, article 13).
COMPLETION_WORKDAYS = {"1": 10, "2": 20, "3": 30}
STATES = [("draft", "Draft"), ("open", "In Progress"), ("closed", "Closed"), ("cancelled", "Cancelled")]


class CityTraceRecall(models.Model):
    """A recall of lots: every enterprise downstream of them is notified and confirms what it returned.

    Starting the recall follows the trace graph downstream from the recalled lots
    (:meth:`city.trace.edge._graph`), creates one notification line per enterprise reached with the
    lots it holds and the quantity it received, flags every reached lot as recalled (the public scan
    page shows the red banner) and notifies the enterprises. "Recompute" repeats this while the
    recall is open and adds what new records reach; it never removes a line.
    """

    _name = "city.trace.recall"
    _description = "Product Recall"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    title = fields.Char(required=True, tracking=True, help="e.g. 舒兰大米 5kg 批次 R1 镉超标召回")
    reason = fields.Text(required=True, tracking=True, help="Why the products are recalled (the defect found).")
    hazard_level = fields.Selection(HAZARD_LEVELS, required=True, tracking=True)
    lot_ids = fields.Many2many(
        "city.trace.lot",
        "city_trace_recall_lot_rel",
        "recall_id",
        "lot_id",
        string="Recalled Lots",
        required=True,
        tracking=True,
    )
    product_ids = fields.Many2many("city.trace.product", string="Products", compute="_compute_product_ids", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Responsible Enterprise",
        required=True,
        index=True,
        domain=[("trace_enterprise", "=", True)],
        tracking=True,
        help="The enterprise carrying out the recall (usually the producer of the lots).",
    )
    user_id = fields.Many2one(
        "res.users", string="Officer", default=lambda self: self.env.user, tracking=True, index=True
    )
    recall_notice = fields.Text(
        string="Public Notice", help="The recall notice published to consumers and sent to the enterprises."
    )
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True, index=True)
    date_start = fields.Datetime(string="Started", readonly=True, copy=False)
    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        readonly=False,
        tracking=True,
        help="Working days to complete the recall after it starts: 10 (level I), 20 (level II), 30 (level III).",
    )
    date_closed = fields.Datetime(string="Closed", readonly=True, copy=False)
    affected_lot_ids = fields.Many2many(
        "city.trace.lot",
        "city_trace_recall_affected_lot_rel",
        "recall_id",
        "lot_id",
        string="Reached Lots",
        readonly=True,
        copy=False,
        help="The recalled lots and every lot made from them, flagged as recalled while the recall counts.",
    )
    line_ids = fields.One2many("city.trace.recall.line", "recall_id", string="Enterprises Notified", copy=False)
    line_count = fields.Integer(string="Enterprises", compute="_compute_coverage", store=True)
    confirmed_count = fields.Integer(string="Confirmed", compute="_compute_coverage", store=True)
    confirmation_rate = fields.Float(
        string="Confirmation (%)", compute="_compute_coverage", store=True, aggregator="avg"
    )
    quantity_received = fields.Float(string="Quantity Reached", compute="_compute_coverage", store=True)
    quantity_returned = fields.Float(compute="_compute_coverage", store=True)
    return_rate = fields.Float(string="Returned (%)", compute="_compute_coverage", store=True, aggregator="avg")
    close_reason = fields.Text(
        string="Reason to Close Unconfirmed",
        copy=False,
        help="Needed to close the recall while some enterprises have not confirmed; logged in the chatter.",
    )
    cancel_reason = fields.Text(copy=False, tracking=True)
    credit_record_ids = fields.Many2many(
        "city.credit.record",
        "city_trace_recall_credit_rel",
        "recall_id",
        "record_id",
        string="Credit Records",
        readonly=True,
        copy=False,
    )
    credit_record_count = fields.Integer(compute="_compute_credit_record_count")

    _sql_constraints = [("name_unique", "unique(name)", "This recall reference already exists.")]

    @api.depends("lot_ids.product_id")
    def _compute_product_ids(self):
        for recall in self:
            recall.product_ids = recall.lot_ids.product_id

    @api.depends("hazard_level", "date_start")
    def _compute_deadline(self):
        Holiday = self.env["city.holiday"]
        for recall in self:
            if recall.date_start and recall.hazard_level:
                start = fields.Date.context_today(recall, recall.date_start)
                recall.deadline = Holiday.add_workdays(start, COMPLETION_WORKDAYS[recall.hazard_level])
            else:
                recall.deadline = recall.deadline

    @api.depends("line_ids.state", "line_ids.quantity_received", "line_ids.quantity_returned")
    def _compute_coverage(self):
        for recall in self:
            lines = recall.line_ids
            received = sum(lines.mapped("quantity_received"))
            returned = sum(lines.mapped("quantity_returned"))
            confirmed = len(lines.filtered(lambda line: line.state != "notified"))
            recall.line_count = len(lines)
            recall.confirmed_count = confirmed
            recall.confirmation_rate = 100.0 * confirmed / len(lines) if lines else 0.0
            recall.quantity_received = received
            recall.quantity_returned = returned
            recall.return_rate = float_round(100.0 * returned / received, 2) if received else 0.0

    def _compute_credit_record_count(self):
        for recall in self:
            recall.credit_record_count = len(recall.credit_record_ids)

    @api.onchange("lot_ids")
    def _onchange_lot_ids(self):
        if self.lot_ids and not self.partner_id:
            self.partner_id = self.lot_ids[:1].partner_id

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("city.trace.recall") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if "lot_ids" in vals and self.filtered(lambda recall: recall.state != "draft"):
            raise UserError(
                self.env._("The lots of a started recall cannot be changed: start a new recall for other lots.")
            )
        # the notice of the newest recall reaching a lot shows on its public page
        reached = self.sudo().affected_lot_ids
        result = super().write(vals)
        self.env["city.trace.scan"]._page_touch(lot_ids=(reached | self.sudo().affected_lot_ids).ids)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if self.filtered(lambda recall: recall.state != "draft"):
            raise UserError(self.env._("Only draft recalls can be deleted; cancel a started recall instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        """Start the recall: find every downstream enterprise, flag the lots, notify, plan the follow-up."""
        for recall in self:
            if recall.state != "draft":
                raise UserError(self.env._("Recall %(name)s has already been started.", name=recall.name))
            if not recall.lot_ids:
                raise UserError(self.env._("Choose the lots to recall."))
        for recall in self:
            recall.write({"state": "open", "date_start": fields.Datetime.now()})
            lines, _changed = recall._sync_lines()
            recall.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=recall.deadline or fields.Date.context_today(recall),
                summary=self.env._("Follow up the recall confirmations"),
                note=self.env._(
                    "%(count)s enterprises were notified of recall %(name)s; close it when all have confirmed.",
                    count=len(lines),
                    name=recall.name,
                ),
                user_id=(recall.user_id or self.env.user).id,
            )
            recall.message_post(
                body=self.env._(
                    "Recall started: %(enterprises)s enterprises notified, %(lots)s lots flagged as recalled.",
                    enterprises=len(lines),
                    lots=len(recall.affected_lot_ids),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_recompute(self):
        """Follow the trace graph again: notify enterprises reached by records captured since the start."""
        for recall in self:
            if recall.state != "open":
                raise UserError(self.env._("Only a recall in progress can be recomputed."))
            new_lines, changed = recall._sync_lines()
            if new_lines or changed:
                body = self.env._(
                    "Recall recomputed: %(new)s enterprises added, %(changed)s notifications updated.",
                    new=len(new_lines),
                    changed=len(changed),
                )
            else:
                body = self.env._("Recall recomputed: no new enterprise or quantity.")
            recall.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    def action_close(self):
        """Close the recall once every enterprise confirmed, or with a reason logged in the chatter."""
        for recall in self:
            if recall.state != "open":
                raise UserError(self.env._("Only a recall in progress can be closed."))
            pending = recall.line_ids.filtered(lambda line: line.state == "notified")
            reason = (recall.close_reason or "").strip()
            if pending and not reason:
                raise UserError(
                    self.env._(
                        "%(count)s enterprises have not confirmed recall %(name)s (%(names)s). Wait for them or "
                        "give the reason to close anyway.",
                        count=len(pending),
                        name=recall.name,
                        names=", ".join(pending.partner_id.mapped("name")),
                    )
                )
            recall.line_ids.write({"state": "closed"})
            recall.write({"state": "closed", "date_closed": fields.Datetime.now()})
            recall.activity_feedback(["mail.mail_activity_data_todo"], feedback=self.env._("Recall closed."))
            if pending:
                body = Markup("%s<br/>%s") % (
                    self.env._(
                        "Recall closed while %(count)s enterprises had not confirmed: %(names)s.",
                        count=len(pending),
                        names=", ".join(pending.partner_id.mapped("name")),
                    ),
                    self.env._("Reason: %(reason)s", reason=reason),
                )
            else:
                body = self.env._(
                    "Recall closed: every enterprise confirmed; %(returned)s of %(received)s returned.",
                    returned=recall.quantity_returned,
                    received=recall.quantity_received,
                )
            recall.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    def action_cancel(self):
        """Cancel a draft or started recall; lots no other recall holds are no longer flagged."""
        for recall in self:
            if recall.state not in ("draft", "open"):
                raise UserError(self.env._("Only a draft recall or a recall in progress can be cancelled."))
            if recall.state == "open" and not (recall.cancel_reason or "").strip():
                raise UserError(self.env._("Give the reason for cancelling recall %(name)s.", name=recall.name))
        started = self.filtered(lambda recall: recall.state == "open")
        self.write({"state": "cancelled"})
        lots = started.affected_lot_ids
        if lots:
            still = self.search(
                [("state", "in", ("open", "closed")), ("affected_lot_ids", "in", lots.ids)]
            ).affected_lot_ids
            (lots - still).sudo().filtered("recalled").write({"recalled": False})
        for recall in started:
            recall.activity_unlink(["mail.mail_activity_data_todo"])
            recall.line_ids._notify_cancel(recall.cancel_reason)
            recall.message_post(
                body=self.env._("Recall cancelled: %(reason)s", reason=recall.cancel_reason),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_report_credit(self):
        """Open the credit registry wizard (trace managers) for the responsible enterprise."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Report to the Credit Registry"),
            "res_model": "city.trace.credit",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recall_id": self.id},
        }

    def action_view_credit_records(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Records"),
            "res_model": "city.credit.record",
            "view_mode": "list,form",
            "domain": [("id", "in", self.credit_record_ids.ids)],
            "context": {"create": False},
        }

    def action_trace_graph(self):
        """The downstream trace graph of the first recalled lot."""
        self.ensure_one()
        return self.lot_ids[:1].action_trace_graph()

    # ------------------------------------------------------------------
    # Scope: who holds what
    # ------------------------------------------------------------------
    def _recall_scope(self):
        """Enterprises reached downstream of the recalled lots: ``{partner_id: {lot_id: quantity}}``.

        The quantity of a (lot, enterprise) node is what the enterprise received or made of the lot
        (shipments and their receipts counted once, see :meth:`city.trace.lot._trace_flows`); the
        producer of a lot that it did not make by a recorded transformation holds the lot's quantity.
        """
        self.ensure_one()
        graph = self.env["city.trace.edge"]._graph(self.lot_ids, "down")
        nodes = [tuple(node) for node in graph["nodes"]]
        Lot = self.env["city.trace.lot"]
        _pair_qty, received = Lot._trace_quantities(nodes)
        lots_sudo = Lot.sudo().browse({lot_id for lot_id, _partner in nodes})
        producers = {lot.id: (lot.partner_id.id, lot.quantity) for lot in lots_sudo}
        scope = defaultdict(dict)
        for lot_id, partner_id in nodes:
            quantity = received.get((lot_id, partner_id))
            if quantity is None:
                producer, lot_quantity = producers[lot_id]
                quantity = lot_quantity if partner_id == producer else 0.0
            scope[partner_id][lot_id] = quantity
        return scope

    @api.model
    def _quantity_detail(self, quantities):
        """A readable "product / lot: quantity unit" list of ``{lot_id: quantity}``."""
        units = dict(self.env["city.trace.product"]._fields["uom"]._description_selection(self.env))
        lots_sudo = self.env["city.trace.lot"].sudo().browse(quantities).sorted(lambda lot: lot.display_name)
        return "\n".join(
            f"{lot.display_name}: {quantities[lot.id]:,.10g} {units.get(lot.product_id.uom, '')}".rstrip()
            for lot in lots_sudo
        )

    def _sync_lines(self):
        """Create the lines of newly reached enterprises and complete the existing ones; never remove any.

        Returns ``(new_lines, changed_lines)``. A confirmed line whose enterprise now holds more (a
        delivery captured late) goes back to notified: the enterprise confirms the new quantities.
        """
        self.ensure_one()
        scope = self._recall_scope()
        Line = self.env["city.trace.recall.line"]
        existing = {line.partner_id.id: line for line in self.line_ids}
        new_vals, changed = [], Line
        for partner_id, quantities in sorted(scope.items()):
            received = sum(quantities.values())
            line = existing.get(partner_id)
            if not line:
                new_vals.append(
                    {
                        "recall_id": self.id,
                        "partner_id": partner_id,
                        "lot_ids": [Command.set(sorted(quantities))],
                        "quantity_received": received,
                        "quantity_detail": self._quantity_detail(quantities),
                    }
                )
                continue
            more_lots = set(quantities) - set(line.lot_ids.ids)
            more_quantity = float_compare(received, line.quantity_received, precision_digits=6) > 0
            if line.state == "closed" or not (more_lots or more_quantity):
                continue
            vals = {
                "lot_ids": [Command.link(lot_id) for lot_id in sorted(more_lots)],
                "quantity_received": max(received, line.quantity_received),
                "quantity_detail": self._quantity_detail(quantities),
            }
            if line.state == "confirmed":
                vals["state"] = "notified"
            line.write(vals)
            changed |= line
        new_lines = Line.create(new_vals)
        reached = self.env["city.trace.lot"].browse(
            sorted({lot_id for quantities in scope.values() for lot_id in quantities})
        )
        self.affected_lot_ids = [Command.link(lot.id) for lot in reached - self.affected_lot_ids]
        # The flag is the regulator's: enterprises cannot write lots they do not own, the recall can.
        reached.sudo().filtered(lambda lot: not lot.recalled).write({"recalled": True})
        new_lines._notify_recall()
        changed._notify_update()
        return new_lines, changed

    # ------------------------------------------------------------------
    # Public
    # ------------------------------------------------------------------
    @api.model
    def _public_recalls_for(self, lot):
        """Recalls in progress or closed that reached ``lot`` (sudo, for the public scan page)."""
        return self.sudo().search(
            [("state", "in", ("open", "closed")), ("affected_lot_ids", "in", lot.ids)], order="date_start desc"
        )

    @api.model
    def _public_notice_for(self, lot):
        """The public recall notice to show on the scan page of ``lot`` (newest recall reaching it), or False."""
        recall_sudo = self._public_recalls_for(lot)[:1]
        if not recall_sudo:
            return False
        return recall_sudo.recall_notice or f"{recall_sudo.title}: {recall_sudo.reason}"
