from odoo import fields, models
from odoo.exceptions import UserError

from .city_trading_procedure import BIDDING_STATES


class CityTradingAmendment(models.Model):
    """An amendment (变更公告) to a published notice, public to all.

    Bids submitted before it must be reconfirmed by their bidders before the deadline, otherwise
    they do not count at the opening.
    """

    _name = "city.trading.amendment"
    _description = "Notice Amendment"
    _order = "procedure_id, published_at desc, id desc"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    name = fields.Char("Title", required=True)
    body = fields.Html(sanitize=True, required=True)
    published_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published")], default="draft", required=True, readonly=True
    )
    reconfirm_count = fields.Integer("Bids to Reconfirm", readonly=True)

    def write(self, vals):
        if {"name", "body", "procedure_id"} & set(vals) and any(a.state == "published" for a in self):
            raise UserError(self.env._("A published amendment cannot be changed."))
        return super().write(vals)

    def action_publish(self):
        self.check_access("write")
        now = fields.Datetime.now()
        for amendment in self:
            procedure = amendment.procedure_id
            if amendment.state != "draft":
                raise UserError(self.env._("This amendment is already published."))
            if procedure.state not in BIDDING_STATES or now >= procedure.bid_deadline:
                raise UserError(self.env._("A notice is amended only while bids are accepted."))
            bids_sudo = (
                self.env["city.trading.bid"]
                .sudo()
                .search([("procedure_id", "=", procedure.id), ("state", "=", "submitted")])
            )
            bids_sudo.write({"reconfirm_required": True, "reconfirmed_at": False})
            super(CityTradingAmendment, amendment).write(
                {"state": "published", "published_at": now, "reconfirm_count": len(bids_sudo)}
            )
            procedure.message_post(body=self.env._("Amendment published: %(title)s", title=amendment.name))
            procedure._audit(
                "amend",
                {"amendment": amendment.id, "title": amendment.name, "reconfirm": bids_sudo.mapped("reference")},
            )
        return True
