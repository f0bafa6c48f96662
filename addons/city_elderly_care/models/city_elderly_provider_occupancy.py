from odoo import fields, models


class CityElderlyProvider(models.Model):
    _inherit = "city.elderly.provider"

    room_ids = fields.One2many("city.elderly.room", "provider_id", string="Rooms")
    bed_count = fields.Integer(compute="_compute_occupancy", string="Beds")
    occupied_bed_count = fields.Integer(compute="_compute_occupancy", string="Occupied Beds")
    occupancy_rate = fields.Float(compute="_compute_occupancy", string="Occupancy (%)", digits=(5, 1))

    def _compute_occupancy(self):
        counts = {
            (provider.id, state): count
            for provider, state, count in self.env["city.elderly.bed"]._read_group(
                [("provider_id", "in", self.ids)], ["provider_id", "state"], ["__count"]
            )
        }
        for provider in self:
            beds = sum(count for (pid, _state), count in counts.items() if pid == provider.id)
            occupied = counts.get((provider.id, "occupied"), 0)
            provider.bed_count = beds
            provider.occupied_bed_count = occupied
            provider.occupancy_rate = 100.0 * occupied / beds if beds else 0.0
