from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityHousehold(models.Model):
    _name = "city.household"
    _description = "Household"
    _inherit = ["mail.thread"]
    _order = "building_id, name"

    name = fields.Char(string="Unit / Room", required=True, tracking=True, help="e.g. 2单元301")
    building_id = fields.Many2one("city.building", required=True, index=True, ondelete="restrict", tracking=True)
    grid_id = fields.Many2one(related="building_id.grid_id", store=True, index=True)
    head_id = fields.Many2one(
        "res.partner", string="Head of Household", domain=[("is_resident", "=", True)], tracking=True
    )
    member_ids = fields.One2many("res.partner", "city_household_id", string="Members")
    member_count = fields.Integer(compute="_compute_member_count")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_building_unique", "unique(building_id, name)", "A unit must be unique within its building."),
    ]

    def _compute_member_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("city_household_id", "in", self.ids)], ["city_household_id"], ["__count"]
            )
        )
        for household in self:
            household.member_count = counts.get(household, 0)

    @api.depends("name", "building_id.display_name")
    def _compute_display_name(self):
        for household in self:
            household.display_name = f"{household.building_id.display_name} {household.name}"

    @api.constrains("head_id", "member_ids")
    def _check_head_is_member(self):
        for household in self:
            if household.head_id and household.head_id.city_household_id != household:
                raise ValidationError(
                    self.env._(
                        "The head of household %(name)s must live in this household.", name=household.head_id.name
                    )
                )
