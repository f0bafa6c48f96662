from odoo import api, fields, models


class CityElderlyBed(models.Model):
    """A bed of an institution room; occupied while an admission holds it."""

    _name = "city.elderly.bed"
    _description = "Institution Bed"
    _order = "provider_id, room_id, name, id"

    room_id = fields.Many2one("city.elderly.room", required=True, index=True, ondelete="cascade")
    provider_id = fields.Many2one(related="room_id.provider_id", store=True, index=True, string="Institution")
    care_level = fields.Selection(related="room_id.care_level", store=True)
    name = fields.Char(required=True)
    maintenance = fields.Boolean(string="Under Maintenance")
    admission_ids = fields.One2many("city.elderly.admission", "bed_id", string="Admissions")
    state = fields.Selection(
        [("free", "Free"), ("occupied", "Occupied"), ("maintenance", "Maintenance")],
        compute="_compute_state",
        store=True,
        index=True,
    )
    admission_id = fields.Many2one(
        "city.elderly.admission", compute="_compute_state", store=True, string="Current Admission"
    )
    recipient_id = fields.Many2one("city.care.recipient", compute="_compute_state", store=True, string="Occupant")
    active = fields.Boolean(default=True)

    _sql_constraints = [("room_name_unique", "unique(room_id, name)", "This bed already exists in the room.")]

    @api.depends("room_id.name", "name")
    def _compute_display_name(self):
        for bed in self:
            bed.display_name = f"{bed.room_id.name or ''}-{bed.name or ''}"

    @api.depends("maintenance", "admission_ids.state")
    def _compute_state(self):
        for bed in self:
            admission = bed.admission_ids.filtered(lambda a: a.state == "admitted")[:1]
            bed.admission_id = admission
            bed.recipient_id = admission.recipient_id
            if admission:
                bed.state = "occupied"
            elif bed.maintenance:
                bed.state = "maintenance"
            else:
                bed.state = "free"
