from odoo import fields, models


class CityTradingDownload(models.Model):
    """One download of a tender document: who, for which organisation, when, from where."""

    _name = "city.trading.download"
    _description = "Tender Document Download"
    _order = "downloaded_at desc, id desc"
    _rec_name = "document_id"

    document_id = fields.Many2one("city.trading.document", required=True, ondelete="cascade", index=True)
    procedure_id = fields.Many2one(related="document_id.procedure_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Organisation", ondelete="restrict")
    user_id = fields.Many2one("res.users", ondelete="restrict")
    ip = fields.Char("IP Address")
    downloaded_at = fields.Datetime(required=True, default=fields.Datetime.now)
