from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.city_special_care.models.city_care_recipient import CARE_LEVELS


class CityElderlyRoom(models.Model):
    """A room of a care institution, for residents of one care level."""

    _name = "city.elderly.room"
    _description = "Institution Room"
    _order = "provider_id, name, id"

    provider_id = fields.Many2one(
        "city.elderly.provider",
        string="Institution",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("kind", "=", "institution")],
    )
    name = fields.Char(required=True)
    care_level = fields.Selection(CARE_LEVELS, required=True, default="independent")
    bed_ids = fields.One2many("city.elderly.bed", "room_id", string="Beds")
    bed_count = fields.Integer(compute="_compute_bed_counts", string="Number of Beds")
    free_bed_count = fields.Integer(compute="_compute_bed_counts", string="Free Beds")
    active = fields.Boolean(default=True)

    _sql_constraints = [("provider_name_unique", "unique(provider_id, name)", "This room already exists.")]

    @api.depends("bed_ids.state")
    def _compute_bed_counts(self):
        for room in self:
            room.bed_count = len(room.bed_ids)
            room.free_bed_count = len(room.bed_ids.filtered(lambda bed: bed.state == "free"))

    @api.constrains("provider_id")
    def _check_provider_id(self):
        for room in self:
            if room.provider_id.kind != "institution":
                raise ValidationError(self.env._("%(name)s is not a care institution.", name=room.provider_id.name))
