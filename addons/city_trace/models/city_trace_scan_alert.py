from odoo import api, fields, models
from odoo.tools import SQL

KINDS = [
    ("distance", "Scanned Far Apart"),
    ("places", "Scanned in Too Many Places"),
    ("units", "More Scans than Units"),
]
COUNTABLE_UOMS = ("piece", "box", "bag", "bottle")
DEFAULT_DISTANCE_KM = 500
DEFAULT_MAX_PLACES = 5
DISTANCE_WINDOW_HOURS = 24
EARTH_RADIUS_KM = 6371.0


class CityTraceScanAlert(models.Model):
    """A code whose scans look like a counterfeit or a copied QR code, for the regulators.

    Three signs, computed by a cron from the scan log with set-based SQL (one statement each):

    * ``distance``: the same serial item scanned in two places more than 500 km apart within 24 hours
      (places are the 0.1 degree cells the pages send when the visitor allows it);
    * ``places``: a serial item scanned from more than N distinct places (N = 5 by default);
    * ``units``: a lot (in countable units) with more first scans (scans the browser had not seen
      before) or more distinct scanned serial items than the lot has units.

    One alert per code and sign: later runs update its figures, officers set its state.
    """

    _name = "city.trace.scan.alert"
    _description = "Suspicious Code"
    _inherit = ["mail.thread"]
    _order = "last_detected desc, id desc"

    kind = fields.Selection(KINDS, string="Sign", required=True, readonly=True, index=True)
    product_id = fields.Many2one("city.trace.product", required=True, readonly=True, index=True, ondelete="cascade")
    lot_id = fields.Many2one("city.trace.lot", required=True, readonly=True, index=True, ondelete="cascade")
    serial_id = fields.Many2one("city.trace.serial", string="Serial Item", readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="lot_id.partner_id", string="Producer")
    scan_id = fields.Many2one("city.trace.scan", readonly=True, ondelete="set null")
    other_scan_id = fields.Many2one("city.trace.scan", string="Distant Scan", readonly=True, ondelete="set null")
    distance_km = fields.Float(string="Distance (km)", digits=(10, 0), readonly=True)
    place_count = fields.Integer(string="Places", readonly=True)
    scan_count = fields.Integer(string="Scans", readonly=True, help="First scans of the code (repeat views excluded).")
    serial_count = fields.Integer(string="Scanned Serial Items", readonly=True)
    unit_count = fields.Float(string="Units in the Lot", readonly=True)
    first_detected = fields.Datetime(readonly=True)
    last_detected = fields.Datetime(readonly=True, index=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("investigating", "Investigating"),
            ("confirmed", "Confirmed Abnormal"),
            ("dismissed", "Dismissed"),
        ],
        default="new",
        required=True,
        tracking=True,
    )
    user_id = fields.Many2one("res.users", string="Officer", tracking=True)
    note = fields.Text()

    _sql_constraints = [
        (
            "code_kind_unique",
            "unique nulls not distinct (kind, lot_id, serial_id)",
            "One alert per code and sign.",
        ),
    ]

    @api.depends("kind", "lot_id", "serial_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for alert in self:
            code = alert.serial_id.name or alert.lot_id.name or ""
            alert.display_name = f"{kinds.get(alert.kind, '')}: {alert.product_id.name or ''} {code}".strip()

    def action_investigate(self):
        self.write({"state": "investigating", "user_id": self.env.user.id})

    def action_confirm(self):
        self.write({"state": "confirmed"})

    def action_dismiss(self):
        self.write({"state": "dismissed"})

    # ------------------------------------------------------------------
    # Detection (set-based)
    # ------------------------------------------------------------------
    @api.model
    def _detect(self, since, now):
        """Run the three detections over the codes scanned since ``since``; return the alerts touched."""
        params = self.env["ir.config_parameter"].sudo()
        distance = float(params.get_param("city_trace.scan_alert_distance_km") or DEFAULT_DISTANCE_KM)
        places = int(params.get_param("city_trace.scan_alert_max_places") or DEFAULT_MAX_PLACES)
        self.env["city.trace.scan"].flush_model()
        self.flush_model()
        args = {"since": since, "now": now, "uid": self.env.uid}
        cr = self.env.cr
        touched = 0
        cr.execute(self._distance_sql(dict(args, km=distance, hours=DISTANCE_WINDOW_HOURS)))
        touched += cr.rowcount
        cr.execute(self._places_sql(dict(args, places=places)))
        touched += cr.rowcount
        cr.execute(self._units_sql(dict(args, uoms=list(COUNTABLE_UOMS))))
        touched += cr.rowcount
        self.invalidate_model()
        return touched

    @api.model
    def _insert_sql(self, kind, select, update, args):
        """``INSERT ... SELECT`` of alerts of ``kind`` from ``select`` (columns: product_id, lot_id,
        serial_id, scan_id, other_scan_id, distance_km, place_count, scan_count, serial_count,
        unit_count), one per code, updating ``update`` columns of the existing alert of the code."""
        return SQL(
            """INSERT INTO city_trace_scan_alert
                      (kind, product_id, lot_id, serial_id, scan_id, other_scan_id, distance_km, place_count,
                       scan_count, serial_count, unit_count, first_detected, last_detected, state,
                       create_uid, create_date, write_uid, write_date)
               SELECT %(kind)s, c.product_id, c.lot_id, c.serial_id, c.scan_id, c.other_scan_id, c.distance_km,
                      c.place_count, c.scan_count, c.serial_count, c.unit_count, %(now)s, %(now)s, 'new',
                      %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM (%(select)s) c
               ON CONFLICT (kind, lot_id, serial_id) DO UPDATE
                  SET last_detected = EXCLUDED.last_detected, write_date = EXCLUDED.write_date, %(update)s""",
            kind=kind,
            select=select,
            update=update,
            now=args["now"],
            uid=args["uid"],
        )

    @api.model
    def _distance_sql(self, args):
        """Serial items scanned in two places more than ``km`` apart within ``hours`` (haversine)."""
        select = SQL(
            """SELECT DISTINCT ON (r.serial_id)
                      r.product_id, r.lot_id, r.serial_id, r.id AS scan_id, o.id AS other_scan_id,
                      %(radius)s * 2 * asin(sqrt(
                          sin(radians(o.latitude - r.latitude) / 2) ^ 2
                          + cos(radians(r.latitude)) * cos(radians(o.latitude))
                            * sin(radians(o.longitude - r.longitude) / 2) ^ 2)) AS distance_km,
                      NULL::int AS place_count, NULL::int AS scan_count, NULL::int AS serial_count,
                      NULL::float AS unit_count
                 FROM city_trace_scan r
                 JOIN city_trace_scan o
                   ON o.serial_id = r.serial_id AND o.located AND o.id <> r.id
                  AND o.scan_time BETWEEN r.scan_time - make_interval(hours => %(hours)s)
                                      AND r.scan_time + make_interval(hours => %(hours)s)
                WHERE r.serial_id IS NOT NULL AND r.located AND r.scan_time >= %(since)s
                  AND %(radius)s * 2 * asin(sqrt(
                          sin(radians(o.latitude - r.latitude) / 2) ^ 2
                          + cos(radians(r.latitude)) * cos(radians(o.latitude))
                            * sin(radians(o.longitude - r.longitude) / 2) ^ 2)) > %(km)s
                ORDER BY r.serial_id, distance_km DESC, r.id""",
            radius=EARTH_RADIUS_KM,
            hours=args["hours"],
            since=args["since"],
            km=args["km"],
        )
        update = SQL(
            "scan_id = EXCLUDED.scan_id, other_scan_id = EXCLUDED.other_scan_id, "
            "distance_km = GREATEST(city_trace_scan_alert.distance_km, EXCLUDED.distance_km)"
        )
        return self._insert_sql("distance", select, update, args)

    @api.model
    def _places_sql(self, args):
        """Serial items scanned from more than ``places`` distinct 0.1 degree cells."""
        select = SQL(
            """SELECT min(s.product_id) AS product_id, min(s.lot_id) AS lot_id, s.serial_id,
                      max(s.id) AS scan_id, NULL::int AS other_scan_id, NULL::float AS distance_km,
                      count(DISTINCT (s.latitude, s.longitude)) AS place_count, count(*) AS scan_count,
                      NULL::int AS serial_count, NULL::float AS unit_count
                 FROM city_trace_scan s
                WHERE s.located AND s.serial_id IN (
                      SELECT serial_id FROM city_trace_scan
                       WHERE serial_id IS NOT NULL AND located AND scan_time >= %(since)s)
                GROUP BY s.serial_id
               HAVING count(DISTINCT (s.latitude, s.longitude)) > %(places)s""",
            since=args["since"],
            places=args["places"],
        )
        update = SQL("place_count = EXCLUDED.place_count, scan_count = EXCLUDED.scan_count, scan_id = EXCLUDED.scan_id")
        return self._insert_sql("places", select, update, args)

    @api.model
    def _units_sql(self, args):
        """Lots in countable units with more first scans or scanned serial items than units."""
        select = SQL(
            """SELECT l.product_id, c.lot_id, NULL::int AS serial_id, c.scan_id, NULL::int AS other_scan_id,
                      NULL::float AS distance_km, NULL::int AS place_count, c.first_scans AS scan_count,
                      c.serials AS serial_count, l.quantity AS unit_count
                 FROM (SELECT s.lot_id, max(s.id) AS scan_id, count(*) FILTER (WHERE NOT s.repeat) AS first_scans,
                              count(DISTINCT s.serial_id) AS serials
                         FROM city_trace_scan s
                        WHERE s.lot_id IN (SELECT lot_id FROM city_trace_scan
                                            WHERE lot_id IS NOT NULL AND scan_time >= %(since)s)
                        GROUP BY s.lot_id) c
                 JOIN city_trace_lot l ON l.id = c.lot_id
                 JOIN city_trace_product p ON p.id = l.product_id
                WHERE p.uom = ANY(%(uoms)s) AND GREATEST(c.first_scans, c.serials) > l.quantity""",
            since=args["since"],
            uoms=args["uoms"],
        )
        update = SQL(
            "scan_count = EXCLUDED.scan_count, serial_count = EXCLUDED.serial_count, "
            "unit_count = EXCLUDED.unit_count, scan_id = EXCLUDED.scan_id"
        )
        return self._insert_sql("units", select, update, args)
