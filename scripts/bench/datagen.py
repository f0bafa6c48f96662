"""Fill a database with residents at benchmark scale, with set-based SQL (COPY), not the ORM.

    .venv/bin/python scripts/bench/datagen.py --db city_bench_resident_lookup --residents 100000

Residents get valid, unique GB 11643 identity numbers registered in the county of their grid,
a name and (for adults) a mobile number from ``scripts/lib/citydata.py``; the stored columns the
ORM would compute (masked ID, birth date, gender, complete name, commercial partner...) are filled
consistently with ``addons/city_base``. The database counts as filled when it already holds at
least N active residents (demo residents included); otherwise only the missing ones are added.

For the ``community_*`` benchmarks it also fills community service requests
(:func:`insert_requests`, ``INSERT ... SELECT generate_series``) and alarm devices
(:func:`insert_devices`) of ``addons/city_community``; those are library functions only.
Connection: the local socket and PG* environment variables (as ``psql``). Progress goes to stderr.
"""

import argparse
import csv
import datetime
import importlib
import io
import os
import random
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "lib")))

citydata = importlib.import_module("citydata")  # scripts/lib/citydata.py
validators = citydata.validators  # addons/city_base/tools/validators.py

SEED = 20250301
BATCH = 10000
FIRST_BIRTH = datetime.date(1930, 1, 1)
LAST_BIRTH = datetime.date(2020, 12, 31)
FALLBACK_REGION = "220202"  # 昌邑区, when a grid code does not start with a county code

COLUMNS = (
    "id",
    "name",
    "complete_name",
    "commercial_partner_id",
    "type",
    "lang",
    "active",
    "is_company",
    "partner_share",
    "color",
    "message_bounce",
    "is_resident",
    "resident_id_number",
    "resident_id_masked",
    "birth_date",
    "gender",
    "city_division_id",
    "mobile",
    "phone_sanitized",
    "city",
    "country_id",
    "state_id",
    "create_uid",
    "write_uid",
    "create_date",
    "write_date",
)


def log(message):
    print(f"[datagen] {message}", file=sys.stderr, flush=True)


def resident_count(cr):
    cr.execute("SELECT count(*) FROM res_partner WHERE is_resident AND active")
    return cr.fetchone()[0]


def _xmlid(cr, module, name):
    cr.execute("SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s", (module, name))
    row = cr.fetchone()
    return row[0] if row else None


def _grids(cr):
    cr.execute("SELECT id, code FROM city_division WHERE type = 'grid' AND active ORDER BY id")
    grids = []
    for division_id, code in cr.fetchall():
        region = (code or "")[:6]
        if not (region.isdigit() and len(region) == 6 and region[:2] in validators.PROVINCE_CODES):
            region = FALLBACK_REGION
        grids.append((division_id, region))
    if not grids:
        raise SystemExit("no grid divisions (city_division.type = 'grid'): install city_base with its demo data")
    return grids


def _rows(rng, count, ids, grids, seen, refs, today):
    last_birth = min(LAST_BIRTH, today - datetime.timedelta(days=1))
    adult_before = datetime.date(today.year - 18, today.month, min(today.day, 28))
    for partner_id in ids[:count]:
        division_id, region = rng.choice(grids)
        gender = rng.choice(("male", "female"))
        birth = citydata.random_date(rng, FIRST_BIRTH, last_birth)
        number = citydata.make_unique(seen, citydata.make_resident_id, rng, region, birth, gender)
        name = citydata.make_name(rng, gender, birth_year=birth.year)
        mobile = citydata.make_mobile(rng) if birth <= adult_before else None
        yield (
            partner_id,
            name,
            name,
            partner_id,  # a person is their own commercial partner
            "contact",
            "zh_CN",
            "t",
            "f",
            "t",  # no internal user: a shared partner
            0,
            0,
            "t",
            number,
            validators.mask_resident_id(number),
            birth.isoformat(),
            gender,
            division_id,
            mobile,
            mobile,  # what phone_validation stores without the phonenumbers library
            "吉林市",
            refs["country"],
            refs["state"],
            refs["uid"],
            refs["uid"],
            refs["now"],
            refs["now"],
        )


def fill(db, residents, seed=SEED, batch=BATCH):
    """Make ``db`` hold at least ``residents`` active residents; return the count afterwards."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            existing = resident_count(cr)
            if existing >= residents:
                log(f"{db} already has {existing} residents (>= {residents}): nothing to do")
                return existing
            missing = residents - existing
            log(f"{db}: {existing} residents, adding {missing}")
            grids = _grids(cr)
            cr.execute("SELECT resident_id_number FROM res_partner WHERE resident_id_number IS NOT NULL")
            seen = {row[0] for row in cr.fetchall()}
            cr.execute("SELECT now() AT TIME ZONE 'utc', current_date")
            now, today = cr.fetchone()
            refs = {
                "country": _xmlid(cr, "base", "cn"),
                "state": _xmlid(cr, "base", "state_cn_JL"),
                "uid": 1,
                "now": now.isoformat(sep=" "),
            }
            rng = random.Random(seed + existing)
            started = time.monotonic()
            done = 0
            copy_sql = f"COPY res_partner ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
            while done < missing:
                size = min(batch, missing - done)
                cr.execute("SELECT nextval('res_partner_id_seq') FROM generate_series(1, %s)", (size,))
                ids = [row[0] for row in cr.fetchall()]
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(_rows(rng, size, ids, grids, seen, refs, today))
                buffer.seek(0)
                cr.copy_expert(copy_sql, buffer)
                conn.commit()
                done += size
                rate = done / max(time.monotonic() - started, 1e-6)
                log(f"{done}/{missing} residents inserted ({rate:.0f}/s)")
            log("ANALYZE res_partner")
            cr.execute("ANALYZE res_partner")
            conn.commit()
            return resident_count(cr)
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# Community service requests (addons/city_community), for the community_* benchmarks
# ---------------------------------------------------------------------------
#
# ``city_request`` is filled with ``INSERT ... SELECT ... FROM generate_series(...)`` in chunks,
# never through the ORM, keeping the stored columns the ORM would set consistent with
# addons/city_community (category of the item, community of the grid, the dates and the running
# ``deadline`` of each state). Random draws come from PostgreSQL's ``random()`` after
# ``setseed()``, so the same database and scale give the same data.

REQUEST_SEED = 0.20251124
AFFECTED_REL = "city_request_affected_partner_rel"
# city.request.portal_partner_ids (stored compute: applicant + also affected), when the addon has it
PORTAL_REL = "city_request_portal_partner_rel"
REQUEST_CHUNK = 200_000
OPEN_STATES = ("submitted", "accepted", "dispatched", "in_progress", "returned")
TERMINAL_STATES = ("closed", "replied", "refused", "merged", "cancelled")

# A service centre a few years old: most requests are finished, about 15% are open.
HISTORY_MIX = (
    ("closed", 0.70),
    ("replied", 0.05),
    ("refused", 0.04),
    ("merged", 0.02),
    ("cancelled", 0.03),
    ("draft", 0.01),
    ("submitted", 0.02),
    ("accepted", 0.02),
    ("dispatched", 0.03),
    ("in_progress", 0.06),
    ("returned", 0.02),
)
# The open requests only, in the proportions of HISTORY_MIX's open states (roughly).
OPEN_MIX = (
    ("submitted", 0.15),
    ("accepted", 0.10),
    ("dispatched", 0.25),
    ("in_progress", 0.40),
    ("returned", 0.10),
)
# Intake channels (the sensor channel belongs to alarm devices, not generated here).
CHANNEL_MIX = (("portal", 0.35), ("window", 0.30), ("hotline", 0.25), ("api", 0.10))
ANONYMOUS_HOTLINE = 0.2  # share of hotline callers who give no name

DESCRIPTIONS = (
    "楼道照明灯不亮，晚上出行不便，请尽快维修。",
    "小区下水道堵塞，污水外溢，影响居民生活。",
    "申请开具居住证明，用于子女入学。",
    "单元门禁损坏，外来人员随意进出。",
    "老人行动不便，申请上门办理高龄补贴。",
    "楼上住户噪音扰民，多次沟通无果。",
    "小区绿地被占用堆放杂物，请协调清理。",
    "冬季供暖温度不达标，室内温度低于18度。",
    "申请办理残疾人证换证。",
    "路面井盖松动，存在安全隐患。",
)

# Depth past the deadline of an overdue open request, so that the three escalation levels occur:
# (share, minimum, random extra). Level 1 needs any delay, level 2 one working day, level 3 three
# working days (city_community.escalation_notice_days / _supervise_days); calendar days past the
# deadline count less working days over weekends and holidays, hence the wide spans.
OVERDUE_DEPTHS = (
    (0.40, "1 minute", "20 hours"),
    (0.30, "2 days", "4 days"),
    (0.30, "10 days", "30 days"),
)


def _case(mix, draw):
    """A SQL CASE choosing a value of ``mix`` ((value, share)...) with the uniform draw ``draw``."""
    total = sum(share for _value, share in mix)
    parts, bound = [], 0.0
    for value, share in mix[:-1]:
        bound += share / total
        parts.append(f"WHEN {draw} < {bound:.6f} THEN '{value}'")
    return f"CASE {' '.join(parts)} ELSE '{mix[-1][0]}' END"


def _depth_case(draw, extra):
    parts, bound = [], 0.0
    for share, minimum, span in OVERDUE_DEPTHS[:-1]:
        bound += share
        parts.append(f"WHEN {draw} < {bound:.6f} THEN interval '{minimum}' + {extra} * interval '{span}'")
    _share, minimum, span = OVERDUE_DEPTHS[-1]
    return f"CASE {' '.join(parts)} ELSE interval '{minimum}' + {extra} * interval '{span}' END"


def prepare_requests(cr, exclude_partners=()):
    """Temporary lookup tables of this session (items, residents, grids, departments, communities).

    Returns their sizes; exits when the copy lacks what the requests need.
    """
    cr.execute("SELECT setseed(%s)", (REQUEST_SEED,))
    cr.execute(
        """
        CREATE TEMP TABLE bench_item ON COMMIT PRESERVE ROWS AS
        SELECT row_number() OVER (ORDER BY id) AS idx, id, category_id,
               GREATEST(COALESCE(legal_days, 5), 1) AS legal_days, department_id
          FROM city_service_item
         WHERE active AND NOT COALESCE(is_alarm, false)
        """
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_partner ON COMMIT PRESERVE ROWS AS
        SELECT row_number() OVER (ORDER BY id) AS idx, id, city_division_id AS division_id
          FROM res_partner
         WHERE is_resident AND active AND NOT (id = ANY(%s))
        """,
        (list(exclude_partners),),
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_grid ON COMMIT PRESERVE ROWS AS
        SELECT row_number() OVER (ORDER BY id) AS idx, id FROM city_division WHERE type = 'grid' AND active
        """
    )
    cr.execute(
        """
        CREATE TEMP TABLE bench_dept ON COMMIT PRESERVE ROWS AS
        SELECT row_number() OVER (ORDER BY id) AS idx, id FROM city_department WHERE active
        """
    )
    # city.request._compute_community_id: the nearest community/street/district/city at or above
    # the division; the community when it is one, the division itself otherwise.
    cr.execute(
        """
        CREATE TEMP TABLE bench_div ON COMMIT PRESERVE ROWS AS
        SELECT d.id,
               COALESCE((SELECT CASE WHEN a.type = 'community' THEN a.id END
                           FROM city_division a
                          WHERE d.parent_path LIKE a.parent_path || '%'
                            AND a.type IN ('community', 'street', 'district', 'city')
                          ORDER BY length(a.parent_path) DESC
                          LIMIT 1), d.id) AS community_id
          FROM city_division d
        """
    )
    sizes = {}
    for table in ("bench_item", "bench_partner", "bench_grid", "bench_dept"):
        cr.execute(f"CREATE UNIQUE INDEX ON {table} (idx)")
        cr.execute(f"ANALYZE {table}")
        cr.execute(f"SELECT count(*) FROM {table}")
        sizes[table] = cr.fetchone()[0]
    cr.execute("CREATE UNIQUE INDEX ON bench_div (id)")
    cr.execute("ANALYZE bench_div")
    if not sizes["bench_item"]:
        raise SystemExit("no active non-alarm service item: install city_community with its demo data")
    if not sizes["bench_grid"]:
        raise SystemExit("no grid division: install city_base with its demo data")
    if not sizes["bench_partner"]:
        raise SystemExit("no resident to file requests for")
    return sizes


REQUEST_INSERT_SQL = """
WITH r AS MATERIALIZED (
    SELECT g,
           random() AS r_state, random() AS r_chan, random() AS r_anon, random() AS r_item,
           random() AS r_partner, random() AS r_grid,
           random() AS r_dept, random() AS r_age, random() AS r_due, random() AS r_depth,
           random() AS r_x, random() AS r_y, random() AS r_z, random() AS r_desc, random() AS r_prio
      FROM generate_series(%(first)s, %(last)s) AS g
), s AS (
    SELECT r.*, {state_case} AS state, {channel_case} AS channel FROM r
), a AS (
    SELECT s.*,
           it.id AS item_id, it.category_id, it.legal_days,
           COALESCE(it.department_id, dp.id) AS department,
           (s.channel = 'hotline' AND s.r_anon < %(anonymous)s AND %(fixed_partner)s::int IS NULL) AS anon,
           COALESCE(%(fixed_partner)s::int, bp.id) AS partner,
           COALESCE(%(fixed_division)s::int, bp.division_id, gr.id) AS division,
           (s.state IN %(open_states)s AND s.r_due < %(overdue)s) AS overdue
      FROM s
      JOIN bench_item it ON it.idx = 1 + floor(s.r_item * %(n_items)s)::int
      JOIN bench_grid gr ON gr.idx = 1 + floor(s.r_grid * %(n_grids)s)::int
      LEFT JOIN bench_partner bp ON bp.idx = 1 + floor(s.r_partner * %(n_partners)s)::int
      LEFT JOIN bench_dept dp ON dp.idx = 1 + floor(s.r_dept * %(n_depts)s)::int
), b AS (
    -- the running deadline of open requests: in the future, or past it by OVERDUE_DEPTHS
    SELECT a.*,
           CASE WHEN a.state NOT IN %(open_states)s THEN NULL
                WHEN a.overdue THEN %(now)s::timestamp - ({depth_case})
                ELSE %(now)s::timestamp + interval '1 hour' + a.r_x * interval '10 days' END AS due
      FROM a
), c AS (
    SELECT b.*,
           CASE
             WHEN b.state = 'draft' THEN NULL
             WHEN b.state = 'submitted'
               THEN LEAST(b.due, %(now)s::timestamp) - interval '10 minutes' - b.r_y * interval '1 day'
             WHEN b.state IN %(open_states)s
               THEN LEAST(b.due, %(now)s::timestamp) - interval '2 hours'
                    - b.r_y * b.legal_days * interval '1 day' - b.r_z * interval '20 hours'
             WHEN b.state = 'replied'
               THEN %(now)s::timestamp - interval '2 days' - b.r_age * interval '20 days'
             ELSE %(now)s::timestamp - interval '3 days' - b.r_age * interval '1095 days'
           END AS submitted
      FROM b
), d AS (
    SELECT c.*,
           CASE WHEN c.state IN ('accepted', 'dispatched', 'in_progress', 'returned', 'replied', 'closed')
                THEN c.submitted + c.r_z * interval '20 hours' END AS accepted_at
      FROM c
), e AS (
    SELECT d.*,
           CASE WHEN d.state IN ('replied', 'closed')
                THEN LEAST(%(now)s::timestamp - interval '1 hour',
                           d.accepted_at + interval '1 hour' + d.r_x * d.legal_days * interval '1.6 days')
           END AS replied_at
      FROM d
)
INSERT INTO city_request (
    name, item_id, category_id, channel, state, priority, description, partner_id, anonymous,
    caller_name, caller_phone, division_id, community_id, department_id, accepted_by_id,
    refuse_reason, return_reason, return_state, return_count, reply,
    submit_date, accept_deadline, accept_date, dispatch_date, reply_deadline, reply_date, close_date,
    deadline, escalation_level, one_stop, on_time, reply_work_hours, reopen_count, satisfaction, alarm_count,
    create_uid, write_uid, create_date, write_date)
SELECT
    'SQ' || to_char(COALESCE(e.submitted, %(now)s::timestamp) + interval '8 hours', 'YYYYMMDD')
         || lpad(e.g::text, 7, '0'),
    e.item_id, e.category_id, e.channel, e.state,
    CASE WHEN e.r_prio < 0.05 THEN '1' ELSE '0' END,
    (%(descriptions)s::text[])[1 + floor(e.r_desc * %(n_descriptions)s)::int],
    CASE WHEN e.anon THEN NULL ELSE e.partner END,
    e.anon,
    NULL, NULL,
    e.division, COALESCE(dv.community_id, e.division),
    CASE WHEN e.state IN ('dispatched', 'in_progress', 'returned', 'replied', 'closed') THEN e.department END,
    CASE WHEN e.accepted_at IS NOT NULL THEN %(uid)s::int END,
    CASE WHEN e.state = 'refused' THEN '不符合受理条件，请补齐材料后重新提交。' END,
    CASE WHEN e.state = 'returned' THEN '该事项不属于本部门职责范围。' END,
    CASE WHEN e.state = 'returned' THEN 'dispatched' END,
    CASE WHEN e.state = 'returned' THEN 1 ELSE 0 END,
    CASE WHEN e.replied_at IS NOT NULL THEN '<p>已处理完毕，感谢您的反映。</p>' END,
    e.submitted,
    CASE WHEN e.state = 'submitted' THEN e.due
         WHEN e.submitted IS NOT NULL THEN e.submitted + interval '1 day' END,
    e.accepted_at,
    CASE WHEN e.state IN ('dispatched', 'in_progress', 'returned', 'replied', 'closed')
         THEN e.accepted_at + interval '30 minutes' END,
    CASE WHEN e.state IN ('accepted', 'dispatched', 'in_progress', 'returned') THEN e.due
         WHEN e.accepted_at IS NOT NULL THEN e.accepted_at + e.legal_days * interval '1.4 days' END,
    e.replied_at,
    CASE WHEN e.state = 'closed' THEN LEAST(%(now)s::timestamp - interval '1 minute',
                                            e.replied_at + interval '1 day' + e.r_y * interval '3 days')
         WHEN e.state = 'refused' THEN e.submitted + e.r_x * interval '1 day'
         WHEN e.state = 'merged' THEN e.submitted + e.r_x * interval '1 day'
         WHEN e.state = 'cancelled' THEN e.submitted + e.r_x * interval '2 hours' END,
    e.due,
    '0',
    CASE WHEN e.accepted_at IS NOT NULL THEN e.accepted_at <= e.submitted + interval '1 day' END,
    CASE WHEN e.replied_at IS NOT NULL
         THEN e.replied_at <= e.accepted_at + e.legal_days * interval '1.4 days' END,
    CASE WHEN e.replied_at IS NOT NULL
         THEN round((extract(epoch FROM e.replied_at - e.accepted_at) / 3600 * 7 / 24)::numeric, 2) END,
    0,
    CASE WHEN e.state = 'closed' THEN
         CASE WHEN e.r_z < 0.80 THEN 'satisfied' WHEN e.r_z < 0.95 THEN 'basic' ELSE 'unsatisfied' END END,
    0,
    %(uid)s, %(uid)s,
    COALESCE(e.submitted, %(now)s::timestamp - e.r_age * interval '30 days'),
    COALESCE(e.replied_at, e.accepted_at, e.submitted, %(now)s::timestamp - e.r_age * interval '30 days')
  FROM e
  LEFT JOIN bench_div dv ON dv.id = e.division
"""


def insert_requests(conn, first, count, mix, sizes, refs, overdue=0.10, partner=None, division=None, label=""):
    """Insert ``count`` requests numbered from ``first`` (their reference suffix), in chunks.

    ``mix`` is the state mix ((state, share)...); ``overdue`` the share of open requests past
    their deadline. ``partner``/``division`` pin every request to one resident and grid.
    """
    sql = REQUEST_INSERT_SQL.format(
        state_case=_case(mix, "r.r_state"),
        channel_case=_case(CHANNEL_MIX, "r.r_chan"),
        depth_case=_depth_case("a.r_depth", "a.r_x"),
    )
    done, started = 0, time.monotonic()
    with conn.cursor() as cr:
        portal_rel = has_table(cr, PORTAL_REL)
        while done < count:
            size = min(REQUEST_CHUNK, count - done)
            cr.execute("SELECT COALESCE(max(id), 0) FROM city_request")
            last_id = cr.fetchone()[0]
            params = {
                "first": first + done,
                "last": first + done + size - 1,
                "anonymous": ANONYMOUS_HOTLINE,
                "fixed_partner": partner,
                "fixed_division": division,
                "open_states": OPEN_STATES,
                "overdue": overdue,
                "now": refs["now"],
                "uid": refs["uid"],
                "n_items": sizes["bench_item"],
                "n_grids": sizes["bench_grid"],
                "n_partners": max(sizes["bench_partner"], 1),
                "n_depts": max(sizes["bench_dept"], 1),
                "descriptions": list(DESCRIPTIONS),
                "n_descriptions": len(DESCRIPTIONS),
            }
            cr.execute(sql, params)
            if portal_rel:
                # the stored compute portal_partner_ids (applicant + also affected) of the new rows
                cr.execute(
                    f"""INSERT INTO {PORTAL_REL} (request_id, partner_id)
                        SELECT id, partner_id FROM city_request WHERE id > %s AND partner_id IS NOT NULL""",
                    (last_id,),
                )
            conn.commit()
            done += size
            rate = done / max(time.monotonic() - started, 1e-6)
            log(f"{label}{done}/{count} requests inserted ({rate:.0f}/s)")
    return done


def has_table(cr, name):
    cr.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
    return cr.fetchone()[0]


def add_affected(cr, partner_id, request_ids):
    """Make ``partner_id`` "also affected" by ``request_ids`` (city.request.action_join, in SQL)."""
    rows = [(request_id, partner_id) for request_id in request_ids]
    tables = [AFFECTED_REL] + ([PORTAL_REL] if has_table(cr, PORTAL_REL) else [])
    for table in tables:
        cr.executemany(
            f"INSERT INTO {table} (request_id, partner_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


def request_refs(conn):
    """The shared values of the generated rows: now (naive UTC) and the creating user (admin)."""
    with conn.cursor() as cr:
        cr.execute("SELECT now() AT TIME ZONE 'utc'")
        now = cr.fetchone()[0]
        uid = _xmlid(cr, "base", "user_admin") or 1
    return {"now": now, "uid": uid}


def insert_devices(conn, count, refs, prefix="BENCH-"):
    """Register ``count`` alarm devices ``<prefix>000001``... on the existing buildings.

    Devices rotate over the buildings (with a grid), the active alarm items (``is_alarm``) and the
    four device types (water, power, gas, smoke). Returns ``[(code, type)]`` of the devices.
    """
    with conn.cursor() as cr:
        cr.execute(
            """
            CREATE TEMP TABLE bench_building ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) AS idx, id, grid_id
              FROM city_building WHERE active AND grid_id IS NOT NULL
            """
        )
        cr.execute(
            """
            CREATE TEMP TABLE bench_alarm_item ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) AS idx, id
              FROM city_service_item WHERE active AND is_alarm
            """
        )
        cr.execute("SELECT (SELECT count(*) FROM bench_building), (SELECT count(*) FROM bench_alarm_item)")
        buildings, items = cr.fetchone()
        if not buildings or not items:
            raise SystemExit(f"alarm devices need buildings with a grid ({buildings}) and alarm items ({items})")
        cr.execute(
            """
            INSERT INTO city_alarm_device (code, name, type, active, building_id, division_id, item_id,
                                           burst_minutes, create_uid, write_uid, create_date, write_date)
            SELECT %(prefix)s || lpad(g::text, 6, '0'),
                   (ARRAY['漏水传感器', '电力监测器', '燃气探测器', '烟感探测器'])[1 + g %% 4] || ' ' || g,
                   (ARRAY['water', 'power', 'gas', 'smoke'])[1 + g %% 4],
                   true, b.id, b.grid_id, i.id, 60, %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM generate_series(1, %(count)s) AS g
              JOIN bench_building b ON b.idx = 1 + g %% %(buildings)s
              JOIN bench_alarm_item i ON i.idx = 1 + g %% %(items)s
            ON CONFLICT (code) DO NOTHING
            """,
            {"prefix": prefix, "count": count, "buildings": buildings, "items": items, **refs},
        )
        # the devices of an earlier run on a kept database are reused
        cr.execute(
            """
            SELECT code, type FROM city_alarm_device
             WHERE active AND code LIKE %s || '%%' ORDER BY code LIMIT %s
            """,
            (prefix, count),
        )
        devices = cr.fetchall()
    conn.commit()
    log(f"{len(devices)} alarm devices registered on {buildings} buildings ({items} alarm items)")
    return devices


def analyze(conn, *tables):
    with conn.cursor() as cr:
        for table in tables:
            log(f"ANALYZE {table}")
            cr.execute(f"ANALYZE {table}")
    conn.commit()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database to fill (never the development database 'city')")
    parser.add_argument("--residents", type=int, default=100000, help="residents wanted in total (default 100000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--allow-city", action="store_true", help="allow filling the development database 'city'")
    args = parser.parse_args(argv)
    if args.db == "city" and not args.allow_city:
        parser.error("refusing to fill the development database 'city' (use a copy, or --allow-city)")
    total = fill(args.db, args.residents, seed=args.seed)
    log(f"{args.db} has {total} residents")


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------------------
# city_trace: enterprises, products, lots and events (library functions of the trace_* benchmarks)
# ---------------------------------------------------------------------------
TRACE_ROLES = ("trace_producer", "trace_processor", "trace_logistics", "trace_retailer")
# Background steps of a lot, in order: (business step, disposition, holder index in the lot's chain).
TRACE_LOT_STEPS = (
    ("commissioning", "active", 0),
    ("inspecting", "conformant", 0),
    ("shipping", "in_transit", 0),
    ("receiving", "in_progress", 1),
    ("storing", "sellable_accessible", 1),
    ("shipping", "in_transit", 1),
    ("receiving", "in_progress", 2),
    ("shipping", "in_transit", 2),
    ("receiving", "in_progress", 3),
    ("retail_selling", "retail_sold", 3),
)


def admin_uid(cr):
    """The id of the user ``admin``, who creates the trace rows (1, the superuser, without one)."""
    cr.execute("SELECT id FROM res_users WHERE login = 'admin'")
    row = cr.fetchone()
    return row[0] if row else 1


def gs1_check_digit(body):
    """GS1 mod-10 check digit of ``body`` (as addons/city_trace/tools/gs1.py computes it)."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def trace_enterprises(cr, count, uid, uscc_prefix="91220299MT", name_prefix="基准企业"):
    """Insert ``count`` traceability enterprises (companies with a valid USCC), the four roles in
    rotation; return their ids, producers first in each group of four (index % 4 is the role)."""
    from psycopg2.extras import execute_values  # noqa: PLC0415 - only the trace benchmarks need it

    rows = []
    for index in range(count):
        body = f"{uscc_prefix}{index + 1:07d}"
        rows.append((f"{name_prefix}{index + 1:05d}", body + validators.uscc_check_char(body), index % 4))
    uid = int(uid)
    ids = execute_values(
        cr,
        f"""INSERT INTO res_partner (name, complete_name, uscc, type, active, is_company, lang, trace_producer,
                                     trace_processor, trace_logistics, trace_retailer, trace_enterprise,
                                     create_uid, write_uid, create_date, write_date)
            SELECT v.name, v.name, v.uscc, 'contact', true, true, 'zh_CN', v.role = 0, v.role = 1, v.role = 2,
                   v.role = 3, true, {uid}, {uid}, now() at time zone 'utc', now() at time zone 'utc'
              FROM (VALUES %s) AS v(name, uscc, role)
            RETURNING id""",
        rows,
        fetch=True,
        page_size=max(1, len(rows)),
    )
    ids = [partner_id for (partner_id,) in ids]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (ids,))
    return ids


def trace_products(cr, owners, count, uid, gtin_prefix="690990", name_prefix="基准产品"):
    """Insert ``count`` products (GTIN-13 ``gtin_prefix`` + number + check digit, stored as GTIN-14)
    owned by ``owners`` in rotation; return their ids."""
    from psycopg2.extras import execute_values  # noqa: PLC0415 - only the trace benchmarks need it

    rows = []
    for index in range(count):
        body = f"{gtin_prefix}{index + 1:06d}"
        rows.append(
            (
                f"{name_prefix}{index + 1:04d}",
                "0" + body + gs1_check_digit(body),
                ("food", "drug", "agricultural")[index % 3],
                ("bag", "box", "kg")[index % 3],
                owners[index % len(owners)],
            )
        )
    uid = int(uid)
    ids = execute_values(
        cr,
        f"""INSERT INTO city_trace_product (name, gtin, category, uom, partner_id, shelf_life_days, regulated,
                                            active, create_uid, write_uid, create_date, write_date)
            SELECT v.name, v.gtin, v.category, v.uom, v.owner, 365, true, true, {uid}, {uid},
                   now() at time zone 'utc', now() at time zone 'utc'
              FROM (VALUES %s) AS v(name, gtin, category, uom, owner)
            ON CONFLICT (gtin) DO NOTHING
            RETURNING id""",
        rows,
        fetch=True,
        page_size=max(1, len(rows)),
    )
    return [product_id for (product_id,) in ids]


def trace_background(conn, products, enterprises, lots, events_per_lot, uid, prefix="BS", public_share=0.9):
    """Insert ``lots`` lots of ``products`` and ``events_per_lot`` events per lot (one object line each)
    with set-based SQL, in chunks of 100,000 events; return the number of events inserted.

    Each lot passes from a producer to a processor, a distributor and a retailer of
    ``enterprises`` (ids in role rotation, see :func:`trace_enterprises`), following
    TRACE_LOT_STEPS (repeated when ``events_per_lot`` is larger); about ``public_share`` of the
    events are published. The events carry unique hashes (``bench:<prefix>:<n>``) but no
    per-enterprise hash chain: the benchmarks' queries do not read it.
    """
    steps = len(TRACE_LOT_STEPS)
    params = {
        "uid": int(uid),
        "lots": lots,
        "per_lot": events_per_lot,
        "products": list(products),
        "enterprises": list(enterprises),
        "groups": max(1, len(enterprises) // 4),
        "prefix": prefix,
        "steps": [step for step, _disposition, _holder in TRACE_LOT_STEPS],
        "dispositions": [disposition for _step, disposition, _holder in TRACE_LOT_STEPS],
        "holders": [holder for _step, _disposition, holder in TRACE_LOT_STEPS],
        "nsteps": steps,
        # every n-th event is kept private (0: all published)
        "private": round(1 / (1 - public_share)) if public_share < 1 else 0,
    }
    with conn.cursor() as cr:
        log(f"inserting {lots} lots of {len(products)} products (set-based SQL)")
        cr.execute(
            """INSERT INTO city_trace_lot (name, product_id, partner_id, category, production_date, expiry_date,
                                           quantity, recalled, create_uid, write_uid, create_date, write_date)
               SELECT %(prefix)s || lpad(g::text, 8, '0'), p.id,
                      (%(enterprises)s::int[])[1 + 4 * (g %% %(groups)s)], p.category,
                      current_date - 30 - g %% 300, current_date + 335 - g %% 300, 1000 + g %% 5000, false,
                      %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc'
                 FROM generate_series(1, %(lots)s) g
                 JOIN city_trace_product p
                   ON p.id = (%(products)s::int[])[1 + g %% array_length(%(products)s::int[], 1)]
               ON CONFLICT (product_id, name) DO NOTHING""",
            params,
        )
        cr.execute(
            """CREATE TEMP TABLE bench_trace_lot ON COMMIT PRESERVE ROWS AS
               SELECT substr(name, length(%(prefix)s) + 1)::int AS g, id AS lot_id, production_date
                 FROM city_trace_lot WHERE name LIKE %(prefix)s || '%%' AND product_id = ANY(%(products)s)""",
            params,
        )
        cr.execute("CREATE UNIQUE INDEX ON bench_trace_lot (g)")
    conn.commit()
    total = lots * events_per_lot
    done = 0
    started = time.monotonic()
    chunk = 100_000
    while done < total:
        size = min(chunk, total - done)
        with conn.cursor() as cr:
            # event n (1-based): lot b = (n - 1) / per_lot + 1, step k = (n - 1) %% per_lot; the
            # holders of lot b are the enterprises 4 * group + role of its group of four.
            cr.execute(
                """WITH src AS (
                       SELECT n, (n - 1) / %(per_lot)s + 1 AS b, (n - 1) %% %(per_lot)s AS k
                         FROM generate_series(%(first)s, %(last)s) n
                   ), ev AS (
                       SELECT s.n, l.lot_id, l.production_date, s.k,
                              1 + s.k %% %(nsteps)s AS step,
                              (%(holders)s::int[])[1 + s.k %% %(nsteps)s] AS role,
                              ((s.b * 7919) %% %(groups)s) AS grp
                         FROM src s JOIN bench_trace_lot l ON l.g = s.b
                   ), ins AS (
                       INSERT INTO city_trace_event (event_hash, event_type, action, biz_step, disposition,
                                                     event_time, event_tz, record_time, partner_id,
                                                     source_partner_id, dest_partner_id, public, capture_channel,
                                                     is_erroneous, create_uid, write_uid, create_date, write_date)
                       SELECT 'bench:' || %(prefix)s || ':' || ev.n, 'object',
                              CASE WHEN ev.k = 0 THEN 'ADD' ELSE 'OBSERVE' END,
                              (%(steps)s::text[])[ev.step], (%(dispositions)s::text[])[ev.step],
                              ev.production_date + make_interval(hours => 1 + ev.k * 6),
                              '+08:00', now() at time zone 'utc',
                              (%(enterprises)s::int[])[1 + 4 * ev.grp + ev.role],
                              CASE WHEN (%(steps)s::text[])[ev.step] = 'receiving'
                                   THEN (%(enterprises)s::int[])[1 + 4 * ev.grp + ev.role - 1] END,
                              CASE WHEN (%(steps)s::text[])[ev.step] = 'shipping'
                                   THEN (%(enterprises)s::int[])[1 + 4 * ev.grp + ev.role + 1] END,
                              %(private)s = 0 OR ev.n %% GREATEST(%(private)s, 1) <> 0, 'import', false,
                              %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc'
                         FROM ev
                       RETURNING id, event_hash
                   )
                   INSERT INTO city_trace_event_line (event_id, role, lot_id, quantity)
                   SELECT ins.id, 'epc', ev.lot_id, 100
                     FROM ins JOIN ev ON 'bench:' || %(prefix)s || ':' || ev.n = ins.event_hash""",
                dict(params, first=done + 1, last=done + size),
            )
        conn.commit()
        done += size
        rate = done / max(1e-6, time.monotonic() - started)
        log(f"{done}/{total} events inserted ({rate:.0f}/s)")
    with conn.cursor() as cr:
        cr.execute("DROP TABLE IF EXISTS bench_trace_lot")
    conn.commit()
    return total


# ---------------------------------------------------------------------------
# city_special_care: care recipients, wearables, safe zones and their event history
# (library functions of the care_* benchmarks)
# ---------------------------------------------------------------------------
# A benchmark device's IMEI is CARE_IMEI_TAC + a 7-digit serial + the Luhn check digit, so that the
# devices of an earlier run on a kept database are found again (and the serial numbers them).
CARE_IMEI_TAC = "8699990"
CARE_MODEL_NAME = "基准智能手表 W1"
CARE_CENTRE = (43.8378, 126.5494)  # 吉林市 city centre: the safe zones lie within ~20 km of it
CARE_ZONE_RADIUS = 500
# Thresholds a new care file gets (city.care.recipient._default_threshold): parameter and default.
CARE_THRESHOLDS = (
    ("heart_rate_min", 50),
    ("heart_rate_max", 120),
    ("systolic_min", 90),
    ("systolic_max", 160),
    ("diastolic_max", 100),
    ("spo2_min", 90),
)


def luhn_check_digit(body):
    """The Luhn check digit of an IMEI's 14 digits (as addons/city_special_care/tools/imei.py)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def care_imei(serial):
    body = f"{CARE_IMEI_TAC}{serial:07d}"
    return body + luhn_check_digit(body)


def care_thresholds(cr):
    """The default vital-sign thresholds of new care files: ``{field: value}``."""
    cr.execute(
        "SELECT key, value FROM ir_config_parameter WHERE key = ANY(%s)",
        ([f"city_special_care.{key}" for key, _default in CARE_THRESHOLDS],),
    )
    configured = dict(cr.fetchall())
    values = {}
    for key, default in CARE_THRESHOLDS:
        try:
            values[key] = int(configured.get(f"city_special_care.{key}") or default)
        except ValueError:
            values[key] = default
    return values


def care_device_model(cr, uid):
    """The benchmark's wearable model (a watch with fall detection, vitals and location); its id."""
    cr.execute("SELECT id FROM city_care_device_model WHERE name = %s ORDER BY id LIMIT 1", (CARE_MODEL_NAME,))
    row = cr.fetchone()
    if row:
        return row[0]
    cr.execute(
        """INSERT INTO city_care_device_model (name, manufacturer, kind, heartbeat_interval, offline_after,
                                               low_battery_percent, has_fall_detection, has_vitals, has_location,
                                               active, create_uid, write_uid, create_date, write_date)
           VALUES (%s, '基准电子', 'watch', 300, 900, 15, true, true, true, true, %s, %s,
                   now() at time zone 'utc', now() at time zone 'utc')
           RETURNING id""",
        (CARE_MODEL_NAME, uid, uid),
    )
    return cr.fetchone()[0]


CARE_RECIPIENT_SQL = """
WITH p AS MATERIALIZED (
    SELECT row_number() OVER (ORDER BY p.birth_date NULLS LAST, p.id) AS n, p.id, p.name, p.birth_date,
           p.city_division_id AS division_id,
           COALESCE(date_part('year', age(%(today)s::date, p.birth_date))::int, 70) AS years
      FROM res_partner p
     WHERE p.is_resident AND p.active
       AND NOT EXISTS (SELECT 1 FROM city_care_recipient r WHERE r.partner_id = p.id)
     ORDER BY p.birth_date NULLS LAST, p.id
     LIMIT %(count)s
)
INSERT INTO city_care_recipient (
    partner_id, name, birth_date, division_id, community_id, active, risk_level, risk_sequence, risk_changed_at,
    parents_away, parents_work_location, disability_type, disability_grade, heart_rate_min, heart_rate_max,
    systolic_min, systolic_max, diastolic_max, spo2_min, visit_interval_days, last_visit_date,
    create_uid, write_uid, create_date, write_date)
SELECT p.id, p.name, p.birth_date, p.division_id, COALESCE(dv.community_id, p.division_id), true,
       CASE WHEN p.n %% 10 = 0 THEN 'high' WHEN p.n %% 10 IN (1, 2) THEN 'medium' ELSE 'low' END,
       CASE WHEN p.n %% 10 = 0 THEN 2 WHEN p.n %% 10 IN (1, 2) THEN 1 ELSE 0 END,
       %(now)s::timestamp - (p.n %% 400) * interval '1 day',
       p.years < 16, CASE WHEN p.years < 16 THEN '浙江省宁波市' END,
       CASE WHEN p.years BETWEEN 16 AND 59
            THEN (ARRAY['physical', 'visual', 'hearing', 'intellectual'])[1 + p.n %% 4] END,
       CASE WHEN p.years BETWEEN 16 AND 59 THEN (ARRAY['2', '3', '4'])[1 + p.n %% 3] END,
       %(heart_rate_min)s, %(heart_rate_max)s, %(systolic_min)s, %(systolic_max)s, %(diastolic_max)s,
       %(spo2_min)s, 90,
       CASE WHEN p.n %% 3 <> 0 THEN %(now)s::timestamp - (p.n %% 60) * interval '1 day' - interval '2 hours' END,
       %(uid)s, %(uid)s, %(now)s::timestamp - (400 + p.n %% 400) * interval '1 day', %(now)s
  FROM p
  LEFT JOIN bench_care_div dv ON dv.id = p.division_id
RETURNING id
"""


def _care_categories(cr, recipient_ids):
    """Categories of new care files, as a worker records them and city.care.recipient computes them.

    Recorded (manual): 独居, 空巢 or 孤寡 for those aged 60 and over. Computed: the recorded ones,
    高龄 from 80, 留守儿童 under 16 (parents away), 残障 for a disability with its grade.
    """
    cr.execute("SELECT code, id FROM city_care_category")
    codes = dict(cr.fetchall())
    manual = [codes[code] for code in ("elderly_alone", "elderly_empty_nest", "elderly_widowed") if code in codes]
    cr.execute(
        """CREATE TEMP TABLE bench_care_new ON COMMIT DROP AS
           SELECT r.id, date_part('year', age(current_date, r.birth_date))::int AS years, r.disability_grade
             FROM city_care_recipient r WHERE r.id = ANY(%s)""",
        (recipient_ids,),
    )
    if manual:
        cr.execute(
            """INSERT INTO city_care_recipient_manual_category_rel (recipient_id, category_id)
               SELECT id, (%(manual)s::int[])[1 + id %% %(n)s] FROM bench_care_new WHERE years >= 60
               ON CONFLICT DO NOTHING""",
            {"manual": manual, "n": len(manual)},
        )
    cr.execute(
        """INSERT INTO city_care_recipient_category_rel (recipient_id, category_id)
           SELECT m.recipient_id, m.category_id FROM city_care_recipient_manual_category_rel m
             JOIN bench_care_new n ON n.id = m.recipient_id
           UNION
           SELECT id, %(elderly_80)s FROM bench_care_new WHERE years >= 80 AND %(elderly_80)s IS NOT NULL
           UNION
           SELECT id, %(left_behind)s FROM bench_care_new WHERE years < 16 AND %(left_behind)s IS NOT NULL
           UNION
           SELECT id, %(disability)s FROM bench_care_new
            WHERE disability_grade IS NOT NULL AND %(disability)s IS NOT NULL
           ON CONFLICT DO NOTHING""",
        {
            "elderly_80": codes.get("elderly_80"),
            "left_behind": codes.get("left_behind_child"),
            "disability": codes.get("disability"),
        },
    )
    # visit_interval_days: the shortest interval of the active policies that match (else 90 days)
    cr.execute(
        """UPDATE city_care_recipient r SET visit_interval_days = COALESCE(
                  (SELECT min(v.interval_days) FROM city_care_visit_policy v
                    WHERE v.active AND (v.risk_level IS NULL OR v.risk_level = r.risk_level)
                      AND (v.category_id IS NULL OR v.category_id IN (
                           SELECT c.category_id FROM city_care_recipient_category_rel c WHERE c.recipient_id = r.id))),
                  90)
            WHERE r.id IN (SELECT id FROM bench_care_new)"""
    )


def _care_routine_visits(cr, recipient_ids, uid):
    """One planned routine visit per new care file and its next_visit_due (city.care.visit._schedule_routine)."""
    params = {"ids": recipient_ids, "uid": uid}
    cr.execute(
        """INSERT INTO city_care_visit (recipient_id, division_id, community_id, user_id, reason, state, state_sequence,
                                        mode, due_date, is_overdue, escalation_level,
                                        create_uid, create_date, write_uid, write_date)
           SELECT r.id, r.division_id, r.community_id, r.responsible_user_id, 'routine', 'planned', 0, 'home',
                  COALESCE(r.last_visit_date, r.create_date)
                      + make_interval(days => GREATEST(r.visit_interval_days, 1)),
                  false, 0, %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
             FROM city_care_recipient r
            WHERE r.id = ANY(%(ids)s) AND r.active
           ON CONFLICT (recipient_id) WHERE state = 'planned' AND reason = 'routine' DO NOTHING""",
        params,
    )
    cr.execute(
        """UPDATE city_care_recipient r SET next_visit_due = v.due
             FROM (SELECT recipient_id, min(due_date) AS due FROM city_care_visit
                    WHERE state = 'planned' AND recipient_id = ANY(%(ids)s) GROUP BY recipient_id) v
            WHERE r.id = v.recipient_id""",
        params,
    )


def care_recipients(conn, count, uid):
    """Open ``count`` more care files (oldest residents without one first), in one transaction.

    The stored columns the ORM computes are filled consistently with addons/city_special_care:
    name, birth date and grid of the resident, community, risk sequence, default thresholds,
    recorded and computed categories, visit interval by policy, one planned routine visit and the
    next visit due. Risk: 10% high, 20% medium. Returns the number of care files opened.
    """
    if count <= 0:
        return 0
    with conn.cursor() as cr:
        cr.execute("SELECT now() at time zone 'utc', current_date")
        now, today = cr.fetchone()
        cr.execute(
            """CREATE TEMP TABLE bench_care_div ON COMMIT DROP AS
               SELECT d.id,
                      COALESCE((SELECT CASE WHEN a.type = 'community' THEN a.id END
                                  FROM city_division a
                                 WHERE d.parent_path LIKE a.parent_path || '%'
                                   AND a.type IN ('community', 'street', 'district', 'city')
                                 ORDER BY length(a.parent_path) DESC LIMIT 1), d.id) AS community_id
                 FROM city_division d"""
        )
        cr.execute("CREATE UNIQUE INDEX ON bench_care_div (id)")
        params = dict(care_thresholds(cr), count=count, now=now, today=today, uid=uid)
        cr.execute(CARE_RECIPIENT_SQL, params)
        ids = [row[0] for row in cr.fetchall()]
        if ids:
            _care_categories(cr, ids)
            _care_routine_visits(cr, ids, uid)
    conn.commit()
    log(f"{len(ids)} care files opened (categories, routine visits)")
    return len(ids)


def care_devices(conn, count, uid, zone_every=10):
    """Give ``count`` benchmark wearables in use to care recipients without one; return them all.

    Devices of an earlier run (IMEI prefix CARE_IMEI_TAC) are kept; new ones go to the active
    recipients without a device in use, by id. Every ``zone_every``-th device's wearer gets a
    circular safe zone of CARE_ZONE_RADIUS m around a home near the city centre (when it has no
    active zone yet). The devices are online, heard 1 to 4 minutes ago, battery 60 to 100%.

    Returns ``[(imei, recipient_id, zone)]`` by IMEI, ``zone`` the ``(latitude, longitude, radius)``
    of the wearer's first active circular zone or None.
    """
    with conn.cursor() as cr:
        model_id = care_device_model(cr, uid)
        cr.execute(
            "SELECT count(*), COALESCE(max(substr(imei, 8, 7)::int), 0) FROM city_care_device WHERE imei LIKE %s",
            (CARE_IMEI_TAC + "%",),
        )
        existing, last_serial = cr.fetchone()
        missing = count - existing
        if missing > 0:
            cr.execute(
                """SELECT r.id, r.division_id FROM city_care_recipient r
                    WHERE r.active AND NOT EXISTS (SELECT 1 FROM city_care_device d
                                                    WHERE d.recipient_id = r.id AND d.state = 'active')
                    ORDER BY r.id LIMIT %s""",
                (missing,),
            )
            free = cr.fetchall()
            if len(free) < missing:
                raise SystemExit(f"only {len(free)} care recipients without a device for {missing} new devices")
            serials = list(range(last_serial + 1, last_serial + 1 + missing))
            cr.execute(
                """INSERT INTO city_care_device (imei, model_id, recipient_id, division_id, state, is_online,
                                                 last_heartbeat_at, last_event_at, battery, sim_number,
                                                 create_uid, write_uid, create_date, write_date)
                   SELECT t.imei, %(model)s, t.recipient_id, t.division_id, 'active', true,
                          now() at time zone 'utc' - (60 + t.serial %% 180) * interval '1 second',
                          now() at time zone 'utc' - (60 + t.serial %% 180) * interval '1 second',
                          60 + t.serial %% 41, '1' || (3800000000::bigint + t.serial)::text,
                          %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc'
                     FROM unnest(%(imeis)s::varchar[], %(serials)s::int[], %(recipients)s::int[], %(divisions)s::int[])
                          AS t(imei, serial, recipient_id, division_id)""",
                {
                    "model": model_id,
                    "uid": uid,
                    "imeis": [care_imei(serial) for serial in serials],
                    "serials": serials,
                    "recipients": [recipient_id for recipient_id, _division in free],
                    "divisions": [division_id for _recipient, division_id in free],
                },
            )
        # Safe zones: a circle around a home within ~20 km of the centre, per zone_every-th device.
        cr.execute(
            """INSERT INTO city_care_zone (recipient_id, name, shape, latitude, longitude, radius, active,
                                           create_uid, write_uid, create_date, write_date)
               SELECT d.recipient_id, '家附近', 'circle',
                      round((%(lat)s + ((s.serial::bigint * 7919) %% 3600 - 1800) / 10000.0)::numeric, 7),
                      round((%(lng)s + ((s.serial::bigint * 104729) %% 5000 - 2500) / 10000.0)::numeric, 7),
                      %(radius)s, true, %(uid)s, %(uid)s, now() at time zone 'utc', now() at time zone 'utc'
                 FROM city_care_device d
                 CROSS JOIN LATERAL (SELECT substr(d.imei, 8, 7)::int AS serial) s
                WHERE d.imei LIKE %(tac)s || '%%' AND d.state = 'active' AND s.serial %% %(every)s = 0
                  AND NOT EXISTS (SELECT 1 FROM city_care_zone z WHERE z.recipient_id = d.recipient_id AND z.active)""",
            {
                "lat": CARE_CENTRE[0],
                "lng": CARE_CENTRE[1],
                "radius": CARE_ZONE_RADIUS,
                "uid": uid,
                "tac": CARE_IMEI_TAC,
                "every": zone_every,
            },
        )
        cr.execute(
            """SELECT d.imei, d.recipient_id, z.latitude, z.longitude, z.radius
                 FROM city_care_device d
                 LEFT JOIN LATERAL (SELECT latitude, longitude, radius FROM city_care_zone z
                                     WHERE z.recipient_id = d.recipient_id AND z.active AND z.shape = 'circle'
                                     ORDER BY z.id LIMIT 1) z ON true
                WHERE d.imei LIKE %s || '%%' AND d.state = 'active' AND d.recipient_id IS NOT NULL
                ORDER BY d.imei LIMIT %s""",
            (CARE_IMEI_TAC, count),
        )
        devices = [
            (imei, recipient_id, (float(lat), float(lng), radius) if lat is not None else None)
            for imei, recipient_id, lat, lng, radius in cr.fetchall()
        ]
    conn.commit()
    log(
        f"{len(devices)} benchmark wearables in use ({max(0, missing)} new), "
        f"{sum(1 for device in devices if device[2])} wearers with a safe zone"
    )
    return devices


def care_history(conn, per_device, uid, chunk=500_000):
    """Give every benchmark wearable ``per_device`` past heartbeats (one per 5 minutes before the
    last hour), with set-based SQL in chunks; earlier ones are kept. Returns the events inserted."""
    if per_device <= 0:
        return 0
    with conn.cursor() as cr:
        cr.execute(
            """CREATE TEMP TABLE bench_care_dev ON COMMIT PRESERVE ROWS AS
               SELECT row_number() OVER (ORDER BY d.id) AS n, d.id, d.recipient_id
                 FROM city_care_device d
                WHERE d.imei LIKE %s || '%%' AND d.state = 'active'
                  AND NOT EXISTS (SELECT 1 FROM city_care_event e
                                   WHERE e.device_id = d.id AND e.event_uid = 'hist-1')""",
            (CARE_IMEI_TAC,),
        )
        cr.execute("CREATE UNIQUE INDEX ON bench_care_dev (n)")
        cr.execute("SELECT count(*) FROM bench_care_dev")
        devices = cr.fetchone()[0]
    conn.commit()
    total, done, started = devices * per_device, 0, time.monotonic()
    per_chunk = max(1, chunk // per_device)
    for first in range(1, devices + 1, per_chunk):
        with conn.cursor() as cr:
            cr.execute(
                """INSERT INTO city_care_event (device_id, recipient_id, event_uid, kind, occurred_at, battery,
                                                create_uid, create_date)
                   SELECT d.id, d.recipient_id, 'hist-' || k, 'heartbeat',
                          now() at time zone 'utc' - interval '1 hour' - k * interval '5 minutes'
                              - (d.n %% 300) * interval '1 second',
                          LEAST(100, 60 + (d.n + k) %% 41), %(uid)s, now() at time zone 'utc'
                     FROM bench_care_dev d CROSS JOIN generate_series(1, %(per)s) AS k
                    WHERE d.n BETWEEN %(first)s AND %(last)s
                   ON CONFLICT (device_id, event_uid) DO NOTHING""",
                {"uid": uid, "per": per_device, "first": first, "last": first + per_chunk - 1},
            )
            done += cr.rowcount
        conn.commit()
        log(f"{done}/{total} past device events inserted ({done / max(time.monotonic() - started, 1e-6):.0f}/s)")
    with conn.cursor() as cr:
        cr.execute("DROP TABLE IF EXISTS bench_care_dev")
    conn.commit()
    return done


# ---------------------------------------------------------------------------
# Elderly care (addons/city_elderly_care), for the elderly_vouchers benchmark
# ---------------------------------------------------------------------------

ELDERLY_FIRST_BIRTH = datetime.date(1926, 1, 1)


def elderly_count(cr, min_age=80):
    """Active residents aged ``min_age`` or more today."""
    cr.execute(
        """SELECT count(*) FROM res_partner
            WHERE is_resident AND active AND birth_date <= current_date - make_interval(years => %s)""",
        (min_age,),
    )
    return cr.fetchone()[0]


def fill_elderly(db, count, min_age=80, seed=SEED):
    """Make ``db`` hold at least ``count`` active residents aged ``min_age`` or more; return that count.

    The missing ones are added by :func:`fill`, with births drawn between ELDERLY_FIRST_BIRTH and the
    day before the ``min_age``-th birthday (the birth range of :func:`_rows` is narrowed meanwhile).
    """
    global FIRST_BIRTH, LAST_BIRTH  # noqa: PLW0603 - the birth range _rows draws from, restored below
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            existing = elderly_count(cr, min_age)
            total = resident_count(cr)
            cr.execute("SELECT current_date")
            today = cr.fetchone()[0]
    finally:
        conn.close()
    if existing >= count:
        log(f"{db} already has {existing} residents aged {min_age}+ (>= {count}): nothing to do")
        return existing
    saved = FIRST_BIRTH, LAST_BIRTH
    FIRST_BIRTH = ELDERLY_FIRST_BIRTH
    LAST_BIRTH = datetime.date(today.year - min_age, today.month, min(today.day, 28)) - datetime.timedelta(days=1)
    try:
        fill(db, total + count - existing, seed=seed + 80)
    finally:
        FIRST_BIRTH, LAST_BIRTH = saved
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            return elderly_count(cr, min_age)
    finally:
        conn.close()


def care_dependence(conn, severe_every=10, moderate_every=7):
    """Give care files aged 80+ without a care level one: every ``severe_every``-th severe (失能), every
    ``moderate_every``-th moderate (半失能), the others independent, with the derived categories
    disabled_full / disabled_semi as city.care.recipient computes them. Returns {level: count}."""
    with conn.cursor() as cr:
        cr.execute("SELECT code, id FROM city_care_category WHERE code IN ('disabled_full', 'disabled_semi')")
        codes = dict(cr.fetchall())
        cr.execute(
            """UPDATE city_care_recipient r
                  SET care_level = CASE WHEN r.id %% %(severe)s = 0 THEN 'severe'
                                        WHEN r.id %% %(moderate)s = 0 THEN 'moderate'
                                        ELSE 'independent' END
                WHERE r.active AND r.care_level IS NULL
                  AND r.birth_date <= current_date - interval '80 years'""",
            {"severe": severe_every, "moderate": moderate_every},
        )
        for level, code in (("severe", "disabled_full"), ("moderate", "disabled_semi")):
            if code in codes:
                cr.execute(
                    """INSERT INTO city_care_recipient_category_rel (recipient_id, category_id)
                       SELECT id, %s FROM city_care_recipient WHERE active AND care_level = %s
                       ON CONFLICT DO NOTHING""",
                    (codes[code], level),
                )
        cr.execute("SELECT care_level, count(*) FROM city_care_recipient WHERE active GROUP BY 1")
        levels = {level or "none": n for level, n in cr.fetchall()}
    conn.commit()
    log(f"care levels: {levels}")
    return levels


# ---------------------------------------------------------------------------
# Elderly-care service orders (addons/city_elderly_care)
# ---------------------------------------------------------------------------

ELDERLY_ORDER_SQL = """
INSERT INTO city_elderly_order (
    name, recipient_id, division_id, community_id, service_id, provider_id, carer_id, scheduled_start,
    duration_minutes, quantity, unit_price_fen, amount_fen, voucher_fen, self_pay_fen, channel, state,
    dispatched_at, checkin_at, checkin_latitude, checkin_longitude, checkin_distance, checkout_at,
    checkout_latitude, checkout_longitude, actual_minutes, is_short, is_far, notes, rating, rating_comment,
    rated_at, cancel_reason, cancelled_at, create_uid, write_uid, create_date, write_date)
SELECT %(prefix)s || lpad(s.g::text, 7, '0'), r.id, r.division_id, r.community_id, o.service_id,
       CASE WHEN s.state <> 'booked' THEN p.id END,
       CASE WHEN s.state IN ('assigned', 'in_progress', 'done') THEN p.carers[1 + s.g %% p.carer_count] END,
       s.t, o.duration * s.qty, s.qty, o.price_fen, o.price_fen * s.qty,
       CASE WHEN s.state = 'done' THEN LEAST(o.price_fen * s.qty, (s.g %% 3) * 2500) ELSE 0 END,
       CASE WHEN s.state = 'done' THEN o.price_fen * s.qty - LEAST(o.price_fen * s.qty, (s.g %% 3) * 2500)
            ELSE 0 END,
       CASE WHEN s.g %% 4 = 0 THEN 'portal' ELSE 'worker' END, s.state,
       CASE WHEN s.state NOT IN ('booked', 'cancelled') THEN s.t - interval '1 day' END,
       CASE WHEN s.state IN ('in_progress', 'done') THEN s.t + (s.g %% 11) * interval '1 minute' END,
       CASE WHEN s.state IN ('in_progress', 'done') THEN 43.83 + (s.g %% 1000) / 100000.0 END,
       CASE WHEN s.state IN ('in_progress', 'done') THEN 126.54 + (s.g %% 1000) / 100000.0 END,
       CASE WHEN s.state IN ('in_progress', 'done') THEN CASE WHEN s.g %% 50 = 0 THEN 900 ELSE s.g %% 120 END END,
       CASE WHEN s.state = 'done' THEN s.t + (s.g %% 11 + s.actual) * interval '1 minute' END,
       CASE WHEN s.state = 'done' THEN 43.83 + (s.g %% 1000) / 100000.0 END,
       CASE WHEN s.state = 'done' THEN 126.54 + (s.g %% 1000) / 100000.0 END,
       CASE WHEN s.state = 'done' THEN s.actual END,
       s.state = 'done' AND s.actual < o.duration * s.qty * 0.9,
       s.state IN ('in_progress', 'done') AND s.g %% 50 = 0,
       CASE WHEN s.state = 'done' THEN '服务已完成，老人状态良好。' END,
       CASE WHEN s.state = 'done' AND s.g %% 5 <> 0 THEN 3 + s.g %% 3 END,
       CASE WHEN s.state = 'done' AND s.g %% 5 <> 0 AND s.g %% 3 = 0 THEN '护理员很耐心，服务周到。' END,
       CASE WHEN s.state = 'done' AND s.g %% 5 <> 0 THEN s.t + interval '1 day' END,
       CASE WHEN s.state = 'cancelled' THEN '老人临时住院，取消本次服务。' END,
       CASE WHEN s.state = 'cancelled' THEN s.t - interval '3 hours' END,
       %(uid)s, %(uid)s, s.t - interval '2 days', s.t
  FROM (SELECT q.*,
               CASE WHEN q.t > %(now)s::timestamp + interval '1 day'
                    THEN (ARRAY['booked', 'dispatched', 'assigned'])[1 + q.g %% 3]
                    WHEN q.t > %(now)s::timestamp THEN (ARRAY['dispatched', 'assigned'])[1 + q.g %% 2]
                    WHEN q.t > %(now)s::timestamp - interval '2 hours' THEN 'in_progress'
                    WHEN q.g %% 17 = 0 THEN 'cancelled'
                    ELSE 'done' END AS state
          FROM (SELECT g.g,
                       %(start)s::timestamp + (g.g - 1) * %(step)s * interval '1 second'
                           - ((g.g::bigint * 7919) %% 1800) * interval '1 second' AS t,
                       CASE WHEN g.g %% %(heavy_every)s = 0 THEN 0 ELSE 1 + g.g %% %(others)s END AS pn,
                       1 + (g.g * 7) %% %(recipients)s AS rn,
                       50 + (g.g * 13) %% 40 AS actual,
                       1 AS qty
                  FROM generate_series(%(first)s, %(last)s) g) q) s
  JOIN bench_eld_provider p ON p.n = s.pn
  JOIN bench_eld_offer o ON o.provider_id = p.id AND o.k = s.g %% p.offers
  JOIN bench_eld_recipient r ON r.n = s.rn
"""


def elderly_orders(conn, count, heavy_provider, uid, heavy_every=10, days_back=730, days_ahead=7, chunk=200_000):
    """Insert ``count`` service orders (city.elderly.order) with set-based SQL; return {state: count}.

    Every ``heavy_every``-th order goes to ``heavy_provider`` (the measured one), the others spread
    evenly over the other active providers that have prices; each order takes one of its provider's
    priced services (its price and duration), an active care file aged 60+ (division and community
    as the stored related fields), and a time spread evenly from ``days_back`` days ago to
    ``days_ahead`` days ahead. States follow the time: future orders booked (no provider yet),
    dispatched or assigned, the last two hours in progress, older ones done (check-in/out, voucher
    and self-pay split, most rated) or, one in 17, cancelled. Carers are the provider's own.
    Orders are named ``YLFW-B<number>`` (not the sequence's YLFW numbers).
    """
    with conn.cursor() as cr:
        cr.execute(
            """CREATE TEMP TABLE bench_eld_offer AS
               SELECT pr.provider_id,
                      row_number() OVER (PARTITION BY pr.provider_id ORDER BY pr.service_id) - 1 AS k,
                      pr.service_id, pr.price_fen, COALESCE(sv.duration_minutes, 60) AS duration
                 FROM city_elderly_price pr
                 JOIN city_elderly_service sv ON sv.id = pr.service_id AND sv.active
                 JOIN city_elderly_provider pv ON pv.id = pr.provider_id AND pv.active
                WHERE pr.active"""
        )
        cr.execute("CREATE UNIQUE INDEX ON bench_eld_offer (provider_id, k)")
        cr.execute(
            """CREATE TEMP TABLE bench_eld_provider AS
               SELECT CASE WHEN pv.id = %(heavy)s THEN 0
                           ELSE row_number() OVER (PARTITION BY pv.id = %(heavy)s ORDER BY pv.id) END AS n,
                      pv.id,
                      (SELECT count(*) FROM bench_eld_offer o WHERE o.provider_id = pv.id) AS offers,
                      (SELECT array_agg(c.id ORDER BY c.id) FROM city_elderly_carer c
                        WHERE c.provider_id = pv.id AND c.active) AS carers
                 FROM city_elderly_provider pv
                WHERE pv.active AND EXISTS (SELECT 1 FROM bench_eld_offer o WHERE o.provider_id = pv.id)
                  AND EXISTS (SELECT 1 FROM city_elderly_carer c WHERE c.provider_id = pv.id AND c.active)""",
            {"heavy": heavy_provider},
        )
        cr.execute("ALTER TABLE bench_eld_provider ADD COLUMN carer_count int")
        cr.execute("UPDATE bench_eld_provider SET carer_count = array_length(carers, 1)")
        cr.execute("CREATE UNIQUE INDEX ON bench_eld_provider (n)")
        cr.execute("SELECT count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 0) FROM bench_eld_provider")
        heavy, others = cr.fetchone()
        if not heavy or not others:
            raise RuntimeError("elderly_orders needs the heavy provider and at least one other, with prices and carers")
        cr.execute(
            """CREATE TEMP TABLE bench_eld_recipient AS
               SELECT row_number() OVER (ORDER BY id) AS n, id, division_id, community_id
                 FROM city_care_recipient
                WHERE active AND birth_date <= current_date - interval '60 years'"""
        )
        cr.execute("CREATE UNIQUE INDEX ON bench_eld_recipient (n)")
        cr.execute("SELECT count(*) FROM bench_eld_recipient")
        recipients = cr.fetchone()[0]
        if not recipients:
            raise RuntimeError("elderly_orders needs active care files aged 60+")
        cr.execute("SELECT now() at time zone 'utc'")
        now = cr.fetchone()[0].replace(minute=0, second=0, microsecond=0)
        start = now - datetime.timedelta(days=days_back)
        step = (days_back + days_ahead) * 86400 / count
        params = {
            "prefix": "YLFW-B",
            "uid": uid,
            "now": now,
            "start": start,
            "step": step,
            "heavy_every": heavy_every,
            "others": others,
            "recipients": recipients,
        }
        for first in range(1, count + 1, chunk):
            last = min(count, first + chunk - 1)
            started = time.monotonic()
            cr.execute(ELDERLY_ORDER_SQL, dict(params, first=first, last=last))
            conn.commit()
            log(f"orders {first}-{last} inserted in {time.monotonic() - started:.1f} s")
        cr.execute("DROP TABLE bench_eld_offer, bench_eld_provider, bench_eld_recipient")
        cr.execute("SELECT state, count(*) FROM city_elderly_order GROUP BY 1")
        states = dict(cr.fetchall())
    conn.commit()
    log(f"{count} orders over {others + 1} providers and {recipients} care files: {states}")
    return states
