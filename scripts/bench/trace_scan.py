"""Public scan page of a lot with a 20-event history, among 1,000,000 trace events and 100,000 lots.

    scripts/bench/run trace_scan [--scale 1000000] [--duration 10] [--connections 8]

``--scale`` is the number of background trace events in the database copy (default 1,000,000),
over ``scale / 10`` lots (100,000 at the default scale) of 100 products, inserted with set-based
SQL (datagen.trace_background): each lot is commissioned, inspected, shipped and received along
a producer, a processor, a distributor and a retailer, and sold; one event in ten is not
published. The enterprises (400, valid USCCs) and products are datagen.trace_enterprises and
datagen.trace_products.

The measured lot is a rice batch (``SCAN-R1``, 5 kg bags) made by a mill from a paddy batch of a
farm (a transformation), shipped to a distributor and three supermarkets and sold there: 17
events name it, 4 more name the paddy batch on its way to the mill, one of the mill's events is
not published, one is declared erroneous (by a 22nd event, its error declaration), and both
batches have a published inspection. Its page shows 19 steps (the test of the page before the
load checks that, and that the page logs a scan).

wrk loads ``GET /01/<gtin>/10/SCAN-R1`` (the lot's GS1 Digital Link) without a session, as a
shopper's phone does; each request INSERTs one row into the scan log, and renders the page unless
the worker still keeps a current rendering of it (see city_trace's page cache).
The baselines of the same run are ``GET /web/login`` and ``GET /api/city/v1/ping``.

Targets: ``ratio`` = scan page requests/s ÷ ``GET /web/login`` requests/s >= 1.0, and ``p95_ms``
<= 150 (``target_p95_ms``) at 8 connections. ``scans_logged`` counts the rows the run added to
the scan log (warm-up included) against the requests wrk completed.
"""

import re
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2
from psycopg2.extras import execute_values

DEFAULT_SCALE = 1_000_000
EVENTS_PER_LOT = 10
ENTERPRISES = 400
PRODUCTS = 100
TARGET_RATIO = 1.0
TARGET_P95_MS = 150
LOT_NAME = "SCAN-R1"
PADDY_NAME = "SCAN-P1"
EXPECTED_STEPS = 19


def _division(cr):
    cr.execute("SELECT id FROM city_division WHERE type = 'district' ORDER BY id LIMIT 1")
    row = cr.fetchone()
    return row and row[0]


def insert_measured(cr, uid, enterprises):
    """The measured rice lot, its paddy input lot, their 22 events, objects and inspections.

    Returns ``(path, gtin)``: the lot's Digital Link path.
    """
    farm, mill, dist, shop_a = enterprises[0:4]
    shop_b, shop_c = enterprises[7], enterprises[11]
    division = _division(cr)
    cr.execute(
        """INSERT INTO city_trace_location (name, partner_id, address, division_id, latitude, longitude, active,
                                            create_uid, write_uid, create_date, write_date)
           VALUES ('基准米业加工厂', %(mill)s, '吉林市船营区越山路88号', %(division)s, 43.84, 126.55, true,
                   %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc')
           RETURNING id""",
        {"mill": mill, "division": division, "uid": uid},
    )
    location = cr.fetchone()[0]
    body = "690991000001"
    rice_gtin = "0" + body + datagen.gs1_check_digit(body)
    body = "690991000002"
    paddy_gtin = "0" + body + datagen.gs1_check_digit(body)
    products = {}
    for key, name, gtin, category, uom, owner in (
        ("rice", "基准舒兰大米 5kg", rice_gtin, "food", "bag", mill),
        ("paddy", "基准稻谷", paddy_gtin, "agricultural", "kg", farm),
    ):
        cr.execute(
            """INSERT INTO city_trace_product (name, gtin, category, uom, partner_id, shelf_life_days, regulated,
                                               active, description, create_uid, write_uid, create_date, write_date)
               VALUES (%s, %s, %s, %s, %s, 365, true, true, '东北粳米，一级', %s, %s,
                       now() at time zone 'utc', now() at time zone 'utc')
               RETURNING id""",
            (name, gtin, category, uom, owner, uid, uid),
        )
        products[key] = cr.fetchone()[0]
    lots = {}
    for key, name, product, producer, quantity in (
        ("rice", LOT_NAME, products["rice"], mill, 2000),
        ("paddy", PADDY_NAME, products["paddy"], farm, 20000),
    ):
        cr.execute(
            """INSERT INTO city_trace_lot (name, product_id, partner_id, location_id, category, production_date,
                                           expiry_date, quantity, recalled, create_uid, write_uid, create_date,
                                           write_date)
               SELECT %s, p.id, %s, %s, p.category, current_date - 20, current_date + 345, %s, false, %s, %s,
                      now() at time zone 'utc', now() at time zone 'utc'
                 FROM city_trace_product p WHERE p.id = %s
               RETURNING id""",
            (name, producer, location if key == "rice" else None, quantity, uid, uid, product),
        )
        lots[key] = cr.fetchone()[0]
    # (key, type, step, partner, source, destination, hour, public, lines [(role, lot, quantity)])
    paddy, rice = lots["paddy"], lots["rice"]
    plan = [
        ("p1", "object", "commissioning", farm, None, None, 0, True, [("epc", paddy, 20000)]),
        ("p2", "object", "inspecting", farm, None, None, 2, True, [("epc", paddy, 20000)]),
        ("p3", "object", "shipping", farm, None, mill, 4, True, [("epc", paddy, 5000)]),
        ("p4", "object", "receiving", mill, farm, None, 6, True, [("epc", paddy, 5000)]),
        (
            "r1",
            "transformation",
            "commissioning",
            mill,
            None,
            None,
            30,
            True,
            [("input", paddy, 5000), ("output", rice, 2000)],
        ),
        ("r2", "object", "inspecting", mill, None, None, 32, True, [("epc", rice, 2000)]),
        ("r3", "object", "storing", mill, None, None, 33, False, [("epc", rice, 2000)]),
        ("r4", "object", "shipping", mill, None, dist, 48, True, [("epc", rice, 2000)]),
        ("r5", "object", "receiving", dist, mill, None, 52, True, [("epc", rice, 2000)]),
        ("r6", "object", "storing", dist, None, None, 53, True, [("epc", rice, 2000)]),
        ("r7", "object", "shipping", dist, None, shop_a, 72, True, [("epc", rice, 600)]),
        ("r8", "object", "receiving", shop_a, dist, None, 75, True, [("epc", rice, 600)]),
        ("r9", "object", "shipping", dist, None, shop_b, 76, True, [("epc", rice, 700)]),
        ("r10", "object", "receiving", shop_b, dist, None, 79, True, [("epc", rice, 700)]),
        ("r11", "object", "shipping", dist, None, shop_b, 80, True, [("epc", rice, 70)]),
        ("r12", "object", "shipping", dist, None, shop_c, 96, True, [("epc", rice, 700)]),
        ("r13", "object", "receiving", shop_c, dist, None, 99, True, [("epc", rice, 700)]),
        ("r14", "object", "retail_selling", shop_a, None, None, 120, True, [("epc", rice, 600)]),
        ("r15", "object", "retail_selling", shop_b, None, None, 122, True, [("epc", rice, 700)]),
        ("r16", "object", "retail_selling", shop_c, None, None, 124, True, [("epc", rice, 700)]),
        ("r17", "object", "storing", shop_c, None, None, 125, True, [("epc", rice, 700)]),
    ]
    rows = [
        (f"bench:scan:{key}", kind, step, partner, source, dest, hour, public, location if partner == mill else None)
        for key, kind, step, partner, source, dest, hour, public, _lines in plan
    ]
    events = dict(
        (event_hash.removeprefix("bench:scan:"), event_id)
        for event_id, event_hash in execute_values(
            cr,
            f"""INSERT INTO city_trace_event (event_hash, event_type, action, biz_step, disposition, event_time,
                                              event_tz, record_time, partner_id, source_partner_id, dest_partner_id,
                                              public, location_id, capture_channel, is_erroneous, create_uid,
                                              write_uid, create_date, write_date)
                SELECT v.hash, v.type, CASE WHEN v.type = 'object' THEN 'OBSERVE' END, v.step, 'active',
                       (current_date - 20) + make_interval(hours => v.hour), '+08:00', now() at time zone 'utc',
                       v.partner, v.source, v.destination, v.public, v.location, 'portal', false,
                       {int(uid)}, {int(uid)}, now() at time zone 'utc', now() at time zone 'utc'
                  FROM (VALUES %s) AS v(hash, type, step, partner, source, destination, hour, public, location)
                RETURNING id, event_hash""",
            rows,
            template="(%s, %s, %s, %s, %s::int, %s::int, %s, %s, %s::int)",
            fetch=True,
            page_size=100,
        )
    )
    execute_values(
        cr,
        "INSERT INTO city_trace_event_line (event_id, role, lot_id, quantity) VALUES %s",
        [(events[key], role, lot, qty) for key, *_rest, lines in plan for role, lot, qty in lines],
    )
    # r17 was recorded by mistake: an error declaration (without objects) makes it erroneous
    cr.execute(
        """INSERT INTO city_trace_event (event_hash, event_type, action, biz_step, event_time, event_tz, record_time,
                                         partner_id, declares_error_of_id, error_reason, public, capture_channel,
                                         is_erroneous, create_uid, write_uid, create_date, write_date)
           VALUES ('bench:scan:r17-error', 'object', 'OBSERVE', 'storing', (current_date - 20) + interval '126 hours',
                   '+08:00', now() at time zone 'utc', %(shop)s, %(wrong)s, 'did_not_occur', true, 'portal', false,
                   %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc')""",
        {"shop": shop_c, "wrong": events["r17"], "uid": uid},
    )
    cr.execute("UPDATE city_trace_event SET is_erroneous = true WHERE id = %s", (events["r17"],))
    for number, lot, partner, agency in (
        ("BENCH-JC-R1", rice, mill, "吉林市食品检验所"),
        ("BENCH-JC-P1", paddy, farm, "舒兰市农产品质量检测站"),
    ):
        cr.execute(
            """INSERT INTO city_trace_inspection (name, lot_id, product_id, category, partner_id, agency,
                                                  inspection_date, items, result, published, state, create_uid,
                                                  write_uid, create_date, write_date)
               SELECT %s, l.id, l.product_id, l.category, %s, %s, current_date - 10, '镉、无机砷、黄曲霉毒素B1',
                      'pass', true, 'confirmed', %s, %s, now() at time zone 'utc', now() at time zone 'utc'
                 FROM city_trace_lot l WHERE l.id = %s""",
            (number, partner, agency, uid, uid, lot),
        )
    return f"/01/{rice_gtin}/10/{LOT_NAME}", rice_gtin


def fill(db, scale):
    """Background events and the measured lot; return the totals and the measured path."""
    lots = max(1, scale // EVENTS_PER_LOT)
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            uid = datagen.admin_uid(cr)
            enterprises = datagen.trace_enterprises(cr, ENTERPRISES, uid)
            products = datagen.trace_products(cr, enterprises[0::4], PRODUCTS, uid)
        conn.commit()
        datagen.trace_background(conn, products, enterprises, lots, EVENTS_PER_LOT, uid, prefix="BS")
        with conn.cursor() as cr:
            path, _gtin = insert_measured(cr, uid, enterprises)
        conn.commit()
        datagen.analyze(
            conn,
            "res_partner",
            "city_trace_product",
            "city_trace_lot",
            "city_trace_event",
            "city_trace_event_line",
            "city_trace_inspection",
        )
    finally:
        conn.close()
    events, lots_in_db = common.query(
        db, "SELECT (SELECT count(*) FROM city_trace_event), (SELECT count(*) FROM city_trace_lot)"
    )[0]
    return path, events, lots_in_db


def scan_count(db):
    return common.query(db, "SELECT count(*) FROM city_trace_scan")[0][0]


def check_page(url, path, db):
    """One request by hand before the load: 200, the lot's steps, and one scan logged."""
    before = scan_count(db)
    status, body = common.http_request(f"{url}{path}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}, timeout=60)
    page = body.decode("utf-8", "replace")
    if status != 200:
        raise common.BenchError(f"GET {path} answered {status}")
    steps = len(re.findall(r'class="o_trace_step[ "]', page))
    if steps != EXPECTED_STEPS or LOT_NAME not in page:
        raise common.BenchError(f"GET {path} shows {steps} steps, expected {EXPECTED_STEPS}")
    if "t-call-assets" in page or "/web/assets/" in page:
        raise common.BenchError("the scan page loads an asset bundle (is the server in test mode?)")
    if scan_count(db) != before + 1:
        raise common.BenchError("the scan page did not log its scan")
    return steps, len(page.encode("utf-8"))


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    if args.scale < EVENTS_PER_LOT * 100:
        raise common.BenchError(f"--scale must be at least {EVENTS_PER_LOT * 100} events")
    started = time.monotonic()
    path, events, lots = fill(args.db, args.scale)
    common.log(f"{events} events and {lots} lots in {args.db}; measured page {path}")
    fill_s = round(time.monotonic() - started, 1)

    conf = common.write_config(args.workdir, {})
    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        steps, page_bytes = check_page(server.url, path, args.db)
        baselines = common.measure_baselines(server, args)
        scans_before = scan_count(args.db)
        target = common.measure(server, path, args, label=f"GET {path}")
        scans_logged = scan_count(args.db) - scans_before
    result = {
        **common.page_result(args, target, baselines, TARGET_RATIO, TARGET_P95_MS),
        "scale": args.scale,
        "events_in_db": events,
        "lots_in_db": lots,
        "page_steps": steps,
        "page_bytes": page_bytes,
        "scans_logged": scans_logged,
        "fill_s": fill_s,
        **common.run_settings(args),
    }
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
