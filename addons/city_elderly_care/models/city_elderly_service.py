from odoo import fields, models


class CityElderlyService(models.Model):
    """An entry of the elderly-care service catalogue (housekeeping, bathing, meals, ...)."""

    _name = "city.elderly.service"
    _description = "Elderly Care Service"
    _order = "sequence, code, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True, copy=False)
    category = fields.Selection(
        [
            ("housekeeping", "Housekeeping"),
            ("bathing", "Bathing Assistance"),
            ("meal", "Meals"),
            ("medical", "Medical Check"),
            ("escort", "Escort"),
            ("rehab", "Rehabilitation"),
            ("leisure", "Leisure Activities"),
        ],
        required=True,
        index=True,
    )
    unit = fields.Selection([("visit", "Visit"), ("hour", "Hour"), ("meal", "Meal")], required=True, default="visit")
    duration_minutes = fields.Integer(
        string="Duration (minutes)", help="Expected duration of one unit; check-outs shorter than this are flagged."
    )
    description = fields.Text(translate=True)
    price_ids = fields.One2many("city.elderly.price", "service_id", string="Prices")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "The service code must be unique."),
        ("duration_positive", "CHECK(duration_minutes >= 0)", "The duration cannot be negative."),
    ]

    def _compute_display_name(self):
        for service in self:
            service.display_name = f"[{service.code}] {service.name}" if service.code else service.name
