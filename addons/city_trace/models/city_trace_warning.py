from odoo import api, fields, models
from odoo.exceptions import UserError

from .city_trace_product import CATEGORIES

RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
STATES = [("draft", "Draft"), ("published", "Published"), ("withdrawn", "Withdrawn")]


class CityTraceWarning(models.Model):
    """A quality warning (质量安全预警 / 消费提示) published by the regulator.

    A warning may name products and lots; one naming neither is advice for its whole category.
    Published warnings are public: the scan page of a lot shows those concerning it
    (:meth:`_public_warnings_for`).
    """

    _name = "city.trace.warning"
    _description = "Quality Warning"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "published_date desc, id desc"
    _rec_name = "title"

    title = fields.Char(required=True, tracking=True)
    category = fields.Selection(CATEGORIES, required=True, tracking=True)
    product_ids = fields.Many2many(
        "city.trace.product",
        "city_trace_warning_product_rel",
        "warning_id",
        "product_id",
        string="Products",
        help="Leave empty for a warning about the whole category.",
    )
    lot_ids = fields.Many2many("city.trace.lot", "city_trace_warning_lot_rel", "warning_id", "lot_id", string="Lots")
    risk_level = fields.Selection(RISK_LEVELS, required=True, default="medium", tracking=True)
    description = fields.Html(required=True, sanitize_style=True)
    advice = fields.Text(string="Advice to Consumers", tracking=True)
    published_date = fields.Date(readonly=True, copy=False, tracking=True)
    withdrawn_date = fields.Date(readonly=True, copy=False)
    withdraw_reason = fields.Text(copy=False, tracking=True)
    user_id = fields.Many2one("res.users", string="Officer", default=lambda self: self.env.user, tracking=True)
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True, index=True)

    @api.onchange("lot_ids")
    def _onchange_lot_ids(self):
        if self.lot_ids:
            self.product_ids |= self.lot_ids.product_id
            if not self.category:
                self.category = self.lot_ids[:1].category

    def write(self, vals):
        locked = set(vals) - {"withdraw_reason", "state", "withdrawn_date", "user_id", "message_main_attachment_id"}
        if locked and self.filtered(lambda warning: warning.state == "withdrawn"):
            raise UserError(self.env._("A withdrawn warning cannot be changed; write a new one."))
        if self.filtered(lambda warning: warning.state != "draft") or vals.get("state") in ("published", "withdrawn"):
            # published warnings show on the public scan pages: outdate the kept pages
            self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_published(self):
        if self.filtered(lambda warning: warning.state != "draft"):
            raise UserError(self.env._("A published warning cannot be deleted; withdraw it."))

    def action_publish(self):
        for warning in self:
            if warning.state != "draft":
                raise UserError(self.env._("Only draft warnings can be published."))
        self.write({"state": "published", "published_date": fields.Date.context_today(self)})
        return True

    def action_withdraw(self):
        for warning in self:
            if warning.state != "published":
                raise UserError(self.env._("Only published warnings can be withdrawn."))
            if not (warning.withdraw_reason or "").strip():
                raise UserError(self.env._("Give the reason for withdrawing %(title)s.", title=warning.title))
        self.write({"state": "withdrawn", "withdrawn_date": fields.Date.context_today(self)})
        return True

    @api.model
    def _public_domain(self):
        return [("state", "=", "published")]

    @api.model
    def _public_warnings_for(self, lot, limit=5):
        """Published warnings concerning ``lot``, newest first (sudo records: warnings are public).

        A warning concerns the lot when it names the lot, names the lot's product, or names neither
        products nor lots and is about the lot's category.
        """
        if not lot:
            return self.sudo().browse()
        lot_sudo = lot.sudo()
        domain = [
            *self._public_domain(),
            "|",
            "|",
            ("lot_ids", "in", lot_sudo.ids),
            ("product_ids", "in", lot_sudo.product_id.ids),
            "&",
            "&",
            ("category", "=", lot_sudo.category),
            ("product_ids", "=", False),
            ("lot_ids", "=", False),
        ]
        return self.sudo().search(domain, limit=limit)
