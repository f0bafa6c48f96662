from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityDispatchRule(models.Model):
    """Where requests go when accepted: by item, category and division; the most specific rule wins.

    Specificity: a rule naming the item beats one naming only the category, which beats one naming
    neither; among those, a deeper division beats a shallower one and a rule without division.
    """

    _name = "city.dispatch.rule"
    _description = "Auto-dispatch Rule"
    _inherit = ["mail.thread"]
    _order = "specificity desc, sequence, id"

    name = fields.Char(compute="_compute_name", store=True)
    sequence = fields.Integer(default=10, help="Breaks ties between equally specific rules.")
    active = fields.Boolean(default=True)
    item_id = fields.Many2one("city.service.item", index=True, tracking=True)
    category_id = fields.Many2one("city.service.category", index=True, tracking=True)
    division_id = fields.Many2one(
        "city.division", index=True, tracking=True, help="Applies to requests located at or under this division."
    )
    department_id = fields.Many2one("city.department", string="Lead Department", required=True, tracking=True)
    assist_department_ids = fields.Many2many(
        "city.department", "city_dispatch_rule_assist_rel", "rule_id", "department_id", string="Assisting Departments"
    )
    specificity = fields.Integer(compute="_compute_specificity", store=True)

    @api.depends("item_id", "category_id", "division_id", "department_id")
    def _compute_name(self):
        for rule in self:
            parts = [rule.item_id.name or rule.category_id.name or self.env._("Any item")]
            parts.append(rule.division_id.name or self.env._("anywhere"))
            rule.name = " / ".join(parts) + f" → {rule.department_id.name or ''}"

    @api.depends("item_id", "category_id", "division_id.level")
    def _compute_specificity(self):
        for rule in self:
            scope = 200 if rule.item_id else 100 if rule.category_id else 0
            rule.specificity = scope + (rule.division_id.level + 1 if rule.division_id else 0)

    @api.constrains("item_id", "category_id")
    def _check_item_category(self):
        for rule in self:
            if rule.item_id and rule.category_id and rule.item_id.category_id != rule.category_id:
                raise ValidationError(self.env._("The item of a rule must belong to the rule's category."))

    @api.constrains("department_id", "assist_department_ids")
    def _check_departments(self):
        for rule in self:
            if rule.department_id in rule.assist_department_ids:
                raise ValidationError(self.env._("The lead department cannot also assist on the same rule."))

    @api.model
    def _find(self, item, division):
        """The rule that applies to ``item`` at ``division`` (an empty recordset when none)."""
        ancestors = [int(part) for part in (division.parent_path or "").split("/") if part]
        domain = [
            "|",
            ("item_id", "=", item.id),
            "&",
            ("item_id", "=", False),
            "|",
            ("category_id", "=", item.category_id.id),
            ("category_id", "=", False),
            "|",
            ("division_id", "=", False),
            ("division_id", "in", ancestors),
        ]
        return self.sudo().search(domain, limit=1)
