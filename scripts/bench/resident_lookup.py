"""Resident lookup by full ID number (POST /api/city/v1/residents/lookup, API key) on 100k residents.

    scripts/bench/run resident_lookup [--scale 100000] [--duration 10] [--connections 8]

The database copy is filled to ``--scale`` residents (default 100000), an internal user
``bench_api`` (city supervisor, reads all residents, and personal-data viewer) gets an API key, and
wrk posts ``{"id_number": ...}`` with ``Authorization: Bearer <key>``, rotating over a sample of
about 1000 existing ID numbers. Every request must answer 200.

Target: ``ratio`` = lookup requests/s ÷ ``GET /api/city/v1/ping`` requests/s >= 0.25. A lookup
pays for API-key verification (a salted hash per request), the rate-limit counter and one indexed
query on res_partner, so a quarter of the throughput of an empty JSON route is the bar.
The API's rate limit (``city_api_rate_limit_per_minute``, 600/min per user) would throttle the
load generator: the benchmark's Odoo runs with it set to 0 (disabled); the JSON says so.
"""

import json
import os

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py

DEFAULT_SCALE = 100000
TARGET_RATIO = 0.25
SAMPLE_SIZE = 1000
PATH = f"{common.API_PREFIX}/residents/lookup"
API_GROUPS = ("base.group_user", "city_base.group_city_base_supervisor", "city_base.group_city_base_personal_data")


def sample_ids(db, size):
    """About ``size`` ID numbers of active residents, the same ones for the same data."""
    rows = common.query(
        db,
        """SELECT resident_id_number FROM res_partner
            WHERE is_resident AND active AND resident_id_number IS NOT NULL
            ORDER BY md5(resident_id_number) LIMIT %s""",
        (size,),
    )
    return [row[0] for row in rows]


def check_lookup(server, key, number):
    """One request by hand before the load: the endpoint must find the resident."""
    status, body = common.http_request(
        server.url + PATH, method="POST", body={"id_number": number}, headers={"Authorization": f"Bearer {key}"}
    )
    if status != 200:
        raise common.BenchError(f"POST {PATH} answered {status}: {body[:500]!r}")
    data = json.loads(body)["data"]
    if data.get("resident_id") != number:
        raise common.BenchError(f"POST {PATH} returned another resident: {data!r}")


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    residents = datagen.fill(args.db, args.scale)
    numbers = sample_ids(args.db, SAMPLE_SIZE)
    if not numbers:
        raise common.BenchError(f"no resident with an ID number in {args.db}")
    conf = common.write_config(args.workdir, {"city_api_rate_limit_per_minute": 0})
    common.log("creating the API user bench_api and its key")
    key = common.create_api_key(conf, args.db, args.workdir, login="bench_api", groups=API_GROUPS)
    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        check_lookup(server, key, numbers[0])
        baselines = common.measure_baselines(server, args)
        target = common.measure(
            server,
            PATH,
            args,
            method="POST",
            bodies=[{"id_number": number} for number in numbers],
            env={common.KEY_ENV: key},
            label=f"POST {PATH}",
        )
    ping = baselines["ping"]
    valid = target["valid"] and ping["valid"] and baselines["web_login"]["valid"]
    ratio = round(target["rps"] / ping["rps"], 3) if ping["rps"] else None
    result = {
        "name": args.name,
        **common.figures(target),
        "valid": valid,
        "baseline": common.baseline_block(baselines, "ping"),
        "ratio": ratio,
        "ratio_definition": "rps / baseline.ping.rps",
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(valid and ratio is not None and ratio >= TARGET_RATIO),
        "scale": args.scale,
        "residents_in_db": residents,
        "sample_id_numbers": len(numbers),
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rate_limit": "disabled for the benchmark",
        "cpu_count": os.cpu_count(),
        "db": args.db,
    }
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
