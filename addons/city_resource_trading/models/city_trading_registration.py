from odoo import fields, models


class CityTradingRegistration(models.Model):
    """An organisation registered for a procedure (报名): it may download, ask and bid."""

    _name = "city.trading.registration"
    _description = "Bidder Registration"
    _order = "procedure_id, registered_at, id"
    _rec_name = "partner_id"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Organisation", required=True, ondelete="restrict", index=True)
    user_id = fields.Many2one("res.users", string="Registered by", ondelete="set null")
    registered_at = fields.Datetime(required=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("procedure_partner_unique", "unique(procedure_id, partner_id)", "An organisation registers once."),
    ]
