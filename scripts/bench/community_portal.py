"""Portal page /my/requests of a resident with ~50 requests, among 1,000,000 community requests.

    scripts/bench/run community_portal [--scale 1000000] [--duration 10] [--connections 8]

``--scale`` is the number of community service requests in the database copy (default
1,000,000). They are inserted with set-based SQL (datagen.insert_requests): a realistic state mix
(70% closed, 15% open, the rest replied, refused, merged, cancelled or draft), four intake
channels, spread over the residents and their grids. The copy first gets one resident per ten
requests (datagen.fill, 100,000 at the default scale; the demo residents count), so that an
average resident has about ten requests.

One resident without a user is the measured one: 45 requests of his own and 5 he joined as
"also affected" (50 in all: one page at Odoo's 80 per page, three at 20; the JSON gives the
controller's page size and the rows the page listed). A portal user ``bench_resident`` (group
city_base.group_city_base_resident) is linked to him in ``odoo shell``; its password is
``$BENCH_PORTAL_PASSWORD`` or a random one, passed to the shell and to the login through the
environment and memory only, never printed. The harness logs in through ``POST /web/login`` (with
the page's CSRF token) and wrk loads ``GET /my/requests`` with that session cookie; every response
must be 200 (a lost session would answer 303 to the login page and make the run invalid).

Targets: ``ratio`` = /my/requests requests/s ÷ ``GET /web/login`` requests/s (same run) >= 0.8,
and ``p95_ms`` <= 200 (``target_p95_ms``). Both pages render a QWeb layout for one user; the
resident's page adds the session check, the record rules and two queries on 1M requests that
the indexes (partner_id, id DESC) and the affected-partner relation must keep cheap.
"""

import os
import secrets
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2

DEFAULT_SCALE = 1_000_000
TARGET_RATIO = 0.8
TARGET_P95_MS = 200
REQUESTS_PER_RESIDENT = 10
MEASURED_OWN = 45
MEASURED_AFFECTED = 5
PATH = "/my/requests"
LOGIN = "bench_resident"
PASSWORD_ENV = "BENCH_PORTAL_PASSWORD"
USER_MARKER = "BENCH_PORTAL_USER="
PAGE_MARKER = "BENCH_PAGE_SIZE="  # the controller's _city_items_per_page (20)

PORTAL_USER_CODE = (
    common.RESIDENT_USER_CODE
    + """
import os
user = resident_user(env["res.partner"].browse({partner_id}), {login!r}, os.environ[{password_env!r}])
env.cr.commit()
print({marker!r} + str(user.id))
from odoo.addons.city_community.controllers.portal import CommunityPortal
print({page_marker!r} + str(CommunityPortal._city_items_per_page))
"""
)


def choose_resident(conn):
    """The measured resident: an active resident with a home grid and no user yet."""
    with conn.cursor() as cr:
        cr.execute(
            """
            SELECT p.id, p.city_division_id FROM res_partner p
             WHERE p.is_resident AND p.active AND p.city_division_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)
             ORDER BY p.id LIMIT 1
            """
        )
        row = cr.fetchone()
    if not row:
        raise common.BenchError("no resident without a user to log into the portal")
    return row


def fill(db, scale, partner_id, division_id):
    """Insert ``scale`` requests, 50 of them the measured resident's; return the totals."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            sizes = datagen.prepare_requests(cr, exclude_partners=[partner_id])
        conn.commit()
        refs = datagen.request_refs(conn)
        common.log(f"inserting {scale} requests over {sizes['bench_partner']} residents (set-based SQL)")
        others = scale - MEASURED_OWN
        datagen.insert_requests(conn, 1, others, datagen.HISTORY_MIX, sizes, refs)
        datagen.insert_requests(
            conn,
            others + 1,
            MEASURED_OWN,
            datagen.HISTORY_MIX,
            sizes,
            refs,
            partner=partner_id,
            division=division_id,
            label="measured resident: ",
        )
        with conn.cursor() as cr:
            # "also affected" by open requests of others (city.request.action_join)
            cr.execute(
                """
                SELECT id FROM city_request
                 WHERE state IN %s AND partner_id IS DISTINCT FROM %s
                 ORDER BY random() LIMIT %s
                """,
                (datagen.OPEN_STATES, partner_id, MEASURED_AFFECTED),
            )
            datagen.add_affected(cr, partner_id, [row[0] for row in cr.fetchall()])
            tables = ["city_request", datagen.AFFECTED_REL]
            if datagen.has_table(cr, datagen.PORTAL_REL):
                tables.append(datagen.PORTAL_REL)
        conn.commit()
        datagen.analyze(conn, *tables)
    finally:
        conn.close()
    total = common.query(db, "SELECT count(*) FROM city_request")[0][0]
    mine = common.query(
        db,
        """SELECT count(*) FROM city_request WHERE partner_id = %s
              OR id IN (SELECT request_id FROM city_request_affected_partner_rel WHERE partner_id = %s)""",
        (partner_id, partner_id),
    )[0][0]
    return total, mine


def check_page(url, cookie, expected_rows):
    """One request by hand before the load: 200 (no redirect to the login) and a full first page."""
    status, body = common.http_request(f"{url}{PATH}", headers={"Cookie": cookie}, timeout=60, follow_redirects=False)
    page = body.decode("utf-8", "replace")
    if status != 200:
        raise common.BenchError(f"GET {PATH} with the resident's session answered {status}")
    rows = page.count("o_city_request_link")
    if rows != expected_rows:
        raise common.BenchError(f"GET {PATH} lists {rows} requests, expected {expected_rows}")
    return rows


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    if args.scale < MEASURED_OWN * 20:
        raise common.BenchError(f"--scale must be at least {MEASURED_OWN * 20} requests")
    started = time.monotonic()
    residents = datagen.fill(args.db, max(1, args.scale // REQUESTS_PER_RESIDENT))
    conn = psycopg2.connect(dbname=args.db)
    try:
        partner_id, division_id = choose_resident(conn)
    finally:
        conn.close()
    requests_in_db, mine = fill(args.db, args.scale, partner_id, division_id)
    common.log(f"{requests_in_db} requests in {args.db}; the measured resident (partner {partner_id}) has {mine}")
    fill_s = round(time.monotonic() - started, 1)

    conf = common.write_config(args.workdir, {})
    password = os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(24)
    common.log(f"creating the portal user {LOGIN} for partner {partner_id}")
    code = PORTAL_USER_CODE.format(
        partner_id=partner_id, login=LOGIN, password_env=PASSWORD_ENV, marker=USER_MARKER, page_marker=PAGE_MARKER
    )
    out = common.odoo_shell(
        conf, args.db, code, os.path.join(args.workdir, "odoo-shell.log"), env={PASSWORD_ENV: password}
    )
    page_size = [int(line[len(PAGE_MARKER) :]) for line in out.splitlines() if line.startswith(PAGE_MARKER)]
    if USER_MARKER not in out or not page_size:
        raise common.BenchError("odoo shell did not create the portal user")
    page_size = page_size[0]

    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        cookie = common.portal_login(server.url, LOGIN, password, PATH)
        rows = check_page(server.url, cookie, min(page_size, mine))
        baselines = common.measure_baselines(server, args)
        target = common.measure(server, PATH, args, env={common.COOKIE_ENV: cookie}, label=f"GET {PATH}")
    result = {
        **common.page_result(args, target, baselines, TARGET_RATIO, TARGET_P95_MS),
        "scale": args.scale,
        "requests_in_db": requests_in_db,
        "residents_in_db": residents,
        "resident_requests": mine,
        "page_rows": rows,
        "page_size": page_size,
        "fill_s": fill_s,
        **common.run_settings(args),
    }
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
