import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Level of each division type, and how many leading code characters identify it.
DIVISION_TYPES = [
    ("city", "City"),
    ("district", "District / County"),
    ("street", "Street / Town"),
    ("community", "Community / Village"),
    ("grid", "Grid"),
]
TYPE_LEVEL = {code: level for level, (code, _label) in enumerate(DIVISION_TYPES)}
# Significant code prefix per type (GB/T 2260 + statistical division codes); a grid adds
# three digits to its community's 12-digit code.
CODE_PREFIX = {"city": 4, "district": 6, "street": 9, "community": 12, "grid": 15}


class CityDivision(models.Model):
    _name = "city.division"
    _description = "Administrative Division"
    _inherit = ["mail.thread"]
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "code"

    name = fields.Char(required=True, translate=False, tracking=True)
    code = fields.Char(
        required=True,
        index=True,
        tracking=True,
        help="12-digit national division code (GB/T 2260 and the statistical division codes); "
        "grids add three digits to their community's code.",
    )
    type = fields.Selection(DIVISION_TYPES, required=True, index=True, tracking=True)
    parent_id = fields.Many2one("city.division", index=True, ondelete="restrict", tracking=True)
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("city.division", "parent_id", string="Subdivisions")
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    level = fields.Integer(compute="_compute_level", store=True)
    active = fields.Boolean(default=True)
    building_ids = fields.One2many("city.building", "grid_id", string="Buildings")
    child_count = fields.Integer(compute="_compute_child_count", string="Subdivision Count")
    resident_count = fields.Integer(compute="_compute_resident_count")
    note = fields.Text()

    _sql_constraints = [
        ("code_unique", "unique(code)", "A division code must be unique."),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for division in self:
            if division.parent_id:
                division.complete_name = f"{division.parent_id.complete_name} / {division.name}"
            else:
                division.complete_name = division.name

    @api.depends("type")
    def _compute_level(self):
        for division in self:
            division.level = TYPE_LEVEL.get(division.type, 0)

    def _compute_child_count(self):
        counts = {
            parent.id: count
            for parent, count in self.env["city.division"]._read_group(
                [("parent_id", "in", self.ids)], ["parent_id"], ["__count"]
            )
        }
        for division in self:
            division.child_count = counts.get(division.id, 0)

    def _compute_resident_count(self):
        for division in self:
            division.resident_count = self.env["res.partner"].search_count(
                [("is_resident", "=", True), ("city_division_id", "child_of", division.id)]
            )

    @api.constrains("code", "type")
    def _check_code(self):
        for division in self:
            length = 15 if division.type == "grid" else 12
            if not re.fullmatch(rf"\d{{{length}}}", division.code or ""):
                raise ValidationError(
                    self.env._(
                        "Division code %(code)s must have %(length)s digits.",
                        code=division.code,
                        length=length,
                    )
                )

    @api.constrains("parent_id", "type", "code")
    def _check_parent(self):
        for division in self:
            if division.type == "city":
                if division.parent_id:
                    raise ValidationError(self.env._("A city is the root of the division tree."))
                continue
            parent = division.parent_id
            if not parent:
                raise ValidationError(self.env._("Division %(name)s needs a parent division.", name=division.name))
            if TYPE_LEVEL[parent.type] != TYPE_LEVEL[division.type] - 1:
                raise ValidationError(
                    self.env._(
                        "%(child)s (%(child_type)s) cannot be placed under %(parent)s (%(parent_type)s).",
                        child=division.name,
                        child_type=dict(DIVISION_TYPES)[division.type],
                        parent=parent.name,
                        parent_type=dict(DIVISION_TYPES)[parent.type],
                    )
                )
            prefix = CODE_PREFIX[parent.type]
            if division.code[:prefix] != parent.code[:prefix]:
                raise ValidationError(
                    self.env._(
                        "Code %(code)s of %(name)s does not start with the code of its parent %(parent)s.",
                        code=division.code,
                        name=division.name,
                        parent=parent.name,
                    )
                )
        if self._has_cycle():
            raise ValidationError(self.env._("A division cannot be its own ancestor."))

    def _api_data(self):
        """Public representation used by the city data interface."""
        self.ensure_one()
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "level": self.level,
            "parent_code": self.parent_id.code or None,
            "complete_name": self.complete_name,
        }

    def action_view_children(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_base.city_division_action")
        action["domain"] = [("parent_id", "=", self.id)]
        action["context"] = {"default_parent_id": self.id}
        return action

    def action_view_residents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_base.res_partner_action_resident")
        action["domain"] = [("is_resident", "=", True), ("city_division_id", "child_of", self.id)]
        return action
