from odoo import fields, models, tools


class CityCareVisitCoverage(models.Model):
    """Monthly visit coverage: one row per month and key-group recipient, visited (100) or not (0).

    Averaging ``covered`` over any grouping (grid, community, month) gives the coverage rate; the
    national target is 100% monthly for special-difficulty elderly. Recipients count from the month
    their file was opened; the last twelve calendar months of the city (Asia/Shanghai) are shown.
    """

    _name = "city.care.visit.coverage"
    _description = "Monthly Visit Coverage"
    _auto = False
    _order = "month desc"

    month = fields.Date(readonly=True)
    recipient_id = fields.Many2one("city.care.recipient", readonly=True)
    division_id = fields.Many2one("city.division", string="Grid", readonly=True)
    community_id = fields.Many2one("city.division", readonly=True)
    recipient_count = fields.Integer(string="Recipients", readonly=True)
    visited_count = fields.Integer(string="Visited", readonly=True)
    covered = fields.Float(string="Coverage (%)", readonly=True, aggregator="avg", digits=(16, 1))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT row_number() OVER (ORDER BY m.month, r.id) AS id,
                       m.month::date AS month,
                       r.id AS recipient_id,
                       r.division_id,
                       r.community_id,
                       1 AS recipient_count,
                       CASE WHEN v.visited THEN 1 ELSE 0 END AS visited_count,
                       CASE WHEN v.visited THEN 100.0 ELSE 0.0 END AS covered
                  FROM generate_series(date_trunc('month', now() at time zone 'Asia/Shanghai') - interval '11 months',
                                       date_trunc('month', now() at time zone 'Asia/Shanghai'),
                                       interval '1 month') AS m(month)
                  JOIN city_care_recipient r
                    ON r.active
                   AND r.create_date < ((m.month + interval '1 month') at time zone 'Asia/Shanghai') at time zone 'UTC'
                   AND EXISTS (SELECT 1 FROM city_care_recipient_category_rel rel
                                 JOIN city_care_category c ON c.id = rel.category_id
                                WHERE rel.recipient_id = r.id AND c.is_key_group)
                  CROSS JOIN LATERAL (
                       SELECT EXISTS (SELECT 1 FROM city_care_visit cv
                                       WHERE cv.recipient_id = r.id AND cv.state = 'done'
                                         AND cv.visited_at >= (m.month at time zone 'Asia/Shanghai') at time zone 'UTC'
                                         AND cv.visited_at
                                             < ((m.month + interval '1 month') at time zone 'Asia/Shanghai')
                                               at time zone 'UTC') AS visited
                  ) v
            )
            """  # noqa: S608
        )
