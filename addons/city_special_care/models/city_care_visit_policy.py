from odoo import api, fields, models

from .city_care_recipient import RISK_LEVELS

DEFAULT_INTERVAL_DAYS = 90


class CityCareVisitPolicy(models.Model):
    """How often proactive visits are due for a category and/or risk level.

    A recipient matches every policy whose category is one of theirs (or empty) and whose risk
    level is theirs (or empty); the shortest interval of the matches applies.
    """

    _name = "city.care.visit.policy"
    _description = "Visit Frequency Policy"
    _order = "interval_days, id"

    name = fields.Char(required=True, translate=True)
    category_id = fields.Many2one("city.care.category", ondelete="cascade")
    risk_level = fields.Selection(RISK_LEVELS)
    interval_days = fields.Integer(required=True, help="Days from one visit to the next one's deadline.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("interval_positive", "CHECK(interval_days BETWEEN 1 AND 366)", "A visit interval is 1 to 366 days."),
    ]

    def _interval_for(self, categories, risk_level):
        intervals = [
            policy.interval_days
            for policy in self
            if (not policy.category_id or policy.category_id in categories)
            and (not policy.risk_level or policy.risk_level == risk_level)
        ]
        return min(intervals) if intervals else DEFAULT_INTERVAL_DAYS

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self._recompute_recipients()
        return policies

    def write(self, vals):
        result = super().write(vals)
        self._recompute_recipients()
        return result

    def unlink(self):
        result = super().unlink()
        self._recompute_recipients()
        return result

    @api.model
    def _recompute_recipients(self):
        recipients = self.env["city.care.recipient"].sudo().search([("active", "=", True)])
        self.env.add_to_compute(recipients._fields["visit_interval_days"], recipients)
        recipients.flush_recordset(["visit_interval_days"])
        recipients._schedule_visits()
