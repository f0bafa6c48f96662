import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.city_base.tools.dates import CITY_TZ

from ..tools import demo
from .city_care_category import DERIVED_CODES

HEALTH_GROUP = "city_special_care.group_city_special_care_worker"
# Internal data of the file: family members in the portal never read these through the ORM.
INTERNAL = "base.group_user"
RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
CARE_LEVELS = [
    ("independent", "Independent"),
    ("mild", "Mild Dependence"),
    ("moderate", "Moderate Dependence"),
    ("severe", "Severe Dependence"),
]
DISABILITY_TYPES = [
    ("visual", "Visual"),
    ("hearing", "Hearing"),
    ("speech", "Speech"),
    ("physical", "Physical"),
    ("intellectual", "Intellectual"),
    ("mental", "Mental"),
    ("multiple", "Multiple"),
]
DISABILITY_GRADES = [("1", "Grade 1"), ("2", "Grade 2"), ("3", "Grade 3"), ("4", "Grade 4")]
# Fields of the full care file: reading them as another worker than the responsible one is logged.
FILE_FIELDS = (
    "care_level",
    "barthel_score",
    "disability_type",
    "disability_grade",
    "disability_certificate",
    "health_note",
    "assessment_ids",
    "last_heart_rate",
    "last_systolic",
    "last_diastolic",
    "last_spo2",
)
ADULT_AGE = 16  # 留守儿童: under 16 (国发〔2016〕13号)


def user_today(record):
    """Today in the user's time zone, or the city's for the system user and crons."""
    tz = record.env.context.get("tz") or record.env.user.tz or CITY_TZ
    return fields.Date.context_today(record.with_context(tz=tz))


ADVANCED_AGE = 80


class CityCareRecipient(models.Model):
    """The care file of one person of a special population (linked to the resident)."""

    _name = "city.care.recipient"
    _description = "Care Recipient"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "risk_sequence desc, name, id"
    _rec_names_search = ["name", "partner_id.resident_id_search"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Resident",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain=[("is_resident", "=", True)],
    )
    name = fields.Char(related="partner_id.name", store=True, index="trigram")
    resident_id_masked = fields.Char(related="partner_id.resident_id_masked", string="Resident ID")
    birth_date = fields.Date(related="partner_id.birth_date", store=True)
    gender = fields.Selection(related="partner_id.gender")
    age = fields.Integer(related="partner_id.age")
    phone = fields.Char(related="partner_id.mobile", string="Mobile")
    division_id = fields.Many2one(
        "city.division", related="partner_id.city_division_id", store=True, index=True, string="Grid"
    )
    community_id = fields.Many2one("city.division", compute="_compute_community_id", store=True, index=True)
    building_id = fields.Many2one(related="partner_id.city_building_id", string="Building")
    household_id = fields.Many2one(related="partner_id.city_household_id", string="Household")
    active = fields.Boolean(default=True, tracking=True)
    manual_category_ids = fields.Many2many(
        "city.care.category",
        "city_care_recipient_manual_category_rel",
        "recipient_id",
        "category_id",
        string="Recorded Categories",
        domain=[("is_derived", "=", False)],
        help="Categories a worker records (孤寡, 独居, 空巢); derived ones are added by the system.",
    )
    category_ids = fields.Many2many(
        "city.care.category",
        "city_care_recipient_category_rel",
        "recipient_id",
        "category_id",
        string="Categories",
        compute="_compute_category_ids",
        store=True,
        help="Recorded categories plus the derived ones, kept current (80th birthday, assessments, "
        "disability, parents working away).",
    )
    risk_level = fields.Selection(RISK_LEVELS, default="low", required=True, tracking=True)
    risk_sequence = fields.Integer(compute="_compute_risk_sequence", store=True)
    risk_changed_at = fields.Datetime(readonly=True, groups=INTERNAL)
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible Worker",
        index=True,
        tracking=True,
        domain=lambda self: [("groups_id", "in", self.env.ref(HEALTH_GROUP).id)],
        groups=INTERNAL,
    )
    # Health and disability: readable by the care group only.
    care_level = fields.Selection(CARE_LEVELS, readonly=True, tracking=True, groups=HEALTH_GROUP)
    barthel_score = fields.Integer(string="Barthel Index", readonly=True, groups=HEALTH_GROUP)
    last_assessment_date = fields.Date(readonly=True, groups=HEALTH_GROUP)
    next_assessment_date = fields.Date(string="Next Reassessment", index=True, tracking=True)
    assessment_ids = fields.One2many("city.care.assessment", "recipient_id", groups=HEALTH_GROUP)
    disability_type = fields.Selection(DISABILITY_TYPES, tracking=True, groups=HEALTH_GROUP)
    disability_grade = fields.Selection(DISABILITY_GRADES, tracking=True, groups=HEALTH_GROUP)
    disability_certificate = fields.Char(string="Disability Certificate No.", groups=HEALTH_GROUP)
    health_note = fields.Text(groups=HEALTH_GROUP)
    # Left-behind children
    parents_away = fields.Boolean(
        string="Both Parents Work Away",
        tracking=True,
        help="Both parents work away from home (or one is away and the other cannot look after the child).",
    )
    parents_work_location = fields.Char(string="Parents' Work Location", groups=INTERNAL)
    # Family and consent
    contact_ids = fields.One2many("city.care.contact", "recipient_id", string="Guardians and Contacts", groups=INTERNAL)
    guardian_id = fields.Many2one("city.care.contact", compute="_compute_guardian_id", groups=INTERNAL)
    consent_ids = fields.One2many("city.care.consent", "recipient_id", groups=INTERNAL)
    family_partner_ids = fields.Many2many(
        "res.partner",
        "city_care_recipient_family_partner_rel",
        "recipient_id",
        "partner_id",
        string="Family with Portal Access",
        compute="_compute_family_access",
        store=True,
    )
    family_alarm_partner_ids = fields.Many2many(
        "res.partner",
        "city_care_recipient_family_alarm_rel",
        "recipient_id",
        "partner_id",
        compute="_compute_family_access",
        store=True,
    )
    family_visit_partner_ids = fields.Many2many(
        "res.partner",
        "city_care_recipient_family_visit_rel",
        "recipient_id",
        "partner_id",
        compute="_compute_family_access",
        store=True,
    )
    family_reading_partner_ids = fields.Many2many(
        "res.partner",
        "city_care_recipient_family_reading_rel",
        "recipient_id",
        "partner_id",
        compute="_compute_family_access",
        store=True,
    )
    # Devices, zones, thresholds, readings
    device_ids = fields.One2many("city.care.device", "recipient_id", string="Devices", groups=INTERNAL)
    zone_ids = fields.One2many("city.care.zone", "recipient_id", string="Safe Zones", groups=INTERNAL)
    heart_rate_min = fields.Integer(default=lambda self: self._default_threshold("heart_rate_min", 50), groups=INTERNAL)
    heart_rate_max = fields.Integer(
        default=lambda self: self._default_threshold("heart_rate_max", 120), groups=INTERNAL
    )
    systolic_max = fields.Integer(default=lambda self: self._default_threshold("systolic_max", 160), groups=INTERNAL)
    systolic_min = fields.Integer(default=lambda self: self._default_threshold("systolic_min", 90), groups=INTERNAL)
    diastolic_max = fields.Integer(default=lambda self: self._default_threshold("diastolic_max", 100), groups=INTERNAL)
    spo2_min = fields.Integer(
        string="SpO2 Min", default=lambda self: self._default_threshold("spo2_min", 90), groups=INTERNAL
    )
    last_heart_rate = fields.Integer(readonly=True, groups=HEALTH_GROUP)
    last_systolic = fields.Integer(readonly=True, groups=HEALTH_GROUP)
    last_diastolic = fields.Integer(readonly=True, groups=HEALTH_GROUP)
    last_spo2 = fields.Integer(string="Last SpO2", readonly=True, groups=HEALTH_GROUP)
    last_reading_at = fields.Datetime(readonly=True, groups=INTERNAL)
    last_latitude = fields.Float(digits=(10, 7), readonly=True, groups=INTERNAL)
    last_longitude = fields.Float(digits=(10, 7), readonly=True, groups=INTERNAL)
    last_location_at = fields.Datetime(readonly=True, groups=INTERNAL)
    # Visits
    visit_interval_days = fields.Integer(
        compute="_compute_visit_interval_days",
        store=True,
        help="Days between proactive visits, from the most frequent visit policy that matches.",
        groups=INTERNAL,
    )
    visit_ids = fields.One2many("city.care.visit", "recipient_id", string="Visits", groups=INTERNAL)
    last_visit_date = fields.Datetime(readonly=True, groups=INTERNAL)
    next_visit_due = fields.Datetime(readonly=True, index=True, groups=INTERNAL)
    alarm_ids = fields.One2many("city.care.alarm", "recipient_id", string="Alarms", groups=INTERNAL)
    open_alarm_count = fields.Integer(compute="_compute_open_alarm_count", groups=INTERNAL)
    note = fields.Html(groups=INTERNAL)

    _sql_constraints = [
        ("partner_unique", "unique(partner_id)", "This resident already has a care file."),
        (
            "thresholds_ordered",
            "CHECK(heart_rate_min < heart_rate_max AND systolic_min < systolic_max)",
            "A minimum threshold must be below its maximum.",
        ),
    ]

    def init(self):
        result = super().init()
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_care_recipient_birth_active_idx
                ON city_care_recipient (birth_date) WHERE active"""
        )
        return result

    @api.model
    def _default_threshold(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"city_special_care.{key}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    @api.depends("division_id", "division_id.parent_id")
    def _compute_community_id(self):
        for recipient in self:
            division = recipient.division_id
            while division and division.type not in ("community", "street", "district", "city"):
                division = division.parent_id
            recipient.community_id = division if division.type == "community" else recipient.division_id

    @api.depends("risk_level")
    def _compute_risk_sequence(self):
        order = {"low": 0, "medium": 1, "high": 2}
        for recipient in self:
            recipient.risk_sequence = order.get(recipient.risk_level, 0)

    @api.model
    def _derived_categories(self):
        categories = (
            self.env["city.care.category"].with_context(active_test=False).search([("code", "in", DERIVED_CODES)])
        )
        return {category.code: category for category in categories}

    @api.depends(
        "manual_category_ids",
        "birth_date",
        "care_level",
        "disability_type",
        "disability_grade",
        "parents_away",
    )
    @api.depends_context("city_age_date")
    def _compute_category_ids(self):
        derived = self._derived_categories()
        today = fields.Date.to_date(self.env.context.get("city_age_date") or fields.Date.context_today(self))
        for recipient in self:
            sudo = recipient.sudo()
            codes = set()
            birth = recipient.birth_date
            age = relativedelta(today, birth).years if birth else None
            if age is not None and age >= ADVANCED_AGE:
                codes.add("elderly_80")
            if sudo.care_level == "severe":
                codes.add("disabled_full")
            elif sudo.care_level == "moderate":
                codes.add("disabled_semi")
            if sudo.disability_type and sudo.disability_grade:
                codes.add("disability")
            if recipient.parents_away and age is not None and age < ADULT_AGE:
                codes.add("left_behind_child")
            categories = recipient.manual_category_ids.filtered(lambda category: not category.is_derived)
            for code in codes:
                if code in derived:
                    categories |= derived[code]
            recipient.category_ids = categories

    @api.depends("contact_ids.is_guardian", "contact_ids.priority")
    def _compute_guardian_id(self):
        for recipient in self:
            guardians = recipient.contact_ids.filtered("is_guardian").sorted("priority")
            recipient.guardian_id = guardians[:1]

    @api.depends(
        "consent_ids.state",
        "consent_ids.contact_id.partner_id",
        "consent_ids.share_alarms",
        "consent_ids.share_visits",
        "consent_ids.share_readings",
        "consent_ids.shared_with",
    )
    def _compute_family_access(self):
        for recipient in self:
            consents = recipient.consent_ids.filtered(
                lambda consent: (
                    consent.state == "active" and consent.shared_with == "family" and consent.contact_id.partner_id
                )
            )
            recipient.family_partner_ids = consents.contact_id.partner_id
            recipient.family_alarm_partner_ids = consents.filtered("share_alarms").contact_id.partner_id
            recipient.family_visit_partner_ids = consents.filtered("share_visits").contact_id.partner_id
            recipient.family_reading_partner_ids = consents.filtered("share_readings").contact_id.partner_id

    @api.depends("category_ids", "risk_level")
    def _compute_visit_interval_days(self):
        policies = self.env["city.care.visit.policy"].sudo().search([("active", "=", True)])
        for recipient in self:
            recipient.visit_interval_days = policies._interval_for(recipient.category_ids, recipient.risk_level)

    def _compute_open_alarm_count(self):
        counts = dict(
            self.env["city.care.alarm"]._read_group(
                [("recipient_id", "in", self.ids), ("state", "not in", ("resolved",))], ["recipient_id"], ["__count"]
            )
        )
        for recipient in self:
            recipient.open_alarm_count = counts.get(recipient, 0)

    @api.constrains("partner_id")
    def _check_partner(self):
        for recipient in self:
            if not recipient.partner_id.is_resident:
                raise ValidationError(self.env._("A care file is kept for a registered resident only."))

    @api.constrains("heart_rate_min", "heart_rate_max", "systolic_min", "systolic_max", "diastolic_max", "spo2_min")
    def _check_thresholds(self):
        for recipient in self:
            if not 20 <= recipient.heart_rate_min < recipient.heart_rate_max <= 250:
                raise ValidationError(self.env._("Heart-rate thresholds must lie between 20 and 250 per minute."))
            if (
                not 50 <= recipient.systolic_min < recipient.systolic_max <= 260
                or not 30 <= recipient.diastolic_max <= 200
            ):
                raise ValidationError(self.env._("Blood-pressure thresholds are out of the possible range."))
            if not 50 <= recipient.spo2_min <= 100:
                raise ValidationError(self.env._("The SpO2 threshold must be a percentage between 50 and 100."))

    @api.constrains("manual_category_ids")
    def _check_manual_categories(self):
        for recipient in self:
            if recipient.manual_category_ids.filtered("is_derived"):
                raise ValidationError(
                    self.env._("Derived categories (高龄, 失能, 残障, 留守儿童) are set by the system, not by hand.")
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            vals.setdefault("risk_changed_at", now)
        recipients = super().create(vals_list)
        recipients._schedule_visits()
        return recipients

    def write(self, vals):
        raised = self.browse()
        if "risk_level" in vals:
            raised = self.filtered(lambda r: r.risk_level != "high" and vals["risk_level"] == "high")
            vals = dict(vals, risk_changed_at=fields.Datetime.now())
        result = super().write(vals)
        if raised:
            raised._book_major_change_visit(self.env._("Risk level raised to high."))
        if vals.get("active") is False:
            # A closed file keeps its history but plans nothing more.
            self.env["city.care.visit"].sudo().search(
                [("recipient_id", "in", self.ids), ("state", "=", "planned")]
            ).write({"state": "cancelled", "is_overdue": False})
        if {
            "risk_level",
            "manual_category_ids",
            "care_level",
            "active",
            "parents_away",
            "disability_type",
            "disability_grade",
        } & set(vals):
            self._schedule_visits()
        return result

    def web_read(self, specification):
        """Log reads of the full care file (the form) by anyone but the responsible worker.

        The form's read runs in a read-write transaction to write the log; lists read through
        ``web_search_read`` in a read-only one and are not a read of the full file.
        """
        result = super().web_read(specification)
        if self.env.cr.readonly:
            return result
        if len(self) == 1 and not self.env.su and FILE_FIELDS_SET & set(specification):
            if self.responsible_user_id != self.env.user and self.env.user.has_group(HEALTH_GROUP):
                self.env["city.care.access.log"]._log(self, sorted(FILE_FIELDS_SET & set(specification)))
        return result

    web_read._readonly = False

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_major_change(self):
        """A major change in the person's situation: a visit within 24 hours."""
        self.check_access("write")
        self._book_major_change_visit(self.env._("Major change recorded by %(user)s.", user=self.env.user.name))
        return True

    def action_new_assessment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.care.assessment",
            "view_mode": "form",
            "context": {"default_recipient_id": self.id},
            "target": "current",
        }

    def action_view_alarms(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_special_care.city_care_alarm_action")
        action["domain"] = [("recipient_id", "=", self.id)]
        action["context"] = {"default_recipient_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _book_major_change_visit(self, reason):
        Visit = self.env["city.care.visit"].sudo()
        deadline = fields.Datetime.now() + datetime.timedelta(hours=24)
        for recipient in self:
            Visit._book(recipient, "major_change", deadline, reason)

    def _schedule_visits(self):
        """Make sure every active recipient has one planned routine visit, due by its policy."""
        self.env["city.care.visit"].sudo()._schedule_routine(self.filtered("active"))

    @api.model
    def _cron_refresh_categories(self):
        """Keep the age-derived categories current (80th and 16th birthdays) — set-based."""
        today = user_today(self)
        derived = self._derived_categories()
        stale_ids = set()
        queries = []
        if "elderly_80" in derived:
            queries.append(
                SQL(
                    """
                    SELECT r.id FROM city_care_recipient r
                     WHERE r.active AND r.birth_date <= %(born)s
                       AND NOT EXISTS (SELECT 1 FROM city_care_recipient_category_rel rel
                                        WHERE rel.recipient_id = r.id AND rel.category_id = %(category)s)
                    """,
                    born=today - relativedelta(years=ADVANCED_AGE),
                    category=derived["elderly_80"].id,
                )
            )
        if "left_behind_child" in derived:
            queries.append(
                SQL(
                    """
                    SELECT rel.recipient_id FROM city_care_recipient_category_rel rel
                      JOIN city_care_recipient r ON r.id = rel.recipient_id
                     WHERE rel.category_id = %(category)s AND r.birth_date <= %(born)s
                    """,
                    born=today - relativedelta(years=ADULT_AGE),
                    category=derived["left_behind_child"].id,
                )
            )
        for query in queries:
            self.env.cr.execute(query)
            stale_ids.update(row[0] for row in self.env.cr.fetchall())
        if stale_ids:
            stale = self.browse(sorted(stale_ids))
            self.env.add_to_compute(self._fields["category_ids"], stale)
            stale.flush_recordset(["category_ids"])
            # Recomputing a field by hand does not mark what depends on it: the visit interval too.
            self.env.add_to_compute(self._fields["visit_interval_days"], stale)
            stale.flush_recordset(["visit_interval_days"])
            stale._schedule_visits()
        return len(stale_ids)

    @api.model
    def _cron_refresh_consents(self):
        """Consents that reached their end date stop giving portal access."""
        consents = self.env["city.care.consent"].sudo()._expire_due()
        return len(consents)

    @api.model
    def _demo_populate(self):
        """Demo data only (called by demo/city_care_demo.xml): care files and a week of care work."""
        demo.populate(self.env)


FILE_FIELDS_SET = frozenset(FILE_FIELDS)
