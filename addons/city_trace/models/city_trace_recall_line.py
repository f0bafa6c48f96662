from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

LINE_STATES = [("notified", "Notified"), ("confirmed", "Confirmed"), ("closed", "Closed")]


class CityTraceRecallLine(models.Model):
    """One enterprise reached by a recall: what it holds, whether it confirmed, what it returned.

    Lines are created and completed by :meth:`city.trace.recall._sync_lines` from the trace graph.
    The enterprise confirms in the portal (``/my/recalls/<id>``) through :meth:`_portal_confirm`;
    an officer may record a confirmation received by phone or letter with the same method.
    """

    _name = "city.trace.recall.line"
    _description = "Recall Notification"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "recall_id desc, state desc, partner_id"
    _rec_name = "recall_id"

    recall_id = fields.Many2one("city.trace.recall", required=True, index=True, ondelete="cascade", readonly=True)
    recall_state = fields.Selection(related="recall_id.state", string="Recall Status")
    hazard_level = fields.Selection(related="recall_id.hazard_level")
    partner_id = fields.Many2one(
        "res.partner", string="Enterprise", required=True, index=True, ondelete="restrict", readonly=True
    )
    lot_ids = fields.Many2many(
        "city.trace.lot",
        "city_trace_recall_line_lot_rel",
        "line_id",
        "lot_id",
        string="Lots Held",
        readonly=True,
    )
    quantity_received = fields.Float(
        readonly=True, help="What the enterprise received or made of the recalled lots, from the trace records."
    )
    quantity_detail = fields.Text(string="Quantities per Lot", readonly=True)
    quantity_returned = fields.Float(tracking=True, help="What the enterprise reports as returned or withdrawn.")
    state = fields.Selection(LINE_STATES, default="notified", required=True, readonly=True, tracking=True)
    notified_date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    confirmed_date = fields.Datetime(readonly=True, tracking=True)
    confirmed_by_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    note = fields.Text(
        help="What the enterprise says about the withdrawal: stock taken off shelves, returned, destroyed."
    )

    _sql_constraints = [
        ("recall_partner_unique", "unique(recall_id, partner_id)", "An enterprise is notified once per recall."),
        ("quantity_returned_positive", "CHECK(quantity_returned >= 0)", "A returned quantity cannot be negative."),
    ]

    @api.depends("recall_id.name", "partner_id.name")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.recall_id.name} · {line.partner_id.name or ''}"

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for line in self:
            line.access_url = f"/my/recalls/{line.id}"
        return result

    @api.constrains("quantity_returned", "quantity_received")
    def _check_quantity_returned(self):
        for line in self:
            if float_compare(line.quantity_returned, line.quantity_received, precision_digits=6) > 0:
                raise ValidationError(
                    self.env._(
                        "%(enterprise)s cannot return %(returned)s: it received %(received)s of the recalled lots.",
                        enterprise=line.partner_id.name,
                        returned=line.quantity_returned,
                        received=line.quantity_received,
                    )
                )

    def write(self, vals):
        if "quantity_returned" in vals or "note" in vals:
            for line in self:
                if line.state == "closed" or line.recall_id.state != "open":
                    raise UserError(
                        self.env._(
                            "The notification of %(enterprise)s is closed: it cannot be changed.",
                            enterprise=line.partner_id.name,
                        )
                    )
        return super().write(vals)

    def _portal_confirm(self, quantity_returned, note=None):
        """The enterprise confirms it received the notice and reports what it returned.

        Called by the portal controller (on a sudo record, after checking that the user belongs to
        the line's enterprise) and by officers recording a confirmation received otherwise. A
        confirmation can be updated while the recall is open, never after.
        """
        self.ensure_one()
        if self.recall_id.state != "open" or self.state == "closed":
            raise UserError(self.env._("This recall is no longer open: the confirmation cannot be changed."))
        if quantity_returned is None or quantity_returned < 0:
            raise ValidationError(self.env._("Give the returned quantity (0 or more)."))
        first = self.state == "notified"
        self.write(
            {
                "quantity_returned": quantity_returned,
                "note": note or self.note,
                "state": "confirmed",
                "confirmed_date": fields.Datetime.now(),
                "confirmed_by_id": self.env.uid,
            }
        )
        body = (
            self.env._(
                "%(enterprise)s confirmed the recall notice and reports %(returned)s of %(received)s returned.",
                enterprise=self.partner_id.name,
                returned=self.quantity_returned,
                received=self.quantity_received,
            )
            if first
            else self.env._(
                "%(enterprise)s updated the returned quantity: %(returned)s of %(received)s.",
                enterprise=self.partner_id.name,
                returned=self.quantity_returned,
                received=self.quantity_received,
            )
        )
        author = self.env.user.partner_id
        self.message_post(body=body, author_id=author.id, message_type="comment", subtype_xmlid="mail.mt_comment")
        self.recall_id.message_post(body=body, author_id=author.id, subtype_xmlid="mail.mt_note")
        return True

    def action_confirm_backend(self):
        """Officer: record the enterprise's confirmation with the returned quantity typed on the line."""
        for line in self:
            line._portal_confirm(line.quantity_returned, line.note)
        return True

    # ------------------------------------------------------------------
    # Notifications
    # ------------------------------------------------------------------
    def _recall_recipients(self):
        """``{line: partners}``: the enterprise and the portal users of the enterprise."""
        users_sudo = (
            self.env["res.users"]
            .sudo()
            .search([("share", "=", True), ("partner_id.commercial_partner_id", "in", self.partner_id.ids)])
        )
        return {
            line: line.partner_id
            | users_sudo.filtered(
                lambda user, line=line: user.partner_id.commercial_partner_id == line.partner_id
            ).partner_id
            for line in self
        }

    def _notify_recall(self):
        """Send the recall notice to each enterprise (mail template ``mail_template_recall_notice``)."""
        template = self.env.ref("city_trace.mail_template_recall_notice", raise_if_not_found=False)
        for line, partners in self._recall_recipients().items():
            line.message_subscribe(partner_ids=partners.ids)
            if template:
                line.message_post_with_source(
                    template, partner_ids=partners.ids, message_type="comment", subtype_xmlid="mail.mt_comment"
                )
            else:
                line.message_post(
                    body=line._notice_body(),
                    partner_ids=partners.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )

    def _notice_body(self):
        self.ensure_one()
        return self.env._(
            "Recall %(name)s: %(title)s. Your enterprise holds %(lots)s (%(quantity)s received). Stop selling "
            "them, withdraw them and confirm the returned quantity in the portal.",
            name=self.recall_id.name,
            title=self.recall_id.title,
            lots=", ".join(self.lot_ids.sudo().mapped("display_name")),
            quantity=self.quantity_received,
        )

    def _notify_update(self):
        """Tell enterprises that newly captured records put more of the recalled lots in their hands."""
        for line, partners in self._recall_recipients().items():
            line.message_subscribe(partner_ids=partners.ids)
            line.message_post(
                body=self.env._(
                    "Recall %(name)s was recomputed from new trace records: your enterprise holds %(lots)s "
                    "(%(quantity)s received). Please confirm the returned quantity again.",
                    name=line.recall_id.name,
                    lots=", ".join(line.lot_ids.sudo().mapped("display_name")),
                    quantity=line.quantity_received,
                ),
                partner_ids=partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _notify_cancel(self, reason):
        for line in self:
            line.message_post(
                body=self.env._(
                    "Recall %(name)s has been cancelled: %(reason)s", name=line.recall_id.name, reason=reason or ""
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
