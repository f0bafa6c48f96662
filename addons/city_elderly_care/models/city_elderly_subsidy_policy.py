from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.city_special_care.models.city_care_recipient import CARE_LEVELS


class CityElderlySubsidyPolicy(models.Model):
    """A monthly elderly-care subsidy (高龄津贴, 失能护理补贴...) paid as vouchers.

    Each month an active policy issues one voucher to every active care recipient who has one of
    its categories (any, when none is set) and its care level (any, when none is set).
    """

    _name = "city.elderly.subsidy.policy"
    _description = "Elderly Subsidy Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    category_ids = fields.Many2many(
        "city.care.category",
        "city_elderly_subsidy_policy_category_rel",
        "policy_id",
        "category_id",
        string="Categories",
        help="The recipient must have at least one of these categories; leave empty for any category.",
    )
    care_level = fields.Selection(
        CARE_LEVELS, help="The recipient must have this care level; leave empty for any care level."
    )
    monthly_fen = fields.Integer(string="Monthly Amount (fen)", required=True)
    monthly_amount = fields.Float(compute="_compute_monthly_amount", inverse="_inverse_monthly_amount", digits=(12, 2))
    valid_months = fields.Integer(
        string="Validity (months)",
        default=1,
        required=True,
        help="A voucher of month M can be spent until the end of month M + validity - 1.",
    )
    date_start = fields.Date(string="Valid From", required=True, default=fields.Date.context_today)
    date_end = fields.Date(string="Valid Until")
    description = fields.Text()
    active = fields.Boolean(default=True)
    voucher_ids = fields.One2many("city.elderly.voucher", "policy_id", string="Vouchers")
    voucher_count = fields.Integer(compute="_compute_voucher_count")

    _sql_constraints = [
        ("monthly_fen_positive", "CHECK (monthly_fen > 0)", "The monthly amount must be positive."),
        ("valid_months_positive", "CHECK (valid_months >= 1)", "A voucher must be valid for at least one month."),
    ]

    @api.depends("monthly_fen")
    def _compute_monthly_amount(self):
        for policy in self:
            policy.monthly_amount = policy.monthly_fen / 100.0

    def _inverse_monthly_amount(self):
        for policy in self:
            policy.monthly_fen = round(policy.monthly_amount * 100)

    def _compute_voucher_count(self):
        counts = dict(
            self.env["city.elderly.voucher"]._read_group([("policy_id", "in", self.ids)], ["policy_id"], ["__count"])
        )
        for policy in self:
            policy.voucher_count = counts.get(policy, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for policy in self:
            if policy.date_end and policy.date_end < policy.date_start:
                raise ValidationError(self.env._("A subsidy policy cannot end before it starts."))

    def action_view_vouchers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_elderly_care.city_elderly_voucher_action")
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action
