from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .city_care_recipient import CARE_LEVELS, user_today

# The Barthel ADL index (Mahoney & Barthel 1965; WS/T 484-2015 uses the same items and scores).
BARTHEL_ITEMS = {
    "feeding": [("0", "0 – unable"), ("5", "5 – needs help"), ("10", "10 – independent")],
    "bathing": [("0", "0 – dependent"), ("5", "5 – independent")],
    "grooming": [("0", "0 – needs help"), ("5", "5 – independent")],
    "dressing": [("0", "0 – dependent"), ("5", "5 – needs help"), ("10", "10 – independent")],
    "bowels": [("0", "0 – incontinent"), ("5", "5 – occasional accident"), ("10", "10 – continent")],
    "bladder": [("0", "0 – incontinent"), ("5", "5 – occasional accident"), ("10", "10 – continent")],
    "toilet": [("0", "0 – dependent"), ("5", "5 – needs some help"), ("10", "10 – independent")],
    "transfer": [
        ("0", "0 – unable"),
        ("5", "5 – major help"),
        ("10", "10 – minor help"),
        ("15", "15 – independent"),
    ],
    "mobility": [
        ("0", "0 – immobile"),
        ("5", "5 – wheelchair independent"),
        ("10", "10 – walks with help"),
        ("15", "15 – independent"),
    ],
    "stairs": [("0", "0 – unable"), ("5", "5 – needs help"), ("10", "10 – independent")],
}
REASSESS_MONTHS = {"independent": 12, "mild": 6, "moderate": 6, "severe": 3}


def barthel_band(score):
    """100 independent, 61–99 mild, 41–60 moderate, ≤ 40 severe dependence."""
    if score >= 100:
        return "independent"
    if score >= 61:
        return "mild"
    if score >= 41:
        return "moderate"
    return "severe"


class CityCareAssessment(models.Model):
    """A Barthel ADL assessment; confirming it sets the recipient's care level."""

    _name = "city.care.assessment"
    _description = "Barthel ADL Assessment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    assessor_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user, tracking=True)
    reason = fields.Selection(
        [("initial", "Initial"), ("periodic", "Periodic"), ("after_fall", "After a Fall"), ("change", "Major Change")],
        required=True,
        default="periodic",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Confirmed")], default="draft", required=True, readonly=True, tracking=True
    )
    feeding = fields.Selection(BARTHEL_ITEMS["feeding"])
    bathing = fields.Selection(BARTHEL_ITEMS["bathing"])
    grooming = fields.Selection(BARTHEL_ITEMS["grooming"])
    dressing = fields.Selection(BARTHEL_ITEMS["dressing"])
    bowels = fields.Selection(BARTHEL_ITEMS["bowels"])
    bladder = fields.Selection(BARTHEL_ITEMS["bladder"])
    toilet = fields.Selection(BARTHEL_ITEMS["toilet"], string="Toilet Use")
    transfer = fields.Selection(BARTHEL_ITEMS["transfer"], string="Transfers (Bed to Chair)")
    mobility = fields.Selection(BARTHEL_ITEMS["mobility"], string="Mobility on Level Surfaces")
    stairs = fields.Selection(BARTHEL_ITEMS["stairs"])
    score = fields.Integer(compute="_compute_score", store=True, string="Barthel Index")
    band = fields.Selection(CARE_LEVELS, compute="_compute_score", store=True, string="Dependence")
    next_date = fields.Date(string="Next Reassessment", compute="_compute_next_date", store=True, readonly=False)
    note = fields.Text()

    @api.depends(*BARTHEL_ITEMS)
    def _compute_score(self):
        for assessment in self:
            assessment.score = sum(int(assessment[item] or 0) for item in BARTHEL_ITEMS)
            assessment.band = barthel_band(assessment.score)

    @api.depends("date", "band")
    def _compute_next_date(self):
        for assessment in self:
            months = REASSESS_MONTHS.get(assessment.band, 6)
            assessment.next_date = assessment.date + relativedelta(months=months) if assessment.date else False

    @api.depends("recipient_id", "date", "score")
    def _compute_display_name(self):
        for assessment in self:
            assessment.display_name = f"{assessment.recipient_id.name} {assessment.date or ''} ({assessment.score})"

    def write(self, vals):
        if self.filtered(lambda a: a.state == "done") and set(vals) - {"message_main_attachment_id", "activity_ids"}:
            raise UserError(self.env._("A confirmed assessment cannot be changed; record a new one."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if self.filtered(lambda a: a.state == "done"):
            raise UserError(self.env._("A confirmed assessment is part of the history and cannot be deleted."))

    def action_confirm(self):
        for assessment in self:
            if assessment.state != "draft":
                raise UserError(self.env._("Only a draft assessment can be confirmed."))
            missing = [
                assessment._fields[item].get_description(self.env)["string"]
                for item in BARTHEL_ITEMS
                if not assessment[item]
            ]
            if missing:
                raise UserError(self.env._("Score every item before confirming: %(items)s.", items=", ".join(missing)))
        for assessment in self.sorted("date"):
            assessment.state = "done"
            recipient = assessment.recipient_id.sudo()
            latest = self.search(
                [("recipient_id", "=", recipient.id), ("state", "=", "done")], order="date desc, id desc", limit=1
            )
            if latest == assessment:
                previous = recipient.care_level
                recipient.write(
                    {
                        "care_level": assessment.band,
                        "barthel_score": assessment.score,
                        "last_assessment_date": assessment.date,
                        "next_assessment_date": assessment.next_date,
                    }
                )
                assessment.activity_unlink(["city_special_care.mail_activity_type_reassessment"])
                if previous and _worse(assessment.band, previous):
                    recipient._book_major_change_visit(
                        self.env._("Care level worsened to %(level)s.", level=assessment._band_label())
                    )
        return True

    def _band_label(self):
        return dict(self._fields["band"]._description_selection(self.env)).get(self.band)


def _worse(new, old):
    order = [code for code, _label in CARE_LEVELS]
    return order.index(new) > order.index(old)


class CityCareRecipientReassessment(models.Model):
    _inherit = "city.care.recipient"

    @api.model
    def _cron_due_reassessments(self):
        """A draft assessment and an activity for every file whose reassessment falls due within a week."""
        horizon = user_today(self) + relativedelta(days=7)
        Assessment = self.env["city.care.assessment"]
        due = self.search([("active", "=", True), ("next_assessment_date", "<=", horizon)])
        pending = set(Assessment.search([("recipient_id", "in", due.ids), ("state", "=", "draft")]).recipient_id.ids)
        created = Assessment
        for recipient in due.filtered(lambda r: r.id not in pending):
            assessment = Assessment.create(
                {
                    "recipient_id": recipient.id,
                    "reason": "periodic",
                    "date": recipient.next_assessment_date,
                    "assessor_id": (recipient.responsible_user_id or self.env.user).id,
                }
            )
            if recipient.responsible_user_id:
                assessment.activity_schedule(
                    "city_special_care.mail_activity_type_reassessment",
                    date_deadline=recipient.next_assessment_date,
                    user_id=recipient.responsible_user_id.id,
                )
            created |= assessment
        return len(created)
