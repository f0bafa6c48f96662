"""Fill a database with residents at benchmark scale, with set-based SQL (COPY), not the ORM.

    .venv/bin/python scripts/bench/datagen.py --db city_bench_resident_lookup --residents 100000

Residents get valid, unique GB 11643 identity numbers registered in the county of their grid,
a name and (for adults) a mobile number from ``scripts/lib/citydata.py``; the stored columns the
ORM would compute (masked ID, birth date, gender, complete name, commercial partner...) are filled
consistently with ``addons/city_base``. The database counts as filled when it already holds at
least N active residents (demo residents included); otherwise only the missing ones are added.
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
