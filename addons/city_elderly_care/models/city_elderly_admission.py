from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.city_base.tools.dates import city_today
from odoo.addons.city_special_care.models.city_care_recipient import CARE_LEVELS

LEVEL_RANK = {"severe": 4, "moderate": 3, "mild": 2, "independent": 1}
# 城市特困/孤寡 and 完全失能: one bonus point each, below one care level step.
PRIORITY_CATEGORIES = ("elderly_widowed", "disabled_full")
ACTIVE_STATES = ("waiting", "admitted")
MANAGER_GROUP = "city_elderly_care.group_city_elderly_care_manager"


class CityElderlyAdmission(models.Model):
    """An application for a bed in a care institution: waiting list by priority, admission, discharge.

    The waiting list of a provider and care level is ordered by ``priority_score`` (care level first,
    then the key categories), then by application date.
    """

    _name = "city.elderly.admission"
    _description = "Institution Admission"
    _inherit = ["mail.thread"]
    _order = "priority_score desc, applied_on, id"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="restrict", tracking=True)
    partner_id = fields.Many2one(related="recipient_id.partner_id")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    provider_id = fields.Many2one(
        "city.elderly.provider",
        string="Institution",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("kind", "=", "institution")],
        tracking=True,
    )
    care_level = fields.Selection(
        CARE_LEVELS,
        string="Requested Care Level",
        compute="_compute_care_level",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        tracking=True,
        help="From the elder's latest assessment; a room of this care level is required.",
    )
    priority_category = fields.Boolean(
        compute="_compute_priority",
        store=True,
        help="The elder is in a key category (城市特困/孤寡 or fully disabled).",
    )
    priority_score = fields.Integer(
        compute="_compute_priority",
        store=True,
        index=True,
        help="Care level (severe first), then key categories; equal scores are ordered by application date.",
    )
    applied_on = fields.Date(required=True, default=lambda self: city_today(), index=True, tracking=True)
    state = fields.Selection(
        [("waiting", "Waiting"), ("admitted", "Admitted"), ("discharged", "Discharged"), ("cancelled", "Cancelled")],
        required=True,
        default="waiting",
        index=True,
        tracking=True,
    )
    bed_id = fields.Many2one(
        "city.elderly.bed",
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('provider_id', '=', provider_id), ('care_level', '=', care_level), ('state', '=', 'free')]",
    )
    room_id = fields.Many2one(related="bed_id.room_id")
    admitted_on = fields.Date(readonly=True, tracking=True)
    override_reason = fields.Char(
        string="Out-of-Turn Reason", tracking=True, help="Why a manager admits this elder before the head of the list."
    )
    discharged_on = fields.Date(tracking=True)
    discharge_reason = fields.Char(tracking=True)
    note = fields.Text()

    def init(self):
        res = super().init()
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS city_elderly_admission_active_unique "
            "ON city_elderly_admission (recipient_id) WHERE state IN ('waiting', 'admitted')"
        )
        return res

    @api.depends("recipient_id.name", "provider_id.name")
    def _compute_display_name(self):
        for admission in self:
            admission.display_name = f"{admission.recipient_id.name or ''} · {admission.provider_id.name or ''}"

    @api.depends("recipient_id")
    def _compute_care_level(self):
        recipients = self.recipient_id
        if recipients:
            recipients.check_access("read")
        for admission in self:
            if admission.recipient_id:
                admission.care_level = admission.recipient_id.sudo().care_level or "independent"
            elif not admission.care_level:
                admission.care_level = "independent"

    @api.depends("care_level", "recipient_id.category_ids")
    def _compute_priority(self):
        for admission in self:
            codes = set(admission.recipient_id.sudo().category_ids.mapped("code"))
            bonus = len(codes.intersection(PRIORITY_CATEGORIES))
            admission.priority_category = bool(bonus)
            admission.priority_score = LEVEL_RANK.get(admission.care_level, 0) * 10 + bonus

    def _check_one_active(self, recipient):
        """One waiting or admitted application per elder (also enforced by a partial unique index)."""
        if self.sudo().search_count([("recipient_id", "=", recipient.id), ("state", "in", ACTIVE_STATES)], limit=1):
            raise ValidationError(
                self.env._(
                    "%(name)s already has an application or a bed in an institution.",
                    name=recipient.name,
                )
            )

    @api.constrains("provider_id")
    def _check_provider_id(self):
        for admission in self:
            if admission.provider_id.kind != "institution":
                raise ValidationError(
                    self.env._("%(name)s is not a care institution.", name=admission.provider_id.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "waiting") in ACTIVE_STATES and vals.get("recipient_id"):
                self._check_one_active(self.env["city.care.recipient"].browse(vals["recipient_id"]))
        return super().create(vals_list)

    def _waiting_head(self):
        """The first waiting application of the same institution and care level."""
        self.ensure_one()
        return self.sudo().search(
            [
                ("provider_id", "=", self.provider_id.id),
                ("care_level", "=", self.care_level),
                ("state", "=", "waiting"),
            ],
            limit=1,
        )

    def action_admit(self, bed=None, override_reason=None):
        """Give ``bed`` (default: the bed set on the form) to the head of the waiting list.

        Another application than the head needs a manager and a reason.
        """
        self.ensure_one()
        bed = bed or self.bed_id
        override_reason = override_reason or self.override_reason
        if self.state != "waiting":
            raise UserError(self.env._("Only a waiting application can be admitted."))
        if not bed:
            raise UserError(self.env._("Choose a free bed first."))
        if bed.provider_id != self.provider_id or bed.care_level != self.care_level:
            raise UserError(
                self.env._(
                    "The bed %(bed)s is not in a room of %(provider)s for this care level.",
                    bed=bed.display_name,
                    provider=self.provider_id.name,
                )
            )
        if bed.state != "free":
            raise UserError(self.env._("The bed %(bed)s is not free.", bed=bed.display_name))
        head = self._waiting_head()
        if head != self:
            if not self.env.user.has_group(MANAGER_GROUP) or not override_reason:
                raise UserError(
                    self.env._(
                        "%(head)s is ahead on the waiting list; only a manager can admit out of turn, with a reason.",
                        head=head.recipient_id.name,
                    )
                )
        self.write(
            {
                "state": "admitted",
                "bed_id": bed.id,
                "admitted_on": city_today(),
                "override_reason": override_reason if head != self else False,
            }
        )
        return True

    def action_discharge(self, reason=None, date=None):
        for admission in self:
            if admission.state != "admitted":
                raise UserError(self.env._("Only an admitted resident can be discharged."))
            reason = reason or admission.discharge_reason
            if not reason:
                raise UserError(self.env._("Give the reason for the discharge."))
            admission.write(
                {
                    "state": "discharged",
                    "discharge_reason": reason,
                    "discharged_on": date or admission.discharged_on or city_today(),
                }
            )
        return True

    def action_cancel(self):
        if self.filtered(lambda a: a.state != "waiting"):
            raise UserError(self.env._("Only a waiting application can be cancelled."))
        self.write({"state": "cancelled"})
        return True
