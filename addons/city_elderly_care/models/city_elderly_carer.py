from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .city_elderly_provider import _division_under


class CityElderlyCarer(models.Model):
    """A carer (养老护理员) working for a provider, with the national qualification level and the areas served."""

    _name = "city.elderly.carer"
    _description = "Elderly Carer"
    _inherit = ["mail.thread"]
    _order = "provider_id, name, id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        ondelete="restrict",
        help="The carer as a contact of the provider's organisation.",
    )
    name = fields.Char(related="partner_id.name", store=True)
    phone = fields.Char(related="partner_id.mobile", string="Mobile")
    provider_id = fields.Many2one("city.elderly.provider", required=True, index=True, ondelete="cascade", tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Portal User",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="Portal account the carer uses to check in and out of service visits.",
    )
    qualification = fields.Selection(
        [
            ("primary", "Primary (Level 5)"),
            ("intermediate", "Intermediate (Level 4)"),
            ("senior", "Senior (Level 3)"),
            ("technician", "Technician (Level 2)"),
            ("senior_technician", "Senior Technician (Level 1)"),
        ],
        default="primary",
        tracking=True,
        help="National vocational qualification level of elderly carers.",
    )
    certificate_no = fields.Char(string="Certificate No.", tracking=True)
    division_ids = fields.Many2many(
        "city.division",
        "city_elderly_carer_division_rel",
        "carer_id",
        "division_id",
        string="Service Area",
        help="Divisions the carer serves; empty means the whole service area of the provider.",
    )
    on_duty = fields.Boolean(tracking=True)
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    location_at = fields.Datetime(string="Located At", help="When the last known position was recorded.")
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("partner_unique", "unique(partner_id)", "This person is already registered as a carer."),
        ("user_unique", "unique(user_id)", "This user is already linked to another carer."),
    ]

    @api.constrains("partner_id", "provider_id", "user_id")
    def _check_partner_id(self):
        for carer in self:
            if carer.partner_id.commercial_partner_id != carer.provider_id.partner_id:
                raise ValidationError(
                    self.env._(
                        "The carer %(carer)s must be a contact of the organisation %(provider)s.",
                        carer=carer.partner_id.display_name,
                        provider=carer.provider_id.partner_id.display_name,
                    )
                )
            if carer.user_id and carer.user_id.partner_id != carer.partner_id:
                raise ValidationError(
                    self.env._(
                        "The portal user of the carer %(carer)s must be the carer's own account.",
                        carer=carer.partner_id.display_name,
                    )
                )

    def _serves(self, recipient):
        """True when the carer works in the care file's area (its own areas, else the provider's)."""
        self.ensure_one()
        return _division_under(recipient.division_id, self.division_ids or self.provider_id.division_ids)

    def _record_position(self, latitude, longitude):
        """The carer's last known position (check-in, check-out, going on duty), for the SOS dispatch."""
        if latitude is None or longitude is None:
            return
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise UserError(self.env._("The coordinates are not a place on Earth."))
        self.sudo().write({"latitude": latitude, "longitude": longitude, "location_at": fields.Datetime.now()})

    def _set_duty(self, on_duty, latitude=None, longitude=None):
        """The carer goes on or off duty (from the portal), with the position when the browser gives it."""
        self.ensure_one()
        if self.user_id != self.env.user and not self.env.user.has_group(
            "city_elderly_care.group_city_elderly_care_worker"
        ):
            raise AccessError(self.env._("Only the carer or an elderly-care worker can change the duty."))
        self._record_position(latitude, longitude)
        self.sudo().write({"on_duty": bool(on_duty)})
