import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from odoo.addons.city_base.tools import validators

_lt = LazyTranslate(__name__)

CATEGORIES = [
    ("1", "Household and Property in the District"),
    ("2", "Household in the District, Property Elsewhere or None"),
    ("3", "Property in the District without Household"),
    ("4", "Policy Case"),
]
POLICY_REASONS = [
    ("military", "Military or Police Family"),
    ("talent", "Introduced Talent"),
    ("migrant", "Children of Migrant Workers"),
    ("special", "Special Hardship or Disability"),
    ("other", "Other Policy"),
]
STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("under_review", "Under Review"),
    ("returned", "Returned"),
    ("approved", "Approved"),
    ("placed", "Placed"),
    ("waitlisted", "Waitlisted"),
    ("allocated", "Allocated Elsewhere"),
    ("appealed", "Appealed"),
    ("closed", "Closed"),
]
# Allowed moves; placed and waitlisted come from the draw (set-based) and are listed for completeness.
TRANSITIONS = {
    "draft": {"submitted", "closed"},
    "submitted": {"under_review", "closed"},
    "under_review": {"returned", "approved"},
    "returned": {"submitted", "closed"},
    "approved": {"placed", "waitlisted", "closed"},
    "placed": {"appealed", "closed"},
    "waitlisted": {"allocated", "appealed", "closed"},
    "allocated": {"appealed", "closed"},
    "appealed": {"placed", "waitlisted", "allocated"},
    "closed": set(),
}
# Age on 31 August of the campaign year accepted for each stage.
STAGE_AGES = {"primary": (6, 8), "junior": (11, 14), "senior": (14, 17)}
MATERIALS = [
    ("birth", "Birth Certificate"),
    ("household", "Household Register"),
    ("property", "Property Certificate"),
    ("policy", "Policy Case Proof"),
]


class CitySchoolApplication(models.Model):
    """A parent's application for a school place for a child (入学申请).

    The category and target school follow from where the household is registered and where the
    family owns its home, against the school districts of the campaign's stage.
    """

    _name = "city.school.application"
    _description = "School Place Application"
    _inherit = ["portal.mixin", "mail.thread"]
    _order = "id desc"

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/", index=True)
    campaign_id = fields.Many2one(
        "city.school.enrolment.campaign", required=True, index=True, ondelete="restrict", tracking=True
    )
    stage = fields.Selection(related="campaign_id.stage", store=True)
    parent_partner_id = fields.Many2one(
        "res.partner",
        string="Parent",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        default=lambda self: self.env.user.partner_id,
    )
    child_name = fields.Char(required=True, tracking=True)
    child_id_number = fields.Char(
        string="Child's Resident ID",
        copy=False,
        groups="city_school.group_city_school_teacher,city_base.group_city_base_personal_data",
    )
    child_id_masked = fields.Char(string="Child's ID", compute="_compute_child", store=True)
    child_birth_date = fields.Date(compute="_compute_child", store=True)
    child_gender = fields.Selection([("male", "Male"), ("female", "Female")], compute="_compute_child", store=True)
    household_division_id = fields.Many2one(
        "city.division", string="Household Registration Division", index=True, ondelete="restrict", tracking=True
    )
    household_address = fields.Char(string="Household Registration Address")
    household_registered_on = fields.Date(tracking=True)
    has_property = fields.Boolean(string="Owns the Home", tracking=True)
    property_division_id = fields.Many2one(
        "city.division", string="Home Division", index="btree_not_null", ondelete="restrict", tracking=True
    )
    property_address = fields.Char(string="Home Address")
    property_certificate_no = fields.Char(string="Property Certificate No.")
    property_registered_on = fields.Date(tracking=True)
    policy_case = fields.Boolean(tracking=True)
    policy_reason = fields.Selection(POLICY_REASONS, tracking=True)
    policy_school_id = fields.Many2one(
        "city.school",
        string="Requested School (Policy Case)",
        ondelete="restrict",
        help="The school a policy case asks for; other categories get the school of their district.",
    )
    category = fields.Selection(
        CATEGORIES, string="Priority Category", compute="_compute_category", store=True, index=True
    )
    school_id = fields.Many2one(
        "city.school",
        string="District School",
        compute="_compute_category",
        store=True,
        index=True,
        help="The school whose district the application belongs to.",
    )
    priority_date = fields.Date(
        compute="_compute_category",
        store=True,
        help="Within a category, earlier dates come first: household registration (categories 1 and 2), "
        "property registration (3) or submission (policy cases).",
    )
    state = fields.Selection(STATES, default="draft", required=True, index=True, tracking=True, copy=False)
    state_before_appeal = fields.Char(copy=False)
    submitted_on = fields.Datetime(readonly=True, copy=False)
    return_reason = fields.Text(tracking=True, copy=False)
    review_note = fields.Text(copy=False)
    reviewer_id = fields.Many2one("res.users", readonly=True, copy=False)
    reviewed_on = fields.Datetime(readonly=True, copy=False)
    material_ids = fields.One2many("city.school.application.material", "application_id", string="Materials")
    appeal_ids = fields.One2many("city.school.enrolment.appeal", "application_id", string="Appeals")
    result_school_id = fields.Many2one(
        "city.school", string="Placed At", readonly=True, copy=False, index="btree_not_null", tracking=True
    )
    drawn = fields.Boolean(string="In the Draw", readonly=True, copy=False)
    drawn_placed = fields.Boolean(string="Placed by the Draw", readonly=True, copy=False)
    in_lottery = fields.Boolean(string="Decided by Lottery", readonly=True, copy=False)
    lottery_key = fields.Char(readonly=True, copy=False)
    lottery_rank = fields.Integer(readonly=True, copy=False)

    _sql_constraints = [("name_unique", "unique(name)", "The application number must be unique.")]

    def init(self):
        result = super().init()
        # A child has one live application per campaign, and is never placed twice.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS city_school_application_child_live_uniq
                ON city_school_application (campaign_id, child_id_number) WHERE state != 'closed'"""
        )
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS city_school_application_child_placed_uniq
                ON city_school_application (campaign_id, child_id_number) WHERE state IN ('placed', 'allocated')"""
        )
        return result

    @api.depends("child_id_number")
    def _compute_child(self):
        for app in self:
            number = validators.normalize_resident_id(app.sudo().child_id_number)
            app.child_id_masked = validators.mask_resident_id(number) or False
            if number and not validators.resident_id_error(number):
                app.child_birth_date, app.child_gender = validators.parse_resident_id(number)
            else:
                app.child_birth_date = app.child_gender = False

    @api.depends(
        "campaign_id.stage",
        "household_division_id",
        "household_registered_on",
        "has_property",
        "property_division_id",
        "property_registered_on",
        "policy_case",
        "policy_school_id",
        "submitted_on",
    )
    def _compute_category(self):
        mappings = {}
        for app in self:
            stage = app.campaign_id.stage
            if stage not in mappings:
                mappings[stage] = self._district_schools(stage)
            mapping = mappings[stage]
            household_school = self._school_for(app.household_division_id, mapping)
            property_school = self._school_for(app.property_division_id, mapping) if app.has_property else None
            category = school = date = False
            if household_school and property_school == household_school:
                category, school, date = "1", household_school, app.household_registered_on
            elif household_school:
                category, school, date = "2", household_school, app.household_registered_on
            elif property_school:
                category, school, date = "3", property_school, app.property_registered_on
            elif app.policy_case and app.policy_school_id:
                category, school = "4", app.policy_school_id
                date = (app.submitted_on or fields.Datetime.now()).date()
            app.category = category
            app.school_id = school
            app.priority_date = date

    @api.model
    def _district_schools(self, stage):
        """{division id: school} for the school districts of ``stage``."""
        mapping = {}
        if not stage:
            return mapping
        for school in self.env["city.school"].sudo().search([("stage", "=", stage)], order="id"):
            for division in school.district_division_ids:
                mapping.setdefault(division.id, school.with_env(self.env))
        return mapping

    @staticmethod
    def _school_for(division, mapping):
        """The school whose district contains ``division`` (the nearest listed ancestor wins)."""
        if not division:
            return None
        path = [int(part) for part in (division.sudo().parent_path or "").split("/") if part]
        for division_id in reversed(path):
            if division_id in mapping:
                return mapping[division_id]
        return None

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for app in self:
            app.access_url = f"/my/school/applications/{app.id}"
        return result

    @api.constrains("child_id_number", "campaign_id")
    def _check_child(self):
        for app in self.sudo():
            number = validators.normalize_resident_id(app.child_id_number)
            if not number:
                continue
            error = validators.resident_id_error(number)
            if error:
                raise ValidationError(
                    self.env._("The child's resident ID %(number)s is not valid.", number=app.child_id_masked)
                )
            low, high = STAGE_AGES[app.campaign_id.stage]
            cutoff = datetime.date(app.campaign_id.year, 8, 31)
            birth = app.child_birth_date
            age = cutoff.year - birth.year - ((cutoff.month, cutoff.day) < (birth.month, birth.day))
            if not low <= age <= high:
                raise ValidationError(
                    self.env._(
                        "%(child)s is %(age)s on 31 August %(year)s; this stage admits children aged %(low)s to "
                        "%(high)s.",
                        child=app.child_name,
                        age=age,
                        year=app.campaign_id.year,
                        low=low,
                        high=high,
                    )
                )

    @api.constrains("state", "child_id_number", "campaign_id")
    def _check_one_live(self):
        for app in self.sudo().filtered(lambda a: a.state != "closed" and a.child_id_number):
            other = self.sudo().search_count(
                [
                    ("id", "!=", app.id),
                    ("campaign_id", "=", app.campaign_id.id),
                    ("child_id_number", "=", app.child_id_number),
                    ("state", "!=", "closed"),
                ]
            )
            if other:
                raise ValidationError(
                    self.env._("%(child)s already has an application in this enrolment.", child=app.child_name)
                )

    @api.constrains("state", "child_id_number", "campaign_id")
    def _check_placed_once(self):
        for app in self.sudo().filtered(lambda a: a.state in ("placed", "allocated")):
            twice = self.sudo().search_count(
                [
                    ("id", "!=", app.id),
                    ("campaign_id", "=", app.campaign_id.id),
                    ("child_id_number", "=", app.child_id_number),
                    ("state", "in", ("placed", "allocated")),
                ]
            )
            if twice:
                raise ValidationError(self.env._("%(child)s already has a school place.", child=app.child_name))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("child_id_number"):
                vals["child_id_number"] = validators.normalize_resident_id(vals["child_id_number"])
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("city.school.application") or "/"
        # closed applications must reach the database before the unique index checks the new ones
        self.flush_model(["state"])
        apps = super().create(vals_list)
        apps._sync_materials()
        return apps

    def write(self, vals):
        if vals.get("child_id_number"):
            vals["child_id_number"] = validators.normalize_resident_id(vals["child_id_number"])
        result = super().write(vals)
        if {"has_property", "policy_case", "household_division_id", "property_division_id"} & set(vals):
            self._sync_materials()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(app.state != "draft" for app in self):
            raise UserError(self.env._("Only draft applications can be deleted; close the others."))

    # ------------------------------------------------------------------
    # Materials
    # ------------------------------------------------------------------
    def _required_materials(self):
        self.ensure_one()
        kinds = ["birth", "household"]
        if self.has_property:
            kinds.append("property")
        if self.policy_case:
            kinds.append("policy")
        return kinds

    def _sync_materials(self):
        """Add the checklist lines the application needs (existing lines are kept)."""
        Material = self.env["city.school.application.material"].sudo()
        values = []
        for app in self:
            present = set(app.sudo().material_ids.mapped("kind"))
            values += [
                {"application_id": app.id, "kind": kind} for kind in app._required_materials() if kind not in present
            ]
        if values:
            Material.create(values)

    # ------------------------------------------------------------------
    # State changes
    # ------------------------------------------------------------------
    def _set_state(self, state, **values):
        labels = dict(STATES)
        for app in self:
            if state not in TRANSITIONS[app.state]:
                raise UserError(
                    self.env._(
                        "Application %(name)s cannot go from %(from)s to %(to)s.",
                        name=app.name,
                        **{"from": self.env._(labels[app.state]), "to": self.env._(labels[state])},
                    )
                )
        self.write(dict(values, state=state))

    def _check_staff(self, bureau=False):
        group = "city_school.group_city_school_bureau" if bureau else "city_school.group_city_school_admin"
        if not self.env.user.has_group(group):
            raise AccessError(self.env._("Only school administrators and the education bureau review applications."))
        self.check_access("write")

    def action_submit(self):
        for app in self:
            campaign = app.campaign_id
            if campaign.state != "open":
                raise UserError(self.env._("The campaign %(name)s does not take applications now.", name=campaign.name))
            today = fields.Date.context_today(self)
            if app.state == "draft" and not campaign.date_start <= today <= campaign.date_end:
                raise UserError(
                    self.env._(
                        "Applications are accepted from %(start)s to %(end)s.",
                        start=campaign.date_start,
                        end=campaign.date_end,
                    )
                )
            if not app.sudo().child_id_number:
                raise UserError(self.env._("Enter the child's resident ID."))
            if not app.household_division_id or not app.household_registered_on:
                raise UserError(self.env._("Enter where and since when the child's household is registered."))
            if app.has_property and not (
                app.property_division_id and app.property_certificate_no and app.property_registered_on
            ):
                raise UserError(self.env._("Enter the home's division, certificate number and registration date."))
            if app.policy_case and not (app.policy_reason and app.policy_school_id):
                raise UserError(self.env._("A policy case needs its reason and the requested school."))
            required = app._required_materials()
            missing = app.sudo().material_ids.filtered(lambda m, kinds=required: m.kind in kinds and not m.attachment)
            if missing:
                raise UserError(
                    self.env._(
                        "Upload the required materials first: %(kinds)s.",
                        kinds=", ".join(missing.mapped("kind_label")),
                    )
                )
        self._set_state("submitted", submitted_on=fields.Datetime.now())
        for app in self:
            if not app.category:
                raise UserError(
                    self.env._(
                        "No school district of this stage covers the household or the home; apply as a policy case."
                    )
                )

    def action_start_review(self):
        self._check_staff()
        self._set_state("under_review", reviewer_id=self.env.user.id)

    def action_approve(self):
        self._check_staff()
        for app in self:
            if app.campaign_id.state not in ("open", "review"):
                raise UserError(self.env._("The campaign's seed is published: no more approvals."))
            required = app._required_materials()
            unverified = app.material_ids.filtered(lambda m, kinds=required: m.kind in kinds and not m.verified)
            if unverified:
                raise UserError(
                    self.env._(
                        "Verify every required material first: %(kinds)s.",
                        kinds=", ".join(unverified.mapped("kind_label")),
                    )
                )
        self._set_state("approved", reviewer_id=self.env.user.id, reviewed_on=fields.Datetime.now())

    def action_return(self):
        self._check_staff()
        if any(not app.return_reason for app in self):
            raise UserError(self.env._("Give the reason for returning the application to the parent."))
        self._set_state("returned", reviewer_id=self.env.user.id, reviewed_on=fields.Datetime.now())
        for app in self:
            app.message_post(
                body=self.env._("Returned to the parent: %(reason)s", reason=app.return_reason),
                partner_ids=app.parent_partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )

    def action_allocate(self, school):
        """Give a waitlisted (or appealing) child a place at ``school`` where seats are left (bureau)."""
        self._check_staff(bureau=True)
        for app in self:
            if school.stage != app.stage:
                raise UserError(self.env._("%(school)s is not a school of this stage.", school=school.name))
            if app.campaign_id.state != "drawn":
                raise UserError(self.env._("Places are allocated after the draw."))
            taken = self.search_count(
                [
                    ("campaign_id", "=", app.campaign_id.id),
                    ("result_school_id", "=", school.id),
                    ("state", "in", ("placed", "allocated")),
                ]
            )
            if taken >= school._seats(app.campaign_id.year):
                raise UserError(self.env._("%(school)s has no seat left.", school=school.name))
            app._set_state("allocated", result_school_id=school.id)

    def action_close(self):
        self._check_staff()
        self._set_state("closed")
