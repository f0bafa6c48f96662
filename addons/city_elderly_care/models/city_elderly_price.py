from odoo import api, fields, models


class CityElderlyPrice(models.Model):
    """The contracted price of one catalogue service at one provider, kept in fen."""

    _name = "city.elderly.price"
    _description = "Elderly Care Service Price"
    _order = "provider_id, service_id"

    provider_id = fields.Many2one("city.elderly.provider", required=True, index=True, ondelete="cascade")
    service_id = fields.Many2one("city.elderly.service", required=True, index=True, ondelete="restrict")
    category = fields.Selection(related="service_id.category", store=True)
    unit = fields.Selection(related="service_id.unit")
    duration_minutes = fields.Integer(related="service_id.duration_minutes")
    price_fen = fields.Integer(string="Price (fen)", required=True, help="Price of one unit in fen (1/100 yuan).")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    price = fields.Monetary(
        string="Unit Price",
        compute="_compute_price",
        inverse="_inverse_price",
        currency_field="currency_id",
        help="Price of one unit in yuan.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "provider_service_unique",
            "unique(provider_id, service_id)",
            "The provider already has a price for this service.",
        ),
        ("price_positive", "CHECK(price_fen > 0)", "The price must be positive."),
    ]

    def _compute_currency_id(self):
        currency = self.env.ref("base.CNY", raise_if_not_found=False) or self.env.company.currency_id
        for price in self:
            price.currency_id = currency

    @api.depends("price_fen")
    def _compute_price(self):
        for price in self:
            price.price = price.price_fen / 100

    def _inverse_price(self):
        for price in self:
            price.price_fen = round(price.price * 100)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._yuan_to_fen(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._yuan_to_fen(vals))

    @api.model
    def _yuan_to_fen(self, vals):
        """Values with a price in yuan (as edited in the views) turned into ``price_fen``."""
        if "price" in vals:
            vals = dict(vals)
            vals["price_fen"] = round((vals.pop("price") or 0) * 100)
        return vals

    def _compute_display_name(self):
        for price in self:
            price.display_name = f"{price.provider_id.name or ''} / {price.service_id.name or ''}"

    @api.model
    def _price_for(self, provider, service):
        """Active unit price in fen of ``service`` at ``provider``, or 0 when the provider has none."""
        price = self.search(
            [("provider_id", "=", provider.id), ("service_id", "=", service.id), ("active", "=", True)], limit=1
        )
        return price.price_fen
