import datetime

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import hmac as odoo_hmac

DEFAULT_REPORTS_PER_HOUR = 5


class CityTraceReportLimit(models.Model):
    """Consumer reports per network address and hour, for the rate limit of the public report form.

    The address is never stored: ``key`` is an HMAC of it with the database secret and the day
    (a salt that changes daily), so that the counters of two days cannot be linked and the table
    says nothing about who reported. Rows older than a day are removed by the autovacuum.
    """

    _name = "city.trace.report.limit"
    _description = "Consumer Report Rate Limit"
    _order = "window desc"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    window = fields.Datetime(required=True, readonly=True, help="Start of the hour")
    count = fields.Integer(readonly=True)

    _sql_constraints = [("key_window_unique", 'unique(key, "window")', "One counter per address and hour.")]

    @api.model
    def _key(self, address):
        day = fields.Date.to_string(fields.Date.today())
        return odoo_hmac(self.env(su=True), f"city_trace.report_ip.{day}", address or "unknown")

    @api.model
    def _limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param("city_trace.report_limit_per_hour")
        try:
            return int(value) if value else DEFAULT_REPORTS_PER_HOUR
        except ValueError:
            return DEFAULT_REPORTS_PER_HOUR

    @api.model
    def _exhausted(self, address):
        """Whether ``address`` already sent its reports of this hour (a read, nothing counted)."""
        self.env.cr.execute(
            SQL(
                """SELECT count FROM city_trace_report_limit
                    WHERE key = %s AND "window" = date_trunc('hour', now() AT TIME ZONE 'UTC')""",
                self._key(address),
            )
        )
        row = self.env.cr.fetchone()
        return bool(row and row[0] >= self._limit())

    @api.model
    def _take(self, address):
        """Count one report of ``address`` in this hour if the limit allows it; return whether it did.

        One ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` in the report's transaction: concurrent
        reports of one address queue on the counter row, and a report that fails afterwards is
        not counted (its transaction rolls the counter back).
        """
        self.env.cr.execute(
            SQL(
                """INSERT INTO city_trace_report_limit (key, "window", count)
                   VALUES (%(key)s, date_trunc('hour', now() AT TIME ZONE 'UTC'), 1)
                   ON CONFLICT (key, "window") DO UPDATE SET count = city_trace_report_limit.count + 1
                    WHERE city_trace_report_limit.count < %(limit)s
                   RETURNING count""",
                key=self._key(address),
                limit=self._limit(),
            )
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_windows(self):
        limit = fields.Datetime.now() - datetime.timedelta(days=1)
        self.env.cr.execute(SQL('DELETE FROM city_trace_report_limit WHERE "window" < %s', limit))
