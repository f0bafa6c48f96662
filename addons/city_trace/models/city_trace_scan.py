"""The scan log of the public pages and what the page shows about a scanned code.

A scan is written with one ``INSERT`` per page view (no ORM ``create``, no mail, no tracking,
``_log_access = False``): the table grows with every view of every QR code. Nothing personal is
kept: no IP address, no cookie, no visitor identifier; the user agent is truncated; the place is
a 0.1 degree cell (about 11 km), sent by the page afterwards only when the visitor allows the
browser's geolocation, and ``repeat`` is the page telling that this browser had opened the same
code before (it keeps that in its own local storage).

Each worker keeps the pages it rendered (per code, language and day, see ``_page_cache``). A
cached page is served only while the page stamps it was rendered with are still current: a
change to what a page shows (an event, an inspection, a lot, a recall, a product, a name) raises
the stamp of the lots concerned, or of every page, once its transaction commits
(``_page_touch``). Checking the stamps and logging the scan is one statement
(``_log_cached_scan``), so a cached page costs one round trip and no rendering.
"""

import datetime
import functools
import hmac as hmac_lib
import json
import logging
import math
import secrets
import time
from collections import defaultdict, namedtuple

import psycopg2
import pytz

from odoo import api, fields, models, tools
from odoo.tools import SQL
from odoo.tools.lru import LRU
from odoo.tools.misc import hmac as odoo_hmac

_logger = logging.getLogger(__name__)

LOCAL_TZ = pytz.timezone("Asia/Shanghai")
USER_AGENT_LENGTH = 200
# The page may send the place and the repeat flag of its scan during this time after the scan.
BEACON_MINUTES = 15
# Chain-of-custody steps shown on the page at most (the lot's own steps and its inputs').
MAX_STEPS = 60
MAX_INSPECTIONS = 20
EXPIRY_WARNING_DAYS = 7
LAST_CHECK_PARAM = "city_trace.scan_alert_last_check"
# Rendered pages a worker keeps (about 15 kB each), and for how long at most: the stamps tell when
# a page is outdated; the age limit only bounds a change whose stamp was lost (a crash right after
# the commit).
PAGE_CACHE_SIZE = 1000
PAGE_CACHE_SECONDS = 600
# Stand-ins for the scan id and the beacon token in a cached page (random, so that no content can
# contain them); each view puts its own in.
PAGE_SCAN_ID = f"trace-scan-id-{secrets.token_hex(8)}"
PAGE_TOKEN = f"trace-scan-token-{secrets.token_hex(8)}"
PAGE_TOUCH_KEY = "city_trace.page_touch"
# The page stamps: scope 0 for every page, a lot id for the pages of that lot (with or without a
# serial number). A missing row is stamp 0.
PAGE_STAMP_TABLE = """
CREATE TABLE IF NOT EXISTS city_trace_page_stamp (
    scope integer PRIMARY KEY,
    stamp bigint NOT NULL
)
"""
# Raise the stamps of the lots named, of the lots the events name, and of the lots made from them
# (their pages show the steps and inspections of their inputs).
PAGE_TOUCH_SQL = """
WITH named AS (
    SELECT unnest(%(lots)s::integer[]) AS lot_id
    UNION
    SELECT COALESCE(li.lot_id, (SELECT s.lot_id FROM city_trace_serial s WHERE s.id = li.serial_id))
      FROM city_trace_event_line li
     WHERE li.event_id = ANY(%(events)s::integer[])
), scopes AS (
    SELECT lot_id AS scope FROM named WHERE lot_id IS NOT NULL
    UNION
    SELECT o.lot_id FROM city_trace_event_line i
      JOIN city_trace_event_line o ON o.event_id = i.event_id AND o.role = 'output'
     WHERE i.role = 'input' AND i.lot_id IN (SELECT lot_id FROM named) AND o.lot_id IS NOT NULL
    UNION
    SELECT 0 WHERE %(all)s
)
INSERT INTO city_trace_page_stamp AS p (scope, stamp)
SELECT scope, 1 FROM scopes ORDER BY scope
ON CONFLICT (scope) DO UPDATE SET stamp = p.stamp + 1
"""
# A cached page: its HTML with the stand-ins, what its scans record, the stamps it was rendered
# with (every page's, its lot's) and when it expires (time.monotonic()).
CachedPage = namedtuple("CachedPage", "html product_id lot_id serial_id code_level stamps expires")
# What the public page shows about a code, as one JSON document: a PL/pgSQL function created by
# init(), so that a page view costs one round trip. The page is the hottest of the platform; its
# statements execute in a fraction of a millisecond through the indexes (event lines by lot and
# serial, events by id), and planning is what costs: Odoo's connection pool resets connections
# with DISCARD ALL, so every request plans again. Hence single-table statements, names read by
# scalar sub-queries rather than joins (no join order to search: several times cheaper to plan),
# and the transformation part only for lots a published transformation made.
# Steps are the published, valid events (not declared erroneous, not error declarations) naming
# the lot (or the serial item); for a transformed lot, its inputs and their published steps on the
# way to the transformation (at their producer or at the maker, up to the transformation's time);
# inspections are the published, confirmed ones of the lot and its inputs. The page stamps are
# read by the same statement, hence from the same snapshot as the data (see _page_touch).
PAGE_FUNCTION = """
CREATE OR REPLACE FUNCTION city_trace_scan_page(p_gtin varchar, p_lot varchar, p_serial varchar,
                                                p_steps integer, p_inspections integer)
RETURNS json LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_product city_trace_product%ROWTYPE;
    v_lot city_trace_lot%ROWTYPE;
    v_serial_id integer;
    v_steps json;
    v_own integer[];
    v_made integer[];
    v_inputs json;
    v_input_ids integer[];
    v_producers integer[];
    v_makers integer[];
    v_made_at timestamp;
    v_upstream json;
    v_inspections json;
BEGIN
    SELECT * INTO v_product FROM city_trace_product WHERE gtin = p_gtin AND active;
    IF v_product.id IS NULL THEN
        RETURN json_build_object('product', NULL);
    END IF;
    IF p_lot IS NOT NULL THEN
        SELECT * INTO v_lot FROM city_trace_lot WHERE product_id = v_product.id AND name = p_lot;
        IF p_serial IS NOT NULL AND v_lot.id IS NOT NULL THEN
            SELECT id INTO v_serial_id FROM city_trace_serial
             WHERE lot_id = v_lot.id AND product_id = v_product.id AND name = p_serial;
        END IF;
    END IF;
    IF v_lot.id IS NOT NULL AND (p_serial IS NULL OR v_serial_id IS NOT NULL) THEN
        SELECT json_agg(t ORDER BY t.time, t.id), array_agg(t.id),
               array_agg(t.id) FILTER (WHERE t.event_type = 'transformation')
          INTO v_steps, v_own, v_made
          FROM (SELECT e.id, e.event_type, e.biz_step, e.event_time AS time,
                       (SELECT p.name FROM res_partner p WHERE p.id = e.partner_id) AS enterprise,
                       (SELECT loc.name FROM city_trace_location loc WHERE loc.id = e.location_id) AS place,
                       (SELECT d.name FROM city_trace_location loc, city_division d
                         WHERE loc.id = e.location_id AND d.id = loc.division_id) AS division
                  FROM city_trace_event e
                 WHERE e.id IN (SELECT li.event_id FROM city_trace_event_line li
                                 WHERE li.lot_id = v_lot.id OR li.serial_id = v_serial_id)
                   AND e.public AND e.is_erroneous IS NOT TRUE AND e.declares_error_of_id IS NULL
                 ORDER BY e.event_time, e.id
                 LIMIT p_steps) t;
    END IF;
    IF v_made IS NOT NULL THEN
        SELECT json_agg(json_build_object(
                   'event_id', x.event_id, 'lot_id', x.lot_id, 'lot', xl.name,
                   'product', (SELECT ip.name FROM city_trace_product ip WHERE ip.id = xl.product_id),
                   'producer', (SELECT xp.name FROM res_partner xp WHERE xp.id = xl.partner_id))
                   ORDER BY x.event_id, x.id),
               array_agg(DISTINCT x.lot_id), array_agg(DISTINCT xl.partner_id),
               array_agg(DISTINCT (SELECT e.partner_id FROM city_trace_event e WHERE e.id = x.event_id)),
               max((SELECT e.event_time FROM city_trace_event e WHERE e.id = x.event_id))
          INTO v_inputs, v_input_ids, v_producers, v_makers, v_made_at
          FROM city_trace_event_line x, city_trace_lot xl
         WHERE x.event_id = ANY(v_made) AND x.role = 'input' AND x.lot_id <> v_lot.id AND xl.id = x.lot_id
           AND EXISTS (SELECT 1 FROM city_trace_event_line o
                        WHERE o.event_id = x.event_id AND o.role = 'output' AND o.lot_id = v_lot.id);
    END IF;
    IF v_input_ids IS NOT NULL THEN
        SELECT json_agg(t ORDER BY t.time, t.id)
          INTO v_upstream
          FROM (SELECT e.id, e.event_type, e.biz_step, e.event_time AS time,
                       (SELECT p.name FROM res_partner p WHERE p.id = e.partner_id) AS enterprise,
                       (SELECT loc.name FROM city_trace_location loc WHERE loc.id = e.location_id) AS place,
                       (SELECT d.name FROM city_trace_location loc, city_division d
                         WHERE loc.id = e.location_id AND d.id = loc.division_id) AS division,
                       (SELECT x.lot_id FROM city_trace_event_line x
                         WHERE x.event_id = e.id AND x.lot_id = ANY(v_input_ids) LIMIT 1) AS lot_id
                  FROM city_trace_event e
                 WHERE e.id IN (SELECT li.event_id FROM city_trace_event_line li WHERE li.lot_id = ANY(v_input_ids))
                   AND e.id <> ALL(v_own) AND e.event_time <= v_made_at
                   AND (e.partner_id = ANY(v_makers) OR e.dest_partner_id = ANY(v_makers)
                        OR (e.partner_id = ANY(v_producers) AND e.dest_partner_id IS NULL))
                   AND e.public AND e.is_erroneous IS NOT TRUE AND e.declares_error_of_id IS NULL
                 ORDER BY e.event_time, e.id
                 LIMIT p_steps) t;
    END IF;
    IF v_lot.id IS NOT NULL THEN
        SELECT json_agg(t)
          INTO v_inspections
          FROM (SELECT i.agency, i.inspection_date AS date, i.items, i.result, i.lot_id
                  FROM city_trace_inspection i
                 WHERE i.lot_id = ANY(array_prepend(v_lot.id, COALESCE(v_input_ids, '{}')))
                   AND i.published AND i.state = 'confirmed'
                 ORDER BY i.inspection_date DESC, i.id DESC
                 LIMIT p_inspections) t;
    END IF;
    RETURN json_build_object(
        'product', json_build_object(
            'id', v_product.id, 'name', v_product.name, 'gtin', v_product.gtin, 'category', v_product.category,
            'uom', v_product.uom, 'description', v_product.description,
            'owner', (SELECT o.name FROM res_partner o WHERE o.id = v_product.partner_id),
            'owner_uscc', (SELECT o.uscc FROM res_partner o WHERE o.id = v_product.partner_id),
            'has_image', EXISTS (SELECT 1 FROM ir_attachment a WHERE a.res_model = 'city.trace.product'
                                    AND a.res_field = 'image_512' AND a.res_id = v_product.id)),
        'lot', CASE WHEN v_lot.id IS NOT NULL THEN json_build_object(
            'id', v_lot.id, 'name', v_lot.name, 'production_date', v_lot.production_date,
            'expiry_date', v_lot.expiry_date, 'quantity', v_lot.quantity,
            'recalled', COALESCE(v_lot.recalled, false), 'serial_id', v_serial_id,
            'producer', (SELECT pr.name FROM res_partner pr WHERE pr.id = v_lot.partner_id),
            'producer_uscc', (SELECT pr.uscc FROM res_partner pr WHERE pr.id = v_lot.partner_id),
            'origin', (SELECT loc.name FROM city_trace_location loc WHERE loc.id = v_lot.location_id),
            'origin_address', (SELECT loc.address FROM city_trace_location loc WHERE loc.id = v_lot.location_id),
            'origin_division', (SELECT d.complete_name FROM city_trace_location loc, city_division d
                                 WHERE loc.id = v_lot.location_id AND d.id = loc.division_id)) END,
        'steps', COALESCE(v_steps, '[]'), 'inputs', COALESCE(v_inputs, '[]'),
        'upstream', COALESCE(v_upstream, '[]'), 'inspections', COALESCE(v_inspections, '[]'),
        'stamps', json_build_array(
            COALESCE((SELECT s.stamp FROM city_trace_page_stamp s WHERE s.scope = 0), 0),
            COALESCE((SELECT s.stamp FROM city_trace_page_stamp s WHERE s.scope = v_lot.id), 0)));
END
$fn$
"""


class CityTraceScan(models.Model):
    """One view of a public scan page (a QR code scanned by someone)."""

    _name = "city.trace.scan"
    _description = "Code Scan"
    _order = "scan_time desc, id desc"
    _log_access = False

    scan_time = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    product_id = fields.Many2one("city.trace.product", required=True, readonly=True, ondelete="cascade")
    lot_id = fields.Many2one("city.trace.lot", readonly=True, ondelete="cascade")
    serial_id = fields.Many2one("city.trace.serial", string="Serial Item", readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="product_id.partner_id", string="Brand Owner")
    category = fields.Selection(related="product_id.category")
    code_level = fields.Selection(
        [("product", "Product"), ("lot", "Lot"), ("serial", "Serial Item")],
        string="Code",
        required=True,
        readonly=True,
        default="product",
        help="What the scanned Digital Link named: a product, a lot or one serial item.",
    )
    located = fields.Boolean(readonly=True, help="The visitor let the page send an approximate place.")
    latitude = fields.Float(digits=(4, 1), readonly=True)
    longitude = fields.Float(digits=(5, 1), readonly=True)
    division_id = fields.Many2one(
        "city.division",
        string="District",
        readonly=True,
        ondelete="set null",
        help="District of the nearest registered location when the place is known and close to one.",
    )
    user_agent = fields.Char(readonly=True)
    repeat = fields.Boolean(
        string="Repeat Scan", readonly=True, help="The same browser had opened this code before (no identifier kept)."
    )

    def init(self):
        cr = self.env.cr
        cr.execute(PAGE_STAMP_TABLE)
        cr.execute(PAGE_FUNCTION)
        cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_scan_lot_time_idx ON city_trace_scan (lot_id, scan_time) "
            "WHERE lot_id IS NOT NULL"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_scan_serial_time_idx ON city_trace_scan (serial_id, scan_time) "
            "WHERE serial_id IS NOT NULL"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_scan_product_time_idx ON city_trace_scan (product_id, scan_time)"
        )

    @api.depends("product_id", "lot_id", "serial_id", "scan_time")
    def _compute_display_name(self):
        for scan in self:
            code = scan.serial_id.name or scan.lot_id.name or scan.product_id.gtin or ""
            scan.display_name = f"{scan.product_id.name or ''} {code} {scan.scan_time or ''}".strip()

    # ------------------------------------------------------------------
    # Logging (public pages)
    # ------------------------------------------------------------------
    @api.model
    def _log_scan(self, product_id, lot_id=None, serial_id=None, user_agent=None):
        """Record one view with a single INSERT and return its id.

        The commit of the page's transaction does not wait for the WAL flush
        (``synchronous_commit`` off for this transaction only): a crash may lose the last
        scans of a fraction of a second, which a view counter can afford, and the page does not
        pay a disk flush per view.
        """
        level = code_level(lot_id, serial_id)
        cr = self.env.cr
        cr.execute(
            SQL(
                """SET LOCAL synchronous_commit TO OFF;
                   INSERT INTO city_trace_scan (scan_time, product_id, lot_id, serial_id, code_level, user_agent,
                                                located, repeat)
                   VALUES (now() AT TIME ZONE 'UTC', %s, %s, %s, %s, %s, false, false)
                   RETURNING id""",
                product_id,
                lot_id or None,
                serial_id or None,
                level,
                (user_agent or "")[:USER_AGENT_LENGTH] or None,
            )
        )
        return cr.fetchone()[0]

    @api.model
    def _log_cached_scan(self, page, user_agent=None):
        """Record one view of cached page ``page`` if the page is still current, and return its id.

        One statement reads the page stamps and inserts the scan only when they are the ones the
        page was rendered with; None means that the page is outdated (nothing is recorded: the
        caller renders the page again and logs the scan with :meth:`_log_scan`).
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                """SET LOCAL synchronous_commit TO OFF;
                   WITH stamp AS (
                       SELECT COALESCE((SELECT s.stamp FROM city_trace_page_stamp s WHERE s.scope = 0), 0) AS pages,
                              COALESCE((SELECT s.stamp FROM city_trace_page_stamp s WHERE s.scope = %(lot)s), 0) AS lot
                   )
                   INSERT INTO city_trace_scan (scan_time, product_id, lot_id, serial_id, code_level, user_agent,
                                                located, repeat)
                   SELECT now() AT TIME ZONE 'UTC', %(product)s, %(lot)s, %(serial)s, %(level)s, %(agent)s, false, false
                     FROM stamp
                    WHERE stamp.pages = %(pages_stamp)s AND stamp.lot = %(lot_stamp)s
                   RETURNING id""",
                product=page.product_id,
                lot=page.lot_id,
                serial=page.serial_id,
                level=page.code_level,
                agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
                pages_stamp=page.stamps[0],
                lot_stamp=page.stamps[1],
            )
        )
        row = cr.fetchone()
        return row and row[0]

    @api.model
    def _beacon_token(self, scan_id):
        """Signature that lets the page of scan ``scan_id`` (and nobody else) complete that scan."""
        return odoo_hmac(self.env(su=True), "city_trace.scan_beacon", scan_id)

    @api.model
    def _beacon(self, scan_id, token, repeat=False, latitude=None, longitude=None):
        """Complete a recent scan with what the page tells after loading: repeat flag, coarse place.

        The place is rounded here to 0.1 degree whatever the page sent, is accepted once, and its
        district is the one of the nearest registered location within about 15 km. Returns
        whether the scan was updated.
        """
        if not isinstance(scan_id, int) or not isinstance(token, str):
            return False
        if not hmac_lib.compare_digest(token.encode(), self._beacon_token(scan_id).encode()):
            return False
        place = coarse_place(latitude, longitude)
        self.env.cr.execute(
            SQL(
                """UPDATE city_trace_scan s
                      SET repeat = s.repeat OR %(repeat)s,
                          located = s.located OR %(located)s,
                          latitude = CASE WHEN s.located THEN s.latitude ELSE %(lat)s END,
                          longitude = CASE WHEN s.located THEN s.longitude ELSE %(lon)s END,
                          division_id = CASE WHEN s.located THEN s.division_id ELSE %(division)s END
                    WHERE s.id = %(id)s
                      AND s.scan_time > (now() AT TIME ZONE 'UTC') - make_interval(mins => %(minutes)s)""",
                id=scan_id,
                repeat=bool(repeat),
                located=place is not None,
                lat=place and place[0],
                lon=place and place[1],
                division=self._nearest_district_sql(place),
                minutes=BEACON_MINUTES,
            )
        )
        return bool(self.env.cr.rowcount)

    @api.model
    def _nearest_district_sql(self, place):
        """SQL of the district (or the division) of the nearest located trace location near ``place``."""
        if place is None:
            return SQL("NULL::int")
        lat, lon = place
        return SQL(
            """(SELECT COALESCE(
                         (SELECT a.id FROM city_division a
                           WHERE a.type = 'district' AND starts_with(d.parent_path, a.parent_path)
                           LIMIT 1),
                         d.id)
                  FROM city_trace_location loc
                  JOIN city_division d ON d.id = loc.division_id
                 WHERE loc.active AND NOT (loc.latitude = 0 AND loc.longitude = 0)
                   AND loc.latitude BETWEEN %(lat)s - 0.15 AND %(lat)s + 0.15
                   AND loc.longitude BETWEEN %(lon)s - 0.2 AND %(lon)s + 0.2
                 ORDER BY (loc.latitude - %(lat)s) ^ 2
                          + ((loc.longitude - %(lon)s) * cos(radians(%(lat)s))) ^ 2
                 LIMIT 1)""",
            lat=lat,
            lon=lon,
        )

    # ------------------------------------------------------------------
    # What the public page shows
    # ------------------------------------------------------------------
    @api.model
    def _page_data(self, gtin, lot_name=None, serial_name=None):
        """Raw page data of a code from ``city_trace_scan_page()`` (see PAGE_FUNCTION): a dict with
        ``product`` (None when unknown) and, for a lot, ``lot`` (None when unknown; its
        ``serial_id`` None for an unknown serial item), ``steps``, ``inputs``, ``upstream`` and
        ``inspections``, with dates still in ISO text."""
        self.env.cr.execute(
            SQL(
                "SELECT city_trace_scan_page(%s, %s, %s, %s, %s)",
                gtin,
                lot_name or None,
                serial_name or None,
                MAX_STEPS,
                MAX_INSPECTIONS,
            )
        )
        data = self.env.cr.fetchone()[0]
        return json.loads(data) if isinstance(data, str) else data

    @api.model
    def _page_values(self, gtin, lot_name=None, serial_name=None):
        """Everything the public page shows about a code, read with explicit columns only.

        Returns ``(status, values)``: status 200, or 404 when the product, the lot or the serial
        item is unknown (``values["missing"]`` then says which).
        """
        data = self._page_data(gtin, lot_name, serial_name)
        product, lot = data["product"], data.get("lot")
        if not product:
            return 404, {"missing": "product"}
        if lot_name and (not lot or (serial_name and not lot["serial_id"])):
            return 404, {"missing": "serial" if lot else "lot", "product": product}
        values = {
            "product": product,
            "lot": lot,
            "steps": [],
            "inspections": [],
            "serial_name": serial_name,
            "warnings": [],
            "page_stamps": tuple(data["stamps"]),
        }
        if lot:
            today = datetime.datetime.now(LOCAL_TZ).date()
            lot["production_date"] = fields.Date.to_date(lot["production_date"])
            expiry = lot["expiry_date"] = fields.Date.to_date(lot["expiry_date"])
            lot["expired"] = bool(expiry and expiry < today)
            lot["expires_soon"] = bool(
                expiry and not lot["expired"] and expiry <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
            )
            lot["days_left"] = (expiry - today).days if expiry else None
            lot["recall_notice"] = self._page_recall_notice(lot) if lot["recalled"] else False
            values["warnings"] = [
                {
                    "title": warning.title,
                    "date": warning.published_date,
                    "description": warning.description,
                    "advice": warning.advice,
                }
                for warning in self.env["city.trace.warning"]._public_warnings_for(
                    self.env["city.trace.lot"].browse(lot["id"])
                )
            ]
            values["steps"], values["inspections"] = self._page_history(data)
        values["labels"] = self._page_labels()
        return 200, values

    @api.model
    def _page_history(self, data):
        """``(steps, inspections)`` of the page from the raw data of a lot: the lot's steps and its
        inputs' in time order, each with its Beijing time, the label of the input lot for the
        inputs' steps and, on the transformation that made the lot, what it was made from
        ("made from paddy, batch P1 of farm X")."""
        labels = {row["lot_id"]: f"{row['product']} {row['lot']}" for row in data["inputs"]}
        made_from = defaultdict(list)
        for row in data["inputs"]:
            made_from[row["event_id"]].append(row)
        steps = []
        for step in data["steps"] + data["upstream"]:
            time = datetime.datetime.fromisoformat(step["time"])
            step.update(
                time=time,
                local_time=pytz.utc.localize(time).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                lot=labels.get(step.get("lot_id")),
                inputs=made_from.get(step["id"], []),
            )
            steps.append(step)
        steps.sort(key=lambda step: (step["time"], step["id"]))
        inspections = data["inspections"]
        for inspection in inspections:
            inspection["date"] = fields.Date.to_date(inspection["date"])
            inspection["lot"] = labels.get(inspection["lot_id"])
        return steps[:MAX_STEPS], inspections

    @api.model
    def _page_recall_notice(self, lot):
        """The published notice of the newest recall reaching a recalled lot (city.trace.recall), or
        the lot's own ``recall_notice`` field when a module provides one instead."""
        lot_sudo = self.env["city.trace.lot"].sudo().browse(lot["id"])
        if "city.trace.recall" in self.env:
            return self.env["city.trace.recall"]._public_notice_for(lot_sudo) or False
        if "recall_notice" in lot_sudo._fields:
            return lot_sudo.recall_notice or False
        return False

    @api.model
    def _page_labels(self):
        """Translated labels of the selections the page shows (cached by the ORM per language)."""
        Event = self.env["city.trace.event"]
        Product = self.env["city.trace.product"]
        Inspection = self.env["city.trace.inspection"]
        return {
            "biz_step": dict(Event._fields["biz_step"]._description_selection(self.env)),
            "event_type": dict(Event._fields["event_type"]._description_selection(self.env)),
            "category": dict(Product._fields["category"]._description_selection(self.env)),
            "uom": dict(Product._fields["uom"]._description_selection(self.env)),
            "result": dict(Inspection._fields["result"]._description_selection(self.env)),
        }

    # ------------------------------------------------------------------
    # Rendered pages (per worker) and their stamps
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache(cache="templates.cached_values")
    def _page_cache(self):
        """The rendered pages of this worker: ``{(gtin, lot, serial, lang, day): CachedPage}``.

        It lives with the registry's rendered template values, so it is dropped with them (a
        template, translation or module change, and any cache invalidation of the registry).
        """
        return LRU(PAGE_CACHE_SIZE)

    @api.model
    def _page_cache_key(self, gtin, lot_name, serial_name, lang):
        """Key of a page in the cache; the day is part of it (expiry warnings, days left)."""
        return (gtin, lot_name, serial_name, lang, datetime.datetime.now(LOCAL_TZ).date())

    @api.model
    def _page_cache_get(self, key):
        """The cached page of ``key`` (a CachedPage), or None; whether it is current is checked
        when its scan is logged (:meth:`_log_cached_scan`)."""
        page = self._page_cache().get(key)
        if page is None or page.expires < time.monotonic():
            return None  # rendered again and kept in its place
        return page

    @api.model
    def _page_cache_put(self, key, html, values):
        """Keep the page ``html`` rendered from ``values`` (of :meth:`_page_values`, with the
        stand-ins PAGE_SCAN_ID and PAGE_TOKEN as scan id and token) and return it as a CachedPage."""
        lot = values["lot"]
        lot_id, serial_id = lot and lot["id"], lot and lot["serial_id"]
        page = CachedPage(
            html=str(html),
            product_id=values["product"]["id"],
            lot_id=lot_id or None,
            serial_id=serial_id or None,
            code_level=code_level(lot_id, serial_id),
            stamps=values["page_stamps"],
            expires=time.monotonic() + PAGE_CACHE_SECONDS,
        )
        self._page_cache()[key] = page
        return page

    @api.model
    def _page_html(self, page, scan_id):
        """The HTML of cached page ``page`` for the view ``scan_id`` (its id and beacon token)."""
        return page.html.replace(PAGE_SCAN_ID, str(scan_id)).replace(PAGE_TOKEN, self._beacon_token(scan_id))

    @api.model
    def _page_touch(self, lot_ids=(), event_ids=(), all_pages=False):
        """Outdate the cached pages of lots ``lot_ids``, of the lots events ``event_ids`` name, of
        the lots made from them, or of every code (``all_pages``), once the transaction commits.

        The stamps are raised after the commit, in a statement of their own, so that writers never
        wait for each other on a stamp. A page rendering concurrently reads the stamps in the same
        snapshot as its data: it is kept either with the data of before the change and the stamp
        of before (outdated as soon as the stamp is raised), or with the data of after.
        """
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(PAGE_TOUCH_KEY)
        if pending is None:
            pending = postcommit.data[PAGE_TOUCH_KEY] = {"lots": set(), "events": set(), "all": False}
            postcommit.add(functools.partial(_page_touch_flush, self.env.registry, pending))
        pending["lots"].update(lot_id for lot_id in lot_ids if lot_id)
        pending["events"].update(event_ids)
        pending["all"] = pending["all"] or bool(all_pages)

    # ------------------------------------------------------------------
    # Enterprise portal: scans of an enterprise's own products
    # ------------------------------------------------------------------
    @api.model
    def _enterprise_stats(self, partner, days=30):
        """Scans of the products whose brand owner is ``partner`` over the last ``days`` days.

        ``{"total": int, "per_day": [(date, count)], "per_product": [(name, count)], "per_city":
        [(district, count)]}``, aggregates only (enterprises cannot read the scan log).
        """
        cr = self.env.cr
        since = fields.Datetime.now() - datetime.timedelta(days=days)
        scope = SQL(
            """FROM city_trace_scan s JOIN city_trace_product p ON p.id = s.product_id
               WHERE p.partner_id = %s AND s.scan_time >= %s""",
            partner.id,
            since,
        )
        cr.execute(
            SQL(
                "SELECT (s.scan_time AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Shanghai')::date, count(*) %s "
                "GROUP BY 1 ORDER BY 1 DESC",
                scope,
            )
        )
        per_day = [(str(day), count) for day, count in cr.fetchall()]
        cr.execute(SQL("SELECT p.name, count(*) %s GROUP BY p.id, p.name ORDER BY 2 DESC, 1", scope))
        per_product = cr.fetchall()
        cr.execute(
            SQL(
                """SELECT d.name, count(*) FROM city_trace_scan s
                     JOIN city_trace_product p ON p.id = s.product_id
                     LEFT JOIN city_division d ON d.id = s.division_id
                    WHERE p.partner_id = %s AND s.scan_time >= %s
                    GROUP BY d.id, d.name ORDER BY 2 DESC, 1""",
                partner.id,
                since,
            )
        )
        unknown = self.env._("Unknown")
        per_city = [(name or unknown, count) for name, count in cr.fetchall()]
        return {
            "total": sum(count for _day, count in per_day),
            "per_day": per_day,
            "per_product": per_product,
            "per_city": per_city,
        }

    # ------------------------------------------------------------------
    # Suspicious codes (cron)
    # ------------------------------------------------------------------
    @api.model
    def _cron_detect_suspicious(self):
        """Flag suspicious codes from the scans since the last run (with an hour of overlap for the
        places pages send late), in three set-based statements; see city.trace.scan.alert."""
        params = self.env["ir.config_parameter"].sudo()
        now = fields.Datetime.now()
        last = params.get_param(LAST_CHECK_PARAM)
        since = (fields.Datetime.to_datetime(last) if last else now - datetime.timedelta(days=2)) - datetime.timedelta(
            hours=1
        )
        count = self.env["city.trace.scan.alert"]._detect(since, now)
        params.set_param(LAST_CHECK_PARAM, fields.Datetime.to_string(now))
        return count


def code_level(lot_id, serial_id):
    """What a scanned code named: ``serial``, ``lot`` or ``product``."""
    return "serial" if serial_id else "lot" if lot_id else "product"


def _page_touch_flush(registry, pending):
    """Raise the page stamps collected by ``_page_touch`` (after the commit, in a cursor of its own)."""
    try:
        with registry.cursor() as cr:
            cr.execute(
                SQL(
                    PAGE_TOUCH_SQL,
                    lots=sorted(pending["lots"]),
                    events=sorted(pending["events"]),
                    all=pending["all"],
                )
            )
    except psycopg2.Error:
        # the change is committed; its pages stay cached until they expire (PAGE_CACHE_SECONDS)
        _logger.exception("Could not outdate the cached scan pages")


def coarse_place(latitude, longitude):
    """``(lat, lon)`` rounded to 0.1 degree, or None when missing or out of range."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 1), round(lon, 1)
