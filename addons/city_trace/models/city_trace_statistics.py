from odoo import fields, models, tools
from odoo.tools import SQL

from .city_trace_product import CATEGORIES


class CityTraceStatistics(models.Model):
    """Regulator statistics, one row per lot: events, inspections and recalls by category and district.

    A SQL view over lots. The district is the ``district``-type division above the division of the
    lot's origin (``city.division`` parent path). Events declared erroneous and error declarations
    are not counted; inspections count once confirmed; recalls once started (and not cancelled).
    """

    _name = "city.trace.statistics"
    _description = "Traceability Statistics"
    _auto = False
    _order = "production_date desc, lot_id desc"
    _rec_name = "lot_id"

    lot_id = fields.Many2one("city.trace.lot", readonly=True)
    product_id = fields.Many2one("city.trace.product", readonly=True)
    category = fields.Selection(CATEGORIES, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Producer", readonly=True)
    location_id = fields.Many2one("city.trace.location", string="Origin", readonly=True)
    division_id = fields.Many2one("city.division", readonly=True)
    district_id = fields.Many2one("city.division", readonly=True)
    production_date = fields.Date(readonly=True)
    quantity = fields.Float(readonly=True)
    recalled = fields.Boolean(readonly=True)
    lot_count = fields.Integer(string="Lots", readonly=True)
    event_count = fields.Integer(string="Events", readonly=True)
    inspection_count = fields.Integer(string="Inspections", readonly=True)
    failed_inspection_count = fields.Integer(string="Failed Inspections", readonly=True)
    recall_count = fields.Integer(string="Recalls", readonly=True)
    recalled_lot_count = fields.Integer(string="Recalled Lots", readonly=True)

    def _query(self):
        return SQL(
            """
            SELECT l.id AS id,
                   l.id AS lot_id,
                   l.product_id AS product_id,
                   p.category AS category,
                   l.partner_id AS partner_id,
                   l.location_id AS location_id,
                   loc.division_id AS division_id,
                   district.id AS district_id,
                   l.production_date AS production_date,
                   l.quantity AS quantity,
                   COALESCE(l.recalled, false) AS recalled,
                   1 AS lot_count,
                   COALESCE(ev.event_count, 0) AS event_count,
                   COALESCE(ins.inspection_count, 0) AS inspection_count,
                   COALESCE(ins.failed_count, 0) AS failed_inspection_count,
                   COALESCE(rc.recall_count, 0) AS recall_count,
                   CASE WHEN l.recalled THEN 1 ELSE 0 END AS recalled_lot_count
              FROM city_trace_lot l
              JOIN city_trace_product p ON p.id = l.product_id
         LEFT JOIN city_trace_location loc ON loc.id = l.location_id
         LEFT JOIN city_division division ON division.id = loc.division_id
         LEFT JOIN LATERAL (
                   SELECT d.id FROM city_division d
                    WHERE d.type = 'district' AND starts_with(division.parent_path, d.parent_path)
                    ORDER BY length(d.parent_path) DESC
                    LIMIT 1
              ) district ON true
         LEFT JOIN (
                   SELECT named.lot_id, count(DISTINCT named.event_id) AS event_count
                     FROM (SELECT line.lot_id, line.event_id FROM city_trace_event_line line
                            WHERE line.lot_id IS NOT NULL
                           UNION
                           SELECT serial.lot_id, line.event_id FROM city_trace_event_line line
                             JOIN city_trace_serial serial ON serial.id = line.serial_id) named
                     JOIN city_trace_event e ON e.id = named.event_id
                    WHERE NOT COALESCE(e.is_erroneous, false) AND e.declares_error_of_id IS NULL
                    GROUP BY named.lot_id
              ) ev ON ev.lot_id = l.id
         LEFT JOIN (
                   SELECT lot_id, count(*) AS inspection_count, count(*) FILTER (WHERE result = 'fail') AS failed_count
                     FROM city_trace_inspection
                    WHERE state = 'confirmed'
                    GROUP BY lot_id
              ) ins ON ins.lot_id = l.id
         LEFT JOIN (
                   SELECT rel.lot_id, count(*) AS recall_count
                     FROM city_trace_recall_affected_lot_rel rel
                     JOIN city_trace_recall r ON r.id = rel.recall_id
                    WHERE r.state IN ('open', 'closed')
                    GROUP BY rel.lot_id
              ) rc ON rc.lot_id = l.id
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
