from odoo import fields, models, tools

from .city_request import CHANNELS, STATES


class CityRequestReport(models.Model):
    """Scorecard figures per request, for pivot and graph views by department, community and period.

    Rates are 0/100 per request and NULL where they do not apply, so their average is the rate.
    """

    _name = "city.request.report"
    _description = "Community Service Scorecard"
    _auto = False
    _order = "submit_date desc"
    _depends = {
        "city.request": [
            "item_id",
            "category_id",
            "department_id",
            "community_id",
            "division_id",
            "channel",
            "state",
            "submit_date",
            "accept_date",
            "one_stop",
            "reply_date",
            "on_time",
            "satisfaction",
            "reopen_count",
            "reply_work_hours",
            "deadline",
        ],
    }

    request_id = fields.Many2one("city.request", readonly=True)
    item_id = fields.Many2one("city.service.item", readonly=True)
    category_id = fields.Many2one("city.service.category", readonly=True)
    department_id = fields.Many2one("city.department", readonly=True)
    community_id = fields.Many2one("city.division", readonly=True)
    division_id = fields.Many2one("city.division", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    submit_date = fields.Datetime(readonly=True)
    one_stop_rate = fields.Float(string="Accepted One-stop (%)", aggregator="avg", readonly=True)
    on_time_rate = fields.Float(string="On-time Completion (%)", aggregator="avg", readonly=True)
    satisfaction_rate = fields.Float(string="Satisfaction (%)", aggregator="avg", readonly=True)
    reopen_rate = fields.Float(string="Reopened (%)", aggregator="avg", readonly=True)
    reply_work_hours = fields.Float(string="Working Hours to Reply", aggregator="avg", readonly=True)
    accepted_count = fields.Integer(string="Accepted", aggregator="sum", readonly=True)
    overdue_count = fields.Integer(string="Open Overdue", aggregator="sum", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT r.id AS id,
                       r.id AS request_id,
                       r.item_id, r.category_id, r.department_id, r.community_id, r.division_id,
                       r.channel, r.state, r.submit_date,
                       CASE WHEN r.accept_date IS NULL THEN NULL WHEN r.one_stop THEN 100.0 ELSE 0.0 END
                           AS one_stop_rate,
                       CASE WHEN r.reply_date IS NULL THEN NULL WHEN r.on_time THEN 100.0 ELSE 0.0 END
                           AS on_time_rate,
                       CASE WHEN r.satisfaction IS NULL THEN NULL
                            WHEN r.satisfaction IN ('satisfied', 'basic') THEN 100.0 ELSE 0.0 END
                           AS satisfaction_rate,
                       CASE WHEN r.reply_date IS NULL THEN NULL WHEN r.reopen_count > 0 THEN 100.0 ELSE 0.0 END
                           AS reopen_rate,
                       CASE WHEN r.reply_date IS NULL THEN NULL ELSE r.reply_work_hours END AS reply_work_hours,
                       CASE WHEN r.accept_date IS NULL THEN 0 ELSE 1 END AS accepted_count,
                       CASE WHEN r.state IN ('submitted', 'accepted', 'dispatched', 'in_progress', 'returned')
                             AND r.deadline < (now() at time zone 'utc') THEN 1 ELSE 0 END AS overdue_count
                  FROM city_request r
                 WHERE r.submit_date IS NOT NULL AND r.state NOT IN ('merged', 'cancelled')
            )
            """  # noqa: S608 - the table name is the model's own
        )
