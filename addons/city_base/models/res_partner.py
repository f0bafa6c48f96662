from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..tools import validators

_lt = LazyTranslate(__name__)

ID_ERRORS = {
    "length": _lt("must have 18 characters"),
    "format": _lt("must be 17 digits followed by a digit or X"),
    "province": _lt("does not start with a valid province code"),
    "birth_date": _lt("does not contain a valid birth date"),
    "check": _lt("has a wrong check character"),
}
USCC_ERRORS = {
    "length": _lt("wrong length"),
    "format": _lt("invalid characters"),
    "check": _lt("wrong check character"),
}


class ResPartner(models.Model):
    _inherit = "res.partner"
    _rec_names_search = [
        "complete_name",
        "email",
        "ref",
        "vat",
        "company_registry",
        "resident_id_search",
        "uscc",
    ]

    is_resident = fields.Boolean(index=True, tracking=True, help="A natural person registered in the city.")
    resident_id_number = fields.Char(
        string="Resident ID Number",
        copy=False,
        index="btree_not_null",
        groups="city_base.group_city_base_personal_data",
        help="18-character citizen identity number (GB 11643).",
    )
    resident_id_masked = fields.Char(
        string="Resident ID",
        compute="_compute_resident_id_masked",
        store=True,
        tracking=True,
        help="The identity number with the birth date hidden.",
    )
    resident_id_input = fields.Char(
        string="Enter Resident ID",
        compute="_compute_resident_id_input",
        inverse="_inverse_resident_id_input",
        help="Type the full identity number to set or correct it; it is stored and then shown masked.",
    )
    resident_id_search = fields.Char(
        string="Resident ID Search",
        compute="_compute_resident_id_input",
        search="_search_resident_id_search",
        help="Search by full identity number, or by its visible digits.",
    )
    birth_date = fields.Date(compute="_compute_from_resident_id", store=True)
    gender = fields.Selection([("male", "Male"), ("female", "Female")], compute="_compute_from_resident_id", store=True)
    age = fields.Integer(compute="_compute_age", search="_search_age")
    city_division_id = fields.Many2one(
        "city.division",
        string="Home Division",
        index=True,
        ondelete="restrict",
        tracking=True,
        help="The grid (or community) the resident lives in; it decides which workers see the resident.",
    )
    city_building_id = fields.Many2one(
        "city.building",
        string="Building",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('grid_id', '=?', city_division_id)]",
    )
    city_household_id = fields.Many2one(
        "city.household",
        string="Household",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('building_id', '=?', city_building_id)]",
    )
    uscc = fields.Char(
        string="Unified Social Credit Code",
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="18-character unified social credit code of an organisation (GB 32100).",
    )
    city_credit_record_ids = fields.One2many("city.credit.record", "partner_id", string="Credit Records")
    city_blacklisted = fields.Boolean(
        string="Blacklisted", compute="_compute_city_blacklisted", search="_search_city_blacklisted"
    )

    def init(self):
        result = super().init()
        # Backstop for the python constraints under concurrent writers.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS res_partner_resident_id_number_active_uniq
                ON res_partner (resident_id_number) WHERE active AND resident_id_number IS NOT NULL"""
        )
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS res_partner_uscc_active_uniq
                ON res_partner (uscc) WHERE active AND uscc IS NOT NULL AND parent_id IS NULL"""
        )
        return result

    @api.depends("resident_id_number")
    def _compute_resident_id_masked(self):
        for partner in self:
            partner.resident_id_masked = validators.mask_resident_id(partner.sudo().resident_id_number) or False

    def _compute_resident_id_input(self):
        self.resident_id_input = False
        self.resident_id_search = False

    def _inverse_resident_id_input(self):
        for partner in self:
            if partner.resident_id_input:
                partner.sudo().resident_id_number = partner.resident_id_input

    def _search_resident_id_search(self, operator, value):
        if operator not in ("=", "ilike", "=ilike", "like", "=like") or not isinstance(value, str):
            return [("id", "=", 0)]
        number = validators.normalize_resident_id(value)
        if validators.resident_id_error(number) is None:
            column = SQL("resident_id_number = %s", number)
        elif len(number) >= 4:
            # Only what the mask shows can be searched partially.
            column = SQL(
                "(left(resident_id_number, 6) || '********' || right(resident_id_number, 4)) ILIKE %s",
                f"%{number}%",
            )
        else:
            return [("id", "=", 0)]
        return [("id", "in", SQL("(SELECT id FROM res_partner WHERE resident_id_number IS NOT NULL AND %s)", column))]

    @api.depends("resident_id_number")
    def _compute_from_resident_id(self):
        for partner in self:
            number = partner.sudo().resident_id_number
            if number and not validators.resident_id_error(number):
                partner.birth_date, partner.gender = validators.parse_resident_id(number)
            else:
                partner.birth_date = partner.gender = False

    @api.depends("birth_date")
    @api.depends_context("city_age_date")
    def _compute_age(self):
        today = self.env.context.get("city_age_date") or fields.Date.context_today(self)
        today = fields.Date.to_date(today)
        for partner in self:
            partner.age = relativedelta(today, partner.birth_date).years if partner.birth_date else 0

    def _search_age(self, operator, value):
        """age <op> N, translated into a range on birth_date."""
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(value, int):
            raise ValidationError(self.env._("Age can only be compared with a whole number."))
        today = fields.Date.to_date(self.env.context.get("city_age_date") or fields.Date.context_today(self))

        def born_before(years):  # persons aged >= years were born on or before this day
            return today - relativedelta(years=years)

        if operator == ">=":
            return [("birth_date", "<=", born_before(value))]
        if operator == ">":
            return [("birth_date", "<=", born_before(value + 1))]
        if operator == "<":
            return [("birth_date", ">", born_before(value))]
        if operator == "<=":
            return [("birth_date", ">", born_before(value + 1))]
        exact = ["&", ("birth_date", "<=", born_before(value)), ("birth_date", ">", born_before(value + 1))]
        return exact if operator == "=" else ["!", *exact]

    def _compute_city_blacklisted(self):
        blacklisted = self.env["city.credit.record"]._blacklisted_partners(self)
        for partner in self:
            partner.city_blacklisted = partner in blacklisted

    def _search_city_blacklisted(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on Blacklisted."))
        query = SQL("(%s)", self.env["city.credit.record"]._blacklisted_partner_query())
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", query)]

    @api.constrains("resident_id_number", "active", "is_resident")
    def _check_resident_id_number(self):
        for partner in self.sudo():
            number = partner.resident_id_number
            if not number:
                if partner.is_resident and partner.active and not self.env.context.get("city_resident_id_pending"):
                    raise ValidationError(
                        self.env._("Resident %(name)s needs a resident ID number.", name=partner.name)
                    )
                continue
            error = validators.resident_id_error(number)
            if error:
                raise ValidationError(
                    self.env._(
                        "Resident ID %(number)s of %(name)s %(reason)s.",
                        number=validators.mask_resident_id(number),
                        name=partner.name,
                        reason=self.env._(ID_ERRORS[error]),
                    )
                )

    @api.constrains("is_resident", "city_division_id", "mobile", "is_company")
    def _check_resident_fields(self):
        for partner in self.filtered("is_resident"):
            if partner.is_company:
                raise ValidationError(self.env._("An organisation cannot be a resident."))
            if not partner.city_division_id:
                raise ValidationError(self.env._("Resident %(name)s needs a home division.", name=partner.name))
            if partner.mobile and not validators.is_mobile(partner.mobile):
                raise ValidationError(
                    self.env._(
                        "%(mobile)s is not a valid mainland mobile number (11 digits starting with 13-19).",
                        mobile=partner.mobile,
                    )
                )

    @api.constrains("city_division_id", "city_building_id", "city_household_id")
    def _check_home(self):
        for partner in self:
            building = partner.city_building_id
            if building and building.grid_id != partner.city_division_id:
                raise ValidationError(
                    self.env._("Building %(building)s is not in the home division.", building=building.display_name)
                )
            household = partner.city_household_id
            if household and household.building_id != building:
                raise ValidationError(
                    self.env._("Household %(household)s is not in the building.", household=household.display_name)
                )

    @api.constrains("uscc", "active", "parent_id")
    def _check_uscc(self):
        for partner in self.filtered("uscc"):
            error = validators.uscc_error(partner.uscc)
            if error:
                raise ValidationError(
                    self.env._(
                        "%(code)s is not a valid unified social credit code (%(reason)s).",
                        code=partner.uscc,
                        reason=self.env._(USCC_ERRORS[error]),
                    )
                )

    @api.onchange("city_household_id")
    def _onchange_city_household_id(self):
        if self.city_household_id:
            self.city_building_id = self.city_household_id.building_id
            self.city_division_id = self.city_household_id.grid_id

    @api.onchange("city_building_id")
    def _onchange_city_building_id(self):
        if self.city_building_id:
            self.city_division_id = self.city_building_id.grid_id

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize_city_vals(vals) for vals in vals_list]
        self._check_city_unique(
            [
                vals.get("resident_id_number") or vals.get("resident_id_input")
                for vals in vals_list
                if vals.get("active", True)
            ],
            [vals.get("uscc") for vals in vals_list if vals.get("active", True) and not vals.get("parent_id")],
        )
        # An ID number typed by a user who may not read it is stored once the record exists
        # (the create access check and record rules have run by then).
        typed = [vals.pop("resident_id_input", False) for vals in vals_list]
        if not any(typed):
            return super().create(vals_list)
        partners = super(ResPartner, self.with_context(city_resident_id_pending=True)).create(vals_list)
        for partner, number in zip(partners, typed, strict=True):
            if number:
                partner.sudo().with_context(city_resident_id_pending=False).resident_id_number = number
        return partners.with_env(self.env)

    def write(self, vals):
        vals = self._normalize_city_vals(vals)
        keys = {"resident_id_number", "resident_id_input", "uscc", "active", "parent_id"}
        if keys & set(vals) and vals.get("active", True):
            records = self.sudo().with_context(active_test=False)
            numbers = [
                vals.get("resident_id_number") or vals.get("resident_id_input") or partner.resident_id_number
                for partner in records
            ]
            codes = [
                vals.get("uscc", partner.uscc) for partner in records if not vals.get("parent_id", partner.parent_id.id)
            ]
            self._check_city_unique(numbers, codes, exclude_ids=self.ids)
        return super().write(vals)

    def _check_city_unique(self, numbers, codes, exclude_ids=()):
        """Refuse ID numbers and credit codes already used by another active partner (or twice here).

        Checked before the database sees the row, so the user gets a clear message and the
        partial unique indexes stay a backstop for concurrent writers.
        """
        checks = (
            ("resident_id_number", [validators.normalize_resident_id(v) for v in numbers if v]),
            ("uscc", [validators.normalize_uscc(v) for v in codes if v]),
        )
        for column, values in checks:
            if not values:
                continue
            duplicates = {value for value in values if values.count(value) > 1}
            if not duplicates:
                query = SQL(
                    "SELECT %s FROM res_partner WHERE active AND %s = ANY(%s) AND id != ALL(%s)",
                    SQL.identifier(column),
                    SQL.identifier(column),
                    values,
                    list(exclude_ids),
                )
                if column == "uscc":
                    query = SQL("%s AND parent_id IS NULL", query)
                self.env.cr.execute(query)
                duplicates = {row[0] for row in self.env.cr.fetchall()}
            if not duplicates:
                continue
            value = sorted(duplicates)[0]
            if column == "uscc":
                raise ValidationError(self.env._("Another organisation already has the code %(code)s.", code=value))
            raise ValidationError(
                self.env._(
                    "Another active resident already has the ID number %(number)s.",
                    number=validators.mask_resident_id(value),
                )
            )

    @api.model
    def _normalize_city_vals(self, vals):
        for key, normalize in (
            ("resident_id_number", validators.normalize_resident_id),
            ("resident_id_input", validators.normalize_resident_id),
            ("uscc", validators.normalize_uscc),
        ):
            if vals.get(key):
                vals = dict(vals, **{key: normalize(vals[key])})
        if (
            vals.get("mobile")
            and vals.get("is_resident", self[:1].is_resident)
            and validators.is_mobile(vals["mobile"])
        ):
            vals = dict(vals, mobile=validators.normalize_mobile(vals["mobile"]))
        return vals

    @api.model
    def _city_find_resident(self, number):
        """Return the active resident with this full ID number (record rules apply), or an empty recordset."""
        number = validators.normalize_resident_id(number)
        if validators.resident_id_error(number):
            return self.browse()
        return self.search([("resident_id_search", "=", number), ("is_resident", "=", True)], limit=1)

    def _city_api_data(self):
        """Resident or organisation as returned by the city data interface."""
        self.ensure_one()
        full = self.env.user.has_group("city_base.group_city_base_personal_data")
        data = {
            "id": self.id,
            "name": self.name,
            "is_resident": self.is_resident,
            "division_code": self.city_division_id.code or None,
            "division": self.city_division_id.complete_name or None,
        }
        if self.is_resident:
            data.update(
                resident_id=self.sudo().resident_id_number if full else self.resident_id_masked,
                birth_date=fields.Date.to_string(self.birth_date) if self.birth_date else None,
                gender=self.gender or None,
                age=self.age,
                building=self.city_building_id.name or None,
                household=self.city_household_id.name or None,
            )
        if self.uscc:
            data["uscc"] = self.uscc
        return data
