from odoo import fields, models


class CityTradingAmendment(models.Model):
    """An amendment (变更公告) to a published notice, public to all."""

    _name = "city.trading.amendment"
    _description = "Notice Amendment"
    _order = "procedure_id, published_at desc, id desc"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    name = fields.Char("Title", required=True)
    body = fields.Html(sanitize=True)
    published_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published")], default="draft", required=True, readonly=True
    )
