from odoo import fields, models


class CityServiceCategory(models.Model):
    _name = "city.service.category"
    _description = "Service Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    item_ids = fields.One2many("city.service.item", "category_id", string="Service Items")
    item_count = fields.Integer(compute="_compute_item_count")

    _sql_constraints = [("code_unique", "unique(code)", "A category code must be unique.")]

    def _compute_item_count(self):
        counts = dict(
            self.env["city.service.item"]._read_group([("category_id", "in", self.ids)], ["category_id"], ["__count"])
        )
        for category in self:
            category.item_count = counts.get(category, 0)
