"""Escalation cron (city.request._cron_escalate) over 100,000 open community requests.

    scripts/bench/run community_escalation [--scale 100000]

``--scale`` is the number of open requests (submitted, accepted, dispatched, in progress, sent
back) inserted with set-based SQL (datagen.insert_requests); 10% of them are past their running
deadline by a minute to 40 days, so that the three levels occur (reminder, notice to the head
after one working day, supervision after three; see datagen.OVERDUE_DEPTHS). None is escalated
yet: this is the first run after the load, the worst case (later runs only see what became due).

In one ``odoo shell`` on the copy, the harness takes ``now``, the level cut-offs of
``_escalation_cutoffs(now)`` and then

1. the baseline: the raw SQL scan ``SELECT count(*) ... FILTER (WHERE deadline < cut-off N)``
   over the same open requests (median of 5 runs after a warm-up); it also gives the expected
   number of requests per level;
2. ``seconds``: one ``_cron_escalate(now)`` including its commit, as the cron runner does it;
3. the check: the levels written must be the expected ones, one activity per escalated request;
4. ``repeat_s`` / ``repeat_escalated``: a second run at the same ``now`` must escalate nothing.

``ratio`` = seconds ÷ scan seconds, ``target_ratio`` below; ``target_seconds`` = 30 at the default
scale. ``valid`` is false when the check or the repeat fails (then the exit status is 2).
"""

import os
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2

DEFAULT_SCALE = 100_000
OVERDUE_FRACTION = 0.10
TARGET_SECONDS = 30
# The 30 s target at the default scale, expressed relative to the scan of the same open requests
# so that it travels between machines: on the reference machine (2 vCPU, PostgreSQL 15, Nov. 2026)
# the scan of 100,000 open requests took 43 ms (median of 5), and 30 s / 0.043 s = 700. Both sides
# grow linearly with the open requests (10% of them escalated), so the ratio hardly depends on
# --scale above a few tens of thousands; below that the cron's fixed costs weigh more. The same
# run escalated the 10,000 overdue requests in 17 s (ratio 397).
TARGET_RATIO = 700
SCAN_RUNS = 5
RESULT_MARKER = "BENCH_ESCALATION="

SHELL_CODE = """
import json
import statistics
import time

from odoo import fields

Request = env["city.request"]
open_states = tuple(Request.OPEN_STATES)
now = fields.Datetime.now()
cutoffs = Request._escalation_cutoffs(now)
scan_sql = '''
    SELECT count(*),
           count(*) FILTER (WHERE deadline < %(c1)s),
           count(*) FILTER (WHERE deadline < %(c2)s),
           count(*) FILTER (WHERE deadline < %(c3)s)
      FROM city_request
     WHERE state IN %(states)s
'''
scan_params = {{"c1": cutoffs[1], "c2": cutoffs[2], "c3": cutoffs[3], "states": open_states}}
env.cr.execute(scan_sql, scan_params)  # warm-up
scan_runs = []
for _run in range({runs}):
    started = time.perf_counter()
    env.cr.execute(scan_sql, scan_params)
    counts = env.cr.fetchone()
    scan_runs.append(time.perf_counter() - started)


def count(sql):
    env.cr.execute(sql)
    return env.cr.fetchone()[0]


activities_before = count("SELECT count(*) FROM mail_activity WHERE res_model = 'city.request'")
messages_before = count("SELECT count(*) FROM mail_message WHERE model = 'city.request'")
env.cr.commit()

started = time.perf_counter()
escalated = Request._cron_escalate(now=now)
env.cr.commit()
seconds = time.perf_counter() - started

env.cr.execute(
    "SELECT escalation_level, count(*) FROM city_request WHERE state IN %s GROUP BY 1", [open_states]
)
levels = dict(env.cr.fetchall())
activities = count("SELECT count(*) FROM mail_activity WHERE res_model = 'city.request'") - activities_before
messages = count("SELECT count(*) FROM mail_message WHERE model = 'city.request'") - messages_before

started = time.perf_counter()
repeat = Request._cron_escalate(now=now)
env.cr.commit()
repeat_s = time.perf_counter() - started

print({marker!r} + json.dumps({{
    "now": fields.Datetime.to_string(now),
    "cutoffs": {{str(level): fields.Datetime.to_string(moment) for level, moment in cutoffs.items()}},
    "scan_runs_s": scan_runs,
    "scan_s": statistics.median(scan_runs),
    "open": counts[0],
    "due": {{"1": counts[1], "2": counts[2], "3": counts[3]}},
    "seconds": seconds,
    "escalated": escalated,
    "levels": levels,
    "activities": activities,
    "messages": messages,
    "repeat_s": repeat_s,
    "repeat": repeat,
}}))
"""


def fill(db, scale):
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            sizes = datagen.prepare_requests(cr)
        conn.commit()
        refs = datagen.request_refs(conn)
        common.log(f"inserting {scale} open requests, {OVERDUE_FRACTION:.0%} overdue (set-based SQL)")
        datagen.insert_requests(conn, 1, scale, datagen.OPEN_MIX, sizes, refs, overdue=OVERDUE_FRACTION)
        datagen.analyze(conn, "city_request")
    finally:
        conn.close()


def check(run):
    """Reasons why the cron's result is wrong (empty when it is right)."""
    due = run["due"]
    expected = {"1": due["1"] - due["2"], "2": due["2"] - due["3"], "3": due["3"]}
    reasons = []
    if run["escalated"] != due["1"]:
        reasons.append(f"escalated {run['escalated']} requests, {due['1']} were overdue")
    for level, count in expected.items():
        if run["levels"].get(level, 0) != count:
            reasons.append(f"level {level}: {run['levels'].get(level, 0)} requests, expected {count}")
    if run["activities"] != run["escalated"]:
        reasons.append(f"{run['activities']} activities for {run['escalated']} escalations")
    if run["repeat"]:
        reasons.append(f"the second run escalated {run['repeat']} requests again")
    if not all(expected.values()):
        reasons.append(f"not every level occurred in the data: {expected}")
    return expected, reasons


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    started = time.monotonic()
    fill(args.db, args.scale)
    fill_s = round(time.monotonic() - started, 1)
    conf = common.write_config(args.workdir, {})
    common.log("running _cron_escalate() twice in odoo shell")
    code = SHELL_CODE.format(runs=SCAN_RUNS, marker=RESULT_MARKER)
    run = common.shell_json(conf, args.db, args.workdir, code, RESULT_MARKER, "give a result", timeout=3600)
    expected, reasons = check(run)
    seconds, scan_s = run["seconds"], run["scan_s"]
    common.log(
        f"  escalated {run['escalated']} of {run['open']} open requests in {seconds:.2f} s "
        f"(scan {scan_s * 1000:.1f} ms); repeat {run['repeat']} in {run['repeat_s']:.2f} s"
    )
    valid = not reasons
    ratio = round(seconds / scan_s, 1) if scan_s else None
    result = {
        "name": args.name,
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS,
        "escalated": run["escalated"],
        "escalated_by_level": {level: run["levels"].get(level, 0) for level in ("1", "2", "3")},
        "expected_by_level": expected,
        "escalation_per_s": round(run["escalated"] / seconds, 1) if seconds else None,
        "repeat_s": round(run["repeat_s"], 3),
        "repeat_escalated": run["repeat"],
        "valid": valid,
        "baseline": {
            "compared_with": "open_scan",
            "open_scan": {
                "query": "SELECT count(*), count(*) FILTER (WHERE deadline < cutoff_N)... "
                "FROM city_request WHERE state IN open states",
                "scan_s": round(scan_s, 5),
                "runs_s": [round(value, 5) for value in run["scan_runs_s"]],
            },
        },
        "ratio": ratio,
        "ratio_definition": "seconds / baseline.open_scan.scan_s (lower is better)",
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(valid and ratio is not None and ratio <= TARGET_RATIO),
        "meets_seconds_target": bool(valid and seconds <= TARGET_SECONDS),
        "scale": args.scale,
        "open_requests": run["open"],
        "overdue_fraction": OVERDUE_FRACTION,
        "activities_created": run["activities"],
        "messages_created": run["messages"],
        "now_utc": run["now"],
        "cutoffs_utc": run["cutoffs"],
        "fill_s": fill_s,
        "cpu_count": os.cpu_count(),
        "db": args.db,
    }
    return common.emit(result, reasons)


if __name__ == "__main__":
    common.run_main(main)
