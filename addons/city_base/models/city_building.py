from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityBuilding(models.Model):
    _name = "city.building"
    _description = "Building"
    _inherit = ["mail.thread"]
    _order = "grid_id, name"

    name = fields.Char(required=True, tracking=True, help="Building name or number, e.g. 3号楼")
    grid_id = fields.Many2one(
        "city.division",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("type", "=", "grid")],
        tracking=True,
    )
    address = fields.Char(tracking=True)
    floors = fields.Integer()
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    household_ids = fields.One2many("city.household", "building_id", string="Households")
    household_count = fields.Integer(compute="_compute_household_count")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_grid_unique", "unique(grid_id, name)", "A building name must be unique within its grid."),
    ]

    def _compute_household_count(self):
        counts = dict(
            self.env["city.household"]._read_group([("building_id", "in", self.ids)], ["building_id"], ["__count"])
        )
        for building in self:
            building.household_count = counts.get(building, 0)

    @api.depends("name", "grid_id.name")
    def _compute_display_name(self):
        for building in self:
            building.display_name = f"{building.grid_id.name} {building.name}" if building.grid_id else building.name

    @api.constrains("grid_id")
    def _check_grid(self):
        for building in self:
            if building.grid_id.type != "grid":
                raise ValidationError(self.env._("A building must belong to a grid."))
