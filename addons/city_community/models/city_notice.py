from odoo import api, fields, models
from odoo.exceptions import UserError


class CityNotice(models.Model):
    """A notice (公告) to the residents of a division and everything under it."""

    _name = "city.notice"
    _description = "Community Notice"
    _inherit = ["mail.thread"]
    _order = "publish_date desc, id desc"

    name = fields.Char(string="Title", required=True, tracking=True)
    body = fields.Html(required=True, sanitize=True)
    division_id = fields.Many2one(
        "city.division", required=True, index=True, tracking=True, help="Residents at or under it see the notice."
    )
    division_path = fields.Char(related="division_id.parent_path", store=True, index=True)
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published"), ("archived", "Withdrawn")],
        default="draft",
        required=True,
        tracking=True,
    )
    publish_date = fields.Datetime(readonly=True, copy=False)
    expiry_date = fields.Date(help="The notice leaves the portal after this day.")
    pinned = fields.Boolean()
    read_partner_ids = fields.Many2many(
        "res.partner", "city_notice_read_rel", "notice_id", "partner_id", string="Read by", copy=False
    )
    read_count = fields.Integer(compute="_compute_read_count")

    def _compute_read_count(self):
        for notice in self:
            notice.read_count = len(notice.read_partner_ids)

    def action_publish(self):
        if any(notice.state == "published" for notice in self):
            raise UserError(self.env._("The notice is already published."))
        self.write({"state": "published", "publish_date": fields.Datetime.now()})
        return True

    def action_withdraw(self):
        if any(notice.state != "published" for notice in self):
            raise UserError(self.env._("Only a published notice can be withdrawn."))
        self.write({"state": "archived"})
        return True

    @api.model
    def _portal_domain(self, partner):
        """Published, unexpired notices of the partner's division or any division above it."""
        division = partner.sudo().city_division_id
        ancestors = [int(part) for part in (division.parent_path or "").split("/") if part]
        today = fields.Date.context_today(self)
        return [
            ("state", "=", "published"),
            ("division_id", "in", ancestors),
            "|",
            ("expiry_date", "=", False),
            ("expiry_date", ">=", today),
        ]

    def _mark_read(self, partner):
        unread = self.filtered(lambda notice: partner not in notice.read_partner_ids)
        if unread:
            unread.sudo().write({"read_partner_ids": [fields.Command.link(partner.id)]})
