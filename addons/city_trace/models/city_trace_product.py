from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1

CATEGORIES = [("food", "Food"), ("drug", "Drug"), ("agricultural", "Agricultural Product")]
UNITS = [
    ("kg", "Kilogram"),
    ("ton", "Ton"),
    ("piece", "Piece"),
    ("box", "Box"),
    ("bag", "Bag"),
    ("bottle", "Bottle"),
    ("litre", "Litre"),
]


class CityTraceProduct(models.Model):
    """A traced product identified by its GTIN."""

    _name = "city.trace.product"
    _description = "Traced Product"
    _inherit = ["mail.thread", "image.mixin", "city.trace.qr.mixin"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    gtin = fields.Char(string="GTIN", required=True, index=True, tracking=True, help="GTIN-8, -12, -13 or -14.")
    category = fields.Selection(CATEGORIES, required=True, tracking=True)
    regulated = fields.Boolean(
        tracking=True, help="Under the city's mandatory traceability (food, drugs and key agricultural products)."
    )
    partner_id = fields.Many2one(
        "res.partner", string="Brand Owner", required=True, index=True, domain=[("trace_enterprise", "=", True)]
    )
    shelf_life_days = fields.Integer(string="Shelf Life (days)")
    uom = fields.Selection(UNITS, string="Unit", required=True, default="piece")
    description = fields.Text()
    active = fields.Boolean(default=True)
    lot_ids = fields.One2many("city.trace.lot", "product_id", string="Lots")
    lot_count = fields.Integer(compute="_compute_lot_count")
    digital_link = fields.Char(compute="_compute_digital_link")

    _sql_constraints = [
        ("gtin_unique", "unique(gtin)", "A GTIN identifies one product."),
        ("shelf_life_positive", "CHECK(shelf_life_days >= 0)", "The shelf life cannot be negative."),
    ]

    def _compute_lot_count(self):
        counts = dict(
            self.env["city.trace.lot"]._read_group([("product_id", "in", self.ids)], ["product_id"], ["__count"])
        )
        for product in self:
            product.lot_count = counts.get(product, 0)

    @api.depends("gtin")
    def _compute_digital_link(self):
        domain = self.env["city.trace.product"]._digital_link_domain()
        for product in self:
            product.digital_link = (
                gs1.build_digital_link(domain, product.gtin) if gs1.is_valid_gtin(product.gtin or "") else False
            )

    @api.model
    def _digital_link_domain(self):
        return self.env["ir.config_parameter"].sudo().get_param("city_trace.digital_link_domain") or "localhost"

    @api.depends("gtin", "name")
    def _compute_display_name(self):
        for product in self:
            product.display_name = f"{product.name} ({product.gtin})" if product.gtin else product.name

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("gtin"):
                vals["gtin"] = self._normalize_gtin(vals["gtin"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("gtin"):
            vals["gtin"] = self._normalize_gtin(vals["gtin"])
        # names, images and shelf lives show on the pages of every lot of the product (and of its inputs)
        self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().write(vals)

    def unlink(self):
        self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().unlink()

    @api.model
    def _normalize_gtin(self, value):
        """GTINs are stored in their 14-digit form, so that one product has one key."""
        value = (value or "").strip()
        return gs1.gtin14(value) if gs1.is_valid_gtin(value) else value

    @api.constrains("gtin")
    def _check_gtin(self):
        for product in self:
            if not gs1.is_valid_gtin(product.gtin or ""):
                raise ValidationError(
                    self.env._(
                        "%(gtin)s is not a valid GTIN: 8, 12, 13 or 14 digits ending with the GS1 check digit.",
                        gtin=product.gtin,
                    )
                )

    def action_view_lots(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_trace.city_trace_lot_action")
        action["domain"] = [("product_id", "=", self.id)]
        action["context"] = {"default_product_id": self.id}
        return action
