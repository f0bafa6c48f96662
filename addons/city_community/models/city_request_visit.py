from odoo import api, fields, models

from .city_request import SATISFACTION


class CityRequestVisit(models.Model):
    """One return visit (回访): the rating counts against the department that handled the request."""

    _name = "city.request.visit"
    _description = "Return Visit"
    _order = "visit_date desc, id desc"

    request_id = fields.Many2one("city.request", required=True, ondelete="cascade", index=True)
    department_id = fields.Many2one("city.department", index=True, readonly=True)
    community_id = fields.Many2one(related="request_id.community_id", store=True)
    satisfaction = fields.Selection(SATISFACTION, required=True)
    channel = fields.Selection([("portal", "Portal"), ("phone", "Phone"), ("visit", "In Person")], required=True)
    comment = fields.Text()
    user_id = fields.Many2one("res.users", string="Recorded by", readonly=True)
    visit_date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    satisfied = fields.Integer(
        compute="_compute_satisfied", store=True, aggregator="avg", string="Satisfaction Rate (%)"
    )

    @api.depends("satisfaction")
    def _compute_satisfied(self):
        for visit in self:
            visit.satisfied = 100 if visit.satisfaction in ("satisfied", "basic") else 0
