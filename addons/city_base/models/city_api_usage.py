from odoo import api, fields, models


class CityApiUsage(models.Model):
    """Requests per API user and minute, for the rate limit of the city data interface.

    One row per user and minute, incremented with a single upsert per request; old rows are
    removed by the autovacuum.
    """

    _name = "city.api.usage"
    _description = "API Usage per Minute"
    _order = "window desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="cascade")
    window = fields.Datetime(required=True, readonly=True, help="Start of the minute")
    count = fields.Integer(readonly=True)

    _sql_constraints = [("user_window_unique", 'unique(user_id, "window")', "One counter per user and minute.")]

    @api.model
    def _hit(self, user_id):
        """Count one request of ``user_id`` in the current minute and return the minute's total.

        Runs in its own cursor so the count survives a request that fails and is rolled back.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                """INSERT INTO city_api_usage (user_id, "window", count, create_uid, create_date, write_uid, write_date)
                   VALUES (%(uid)s, date_trunc('minute', now() at time zone 'utc'), 1, %(uid)s,
                           now() at time zone 'utc', %(uid)s, now() at time zone 'utc')
                   ON CONFLICT (user_id, "window") DO UPDATE SET count = city_api_usage.count + 1
                   RETURNING count""",
                {"uid": user_id},
            )
            return cr.fetchone()[0]

    @api.autovacuum
    def _gc_usage(self):
        self.env.cr.execute(
            "DELETE FROM city_api_usage WHERE \"window\" < (now() at time zone 'utc') - interval '1 day'"
        )
