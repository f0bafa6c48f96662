import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1


class CityTraceLot(models.Model):
    """A batch (lot) of a product: GS1 AI (10)."""

    _name = "city.trace.lot"
    _description = "Product Lot"
    _inherit = ["mail.thread"]
    _order = "production_date desc, id desc"

    name = fields.Char(string="Batch Number", required=True, tracking=True)
    product_id = fields.Many2one("city.trace.product", required=True, index=True, ondelete="restrict", tracking=True)
    category = fields.Selection(related="product_id.category", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Producer", required=True, index=True, domain=[("trace_enterprise", "=", True)]
    )
    location_id = fields.Many2one("city.trace.location", string="Origin", index=True)
    production_date = fields.Date(required=True, tracking=True)
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        store=True,
        readonly=False,
        tracking=True,
        help="Defaults to the production date plus the product's shelf life.",
    )
    quantity = fields.Float(required=True, tracking=True)
    uom = fields.Selection(related="product_id.uom", string="Unit")
    is_expired = fields.Boolean(compute="_compute_is_expired", search="_search_is_expired")
    digital_link = fields.Char(compute="_compute_digital_link")
    serial_ids = fields.One2many("city.trace.serial", "lot_id", string="Serial Items")
    inspection_ids = fields.One2many("city.trace.inspection", "lot_id", string="Inspections")
    recalled = fields.Boolean(
        readonly=True, index=True, tracking=True, help="Set while a recall of this lot is open or confirmed."
    )

    _sql_constraints = [
        ("name_product_unique", "unique(product_id, name)", "This batch number already exists for the product."),
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity of a lot must be positive."),
    ]

    @api.depends("production_date", "product_id.shelf_life_days")
    def _compute_expiry_date(self):
        for lot in self:
            if lot.production_date and lot.product_id.shelf_life_days:
                lot.expiry_date = lot.production_date + datetime.timedelta(days=lot.product_id.shelf_life_days)
            else:
                lot.expiry_date = lot.expiry_date

    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for lot in self:
            lot.is_expired = bool(lot.expiry_date and lot.expiry_date < today)

    def _search_is_expired(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Expired can only be searched with = or !=."))
        today = fields.Date.context_today(self)
        if (operator == "=") == bool(value):
            return [("expiry_date", "<", today)]
        return ["|", ("expiry_date", "=", False), ("expiry_date", ">=", today)]

    @api.depends("name", "product_id.gtin")
    def _compute_digital_link(self):
        domain = self.env["city.trace.product"]._digital_link_domain()
        for lot in self:
            if gs1.is_valid_gtin(lot.product_id.gtin or "") and gs1.is_valid_ai_text(lot.name or ""):
                lot.digital_link = gs1.build_digital_link(domain, lot.product_id.gtin, lot=lot.name)
            else:
                lot.digital_link = False

    @api.depends("name", "product_id.name")
    def _compute_display_name(self):
        for lot in self:
            lot.display_name = f"{lot.product_id.name} / {lot.name}" if lot.product_id else lot.name

    @api.constrains("name")
    def _check_name(self):
        for lot in self:
            if not gs1.is_valid_ai_text(lot.name or ""):
                raise ValidationError(
                    self.env._(
                        "Batch number %(name)s: 1 to 20 letters, digits or GS1 symbols, no spaces or Chinese.",
                        name=lot.name,
                    )
                )

    @api.constrains("production_date", "expiry_date")
    def _check_dates(self):
        for lot in self:
            if lot.expiry_date and lot.production_date and lot.expiry_date < lot.production_date:
                raise ValidationError(self.env._("A lot cannot expire before it is produced."))
