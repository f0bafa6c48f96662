from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


class CityElderlyProvider(models.Model):
    """An organisation providing elderly-care services under a contract with the city.

    The service area is a set of divisions: an elder is served when the division of the care file lies
    under one of them (see ``_serves``).
    """

    _name = "city.elderly.provider"
    _description = "Elderly Care Provider"
    _inherit = ["mail.thread"]
    _order = "name, id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Organisation",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('is_company', '=', True), ('parent_id', '=', False)]",
        help="The registered organisation (with its unified social credit code) running the service.",
    )
    name = fields.Char(related="partner_id.name", store=True)
    uscc = fields.Char(related="partner_id.uscc", string="Unified Social Credit Code")
    phone = fields.Char(related="partner_id.phone")
    kind = fields.Selection(
        [
            ("institution", "Care Institution"),
            ("day_care", "Day-Care Centre"),
            ("station", "Home-Care Service Station"),
            ("housekeeping", "Housekeeping Company"),
            ("meal", "Meal Service Company"),
        ],
        required=True,
        default="station",
        tracking=True,
    )
    division_ids = fields.Many2many(
        "city.division",
        "city_elderly_provider_division_rel",
        "provider_id",
        "division_id",
        string="Service Area",
        help="Divisions served: an elder is served when the division of the care file lies under one of them.",
    )
    contract_no = fields.Char(string="Contract No.", tracking=True, copy=False)
    contract_start = fields.Date(tracking=True)
    contract_end = fields.Date(tracking=True, help="Leave empty for an open-ended contract.")
    is_contracted = fields.Boolean(
        string="Under Contract",
        compute="_compute_is_contracted",
        search="_search_is_contracted",
        help="The contract with the city covers today.",
    )
    daily_capacity = fields.Integer(
        help="Service orders the provider accepts per day when dispatching; 0 means no limit."
    )
    price_ids = fields.One2many("city.elderly.price", "provider_id", string="Prices")
    carer_ids = fields.One2many("city.elderly.carer", "provider_id", string="Carers")
    price_count = fields.Integer(compute="_compute_counts")
    carer_count = fields.Integer(compute="_compute_counts")
    note = fields.Html(string="Notes")
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("partner_unique", "unique(partner_id)", "This organisation is already registered as a provider."),
        (
            "contract_dates",
            "CHECK(contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start)",
            "The contract cannot end before it starts.",
        ),
        ("daily_capacity_positive", "CHECK(daily_capacity >= 0)", "The daily capacity cannot be negative."),
    ]

    @api.depends("contract_start", "contract_end")
    @api.depends_context("date")
    def _compute_is_contracted(self):
        today = fields.Date.context_today(self)
        for provider in self:
            provider.is_contracted = bool(
                provider.contract_start
                and provider.contract_start <= today
                and (not provider.contract_end or provider.contract_end >= today)
            )

    def _search_is_contracted(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on Under Contract."))
        today = fields.Date.context_today(self)
        domain = [
            ("contract_start", "!=", False),
            ("contract_start", "<=", today),
            "|",
            ("contract_end", "=", False),
            ("contract_end", ">=", today),
        ]
        positive = (operator == "=") == bool(value)
        return domain if positive else ["!", *expression.normalize_domain(domain)]

    @api.depends("price_ids", "carer_ids")
    def _compute_counts(self):
        for provider in self:
            provider.price_count = len(provider.price_ids)
            provider.carer_count = len(provider.carer_ids)

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for provider in self:
            partner = provider.partner_id
            if not partner.is_company or partner.parent_id or not partner.uscc:
                raise ValidationError(
                    self.env._(
                        "The provider %(name)s must be an organisation with a unified social credit code.",
                        name=partner.display_name,
                    )
                )

    def action_view_carers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_elderly_care.city_elderly_carer_action")
        action["domain"] = [("provider_id", "=", self.id)]
        action["context"] = {"default_provider_id": self.id}
        return action

    def action_view_prices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_elderly_care.city_elderly_price_action")
        action["domain"] = [("provider_id", "=", self.id)]
        action["context"] = {"default_provider_id": self.id}
        return action

    def _serves(self, recipient):
        """True when the care file's division lies under one of the provider's service-area divisions."""
        self.ensure_one()
        return _division_under(recipient.division_id, self.division_ids)

    @api.model
    def _serving_domain(self, division):
        """Domain of the providers whose service area contains ``division`` (a city.division)."""
        if not division:
            return [(0, "=", 1)]
        return [("division_ids", "parent_of", division.id)]


def _division_under(division, areas):
    """True when ``division`` is one of ``areas`` or lies under one of them (by parent_path)."""
    if not division or not areas:
        return False
    path = division.sudo().parent_path or ""
    return any(path.startswith(area.sudo().parent_path or "\0") for area in areas)
