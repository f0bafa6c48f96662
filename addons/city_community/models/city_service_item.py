import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CityServiceItem(models.Model):
    """An entry of the service catalogue (事项目录): same item, same standard, same code."""

    _name = "city.service.item"
    _description = "Service Item"
    _inherit = ["mail.thread"]
    _order = "category_id, sequence, code"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        index=True,
        tracking=True,
        help="Unique item code of the catalogue, e.g. SQ-SB-001 (letters, digits and dashes).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category_id = fields.Many2one("city.service.category", required=True, index=True, tracking=True)
    description = fields.Text()
    conditions = fields.Text(string="Eligibility", help="Who may apply and on what conditions.")
    material_ids = fields.One2many("city.service.material", "item_id", string="Required Materials", copy=True)
    question_ids = fields.One2many("city.service.question", "item_id", string="Questions", copy=True)
    legal_days = fields.Integer(
        string="Time Limit (working days)",
        default=5,
        tracking=True,
        help="Legal time limit to complete the request after acceptance, in working days.",
    )
    accept_hours = fields.Float(
        string="Acceptance Limit (working hours)",
        default=7,
        tracking=True,
        help="Time to accept or refuse a submitted request, in working hours (one working day is 7 hours).",
    )
    alarm_ack_minutes = fields.Integer(
        string="Alarm Acknowledgement (minutes)",
        default=30,
        help="For sensor alarms: minutes, around the clock, to acknowledge the alarm.",
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.ref("base.CNY"), required=True)
    fee = fields.Monetary(tracking=True, help="Fee charged to the applicant; 0 for free services.")
    online = fields.Boolean(string="Online Application", default=True, tracking=True)
    is_alarm = fields.Boolean(string="Alarm Item", help="Requests of this item are opened by sensor alarms.")
    department_id = fields.Many2one("city.department", string="Lead Department", tracking=True)
    assist_department_ids = fields.Many2many(
        "city.department", "city_service_item_assist_rel", "item_id", "department_id", string="Assisting Departments"
    )
    duplicate_days = fields.Integer(
        default=7, help="Open requests of the same item and place submitted within this many days are duplicates."
    )
    request_count = fields.Integer(compute="_compute_request_count")

    _sql_constraints = [
        ("code_unique", "unique(code)", "A service item code must be unique: same item, same code."),
        ("legal_days_positive", "CHECK(legal_days > 0)", "The time limit must be at least one working day."),
        ("accept_hours_positive", "CHECK(accept_hours > 0)", "The acceptance limit must be positive."),
        ("fee_positive", "CHECK(fee >= 0)", "The fee cannot be negative."),
    ]

    def _compute_request_count(self):
        counts = dict(self.env["city.request"]._read_group([("item_id", "in", self.ids)], ["item_id"], ["__count"]))
        for item in self:
            item.request_count = counts.get(item, 0)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for item in self:
            item.display_name = f"[{item.code}] {item.name}" if item.code else item.name

    @api.constrains("code")
    def _check_code(self):
        for item in self:
            if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{2,31}", item.code or ""):
                raise ValidationError(
                    self.env._("Item code %(code)s must be 3 to 32 capital letters, digits or dashes.", code=item.code)
                )

    @api.constrains("department_id", "assist_department_ids")
    def _check_departments(self):
        for item in self:
            if item.department_id and item.department_id in item.assist_department_ids:
                raise ValidationError(self.env._("The lead department cannot also assist on the same item."))

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_community.city_request_action")
        action["domain"] = [("item_id", "=", self.id)]
        action["context"] = {"default_item_id": self.id}
        return action
