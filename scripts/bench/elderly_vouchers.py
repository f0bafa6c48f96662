"""Monthly subsidy voucher issue (city.elderly.voucher._issue_month) for 100,000 elders aged 80+.

    scripts/bench/run elderly_vouchers [--scale 100000]

The database copy gets city_special_care and city_elderly_care when it lacks them (``-i`` on the
copy only). ``--scale`` is the number of care files of residents aged 80 and over: residents of
that age are added first when the city has too few (datagen.fill_elderly), then the care files
are opened, oldest first, with their categories (datagen.care_recipients: 高龄 from 80, recorded
独居/空巢/孤寡); every tenth gets the care level severe (失能) and every seventh moderate (半失能),
with the derived categories (datagen.care_dependence). The three policies of the demo data
(高龄津贴 100 元, 失能 300 元, 半失能 150 元 per month) are created when there is no active policy.

In one ``odoo shell`` on the copy, for next month (so that nothing is issued yet: the first run of
the daily cron in a month, the worst case), the harness measures

1. the baseline: the raw SQL count of the (recipient, policy) pairs that match, over the same
   recipients and categories (median of 5 runs after a warm-up); it is the expected number of
   vouchers;
2. ``seconds``: one ``_issue_month(month)`` including its commit, as the cron runner does it;
3. the check: as many vouchers and issue moves as expected, and every balance equal to the sum of
   its ledger moves;
4. ``repeat_s`` / ``repeat_issued``: a second run for the same month must issue nothing.

``ratio`` = seconds ÷ scan seconds, ``target_ratio`` below; ``target_seconds`` = 60 at the default
scale. ``valid`` is false when the check or the repeat fails (then the exit status is 2).
"""

import os
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2

DEFAULT_SCALE = 100_000
ADDONS = ("city_special_care", "city_elderly_care")
TARGET_SECONDS = 60
# The 60 s target relative to the scan of the matching pairs, so that it travels between machines:
# on the machine of the first runs (2 vCPU, PostgreSQL 15, Nov. 2026) the scan of the 122,858 pairs
# of 100,000 care files aged 80+ took 1.2 s (median of 5), and 60 s / 1.2 s = 50. The issue itself
# (two rows per voucher, voucher and issue move, with their indexes and the unique key) took 7.9 s
# there (ratio 6.6); the repeat, which finds every pair issued already, 1.7 s.
TARGET_RATIO = 50
SCAN_RUNS = 5
SEVERE_EVERY = 10
MODERATE_EVERY = 7
RESULT_MARKER = "BENCH_VOUCHERS="

SHELL_CODE = """
import json
import statistics
import time

from dateutil.relativedelta import relativedelta

from odoo.addons.city_special_care.models.city_care_recipient import city_today

env = env(context=dict(env.context, tracking_disable=True))
Policy = env["city.elderly.subsidy.policy"]
Voucher = env["city.elderly.voucher"]
if not Policy.search_count([]):
    def category(code):
        return env["city.care.category"].search([("code", "=", code)]).ids

    Policy.create([
        {{"name": "高龄津贴", "category_ids": [(6, 0, category("elderly_80"))], "monthly_fen": 10000,
          "valid_months": 3, "date_start": "2024-01-01"}},
        {{"name": "失能老人护理补贴", "category_ids": [(6, 0, category("disabled_full"))], "monthly_fen": 30000,
          "valid_months": 3, "date_start": "2024-01-01"}},
        {{"name": "半失能老人护理补贴", "category_ids": [(6, 0, category("disabled_semi"))], "monthly_fen": 15000,
          "valid_months": 3, "date_start": "2024-01-01"}},
    ])
    env.cr.commit()
month = city_today(Voucher).replace(day=1) + relativedelta(months=1)
month_end = month + relativedelta(months=1, days=-1)
scan_sql = '''
    SELECT count(*)
      FROM city_elderly_subsidy_policy p
      JOIN city_care_recipient r
        ON r.active AND (p.care_level IS NULL OR r.care_level = p.care_level)
       AND (NOT EXISTS (SELECT 1 FROM city_elderly_subsidy_policy_category_rel pc WHERE pc.policy_id = p.id)
            OR EXISTS (SELECT 1 FROM city_elderly_subsidy_policy_category_rel pc
                         JOIN city_care_recipient_category_rel rc ON rc.category_id = pc.category_id
                        WHERE pc.policy_id = p.id AND rc.recipient_id = r.id))
     WHERE p.active AND p.date_start <= %(end)s AND (p.date_end IS NULL OR p.date_end >= %(month)s)
'''
scan_params = {{"month": month, "end": month_end}}
env.cr.execute(scan_sql, scan_params)  # warm-up
scan_runs = []
for _run in range({runs}):
    started = time.perf_counter()
    env.cr.execute(scan_sql, scan_params)
    expected = env.cr.fetchone()[0]
    scan_runs.append(time.perf_counter() - started)
env.cr.execute("SELECT count(*) FROM city_care_recipient WHERE active")
recipients = env.cr.fetchone()[0]
env.cr.commit()

started = time.perf_counter()
issued = Voucher._issue_month(month)
env.cr.commit()
seconds = time.perf_counter() - started

# the checks are not measured: fresh statistics first, so that they are hash joins
env.cr.execute("ANALYZE city_elderly_voucher")
env.cr.execute("ANALYZE city_elderly_voucher_move")
env.cr.execute(
    '''SELECT count(*), count(*) FILTER (WHERE m.issues = 1),
              count(*) FILTER (WHERE v.balance_fen IS DISTINCT FROM m.total)
         FROM city_elderly_voucher v
         LEFT JOIN (SELECT voucher_id, sum(amount_fen) AS total, count(*) FILTER (WHERE kind = 'issue') AS issues
                      FROM city_elderly_voucher_move GROUP BY voucher_id) m ON m.voucher_id = v.id
        WHERE v.month = %s''',
    [month],
)
vouchers, moves, unbalanced = env.cr.fetchone()
env.cr.execute("SELECT policy_id, count(*) FROM city_elderly_voucher WHERE month = %s GROUP BY 1", [month])
per_policy = {{Policy.browse(pid).name: n for pid, n in env.cr.fetchall()}}

started = time.perf_counter()
repeat = Voucher._issue_month(month)
env.cr.commit()
repeat_s = time.perf_counter() - started

print({marker!r} + json.dumps({{
    "month": str(month),
    "scan_runs_s": scan_runs,
    "scan_s": statistics.median(scan_runs),
    "expected": expected,
    "recipients": recipients,
    "seconds": seconds,
    "issued": issued,
    "vouchers": vouchers,
    "moves": moves,
    "unbalanced": unbalanced,
    "per_policy": per_policy,
    "repeat_s": repeat_s,
    "repeat": repeat,
}}, ensure_ascii=False))
"""


def fill(db, scale):
    """``scale`` care files of residents aged 80+, with care levels; returns what the database holds."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            uid = datagen.admin_uid(cr)
            cr.execute(
                """SELECT count(*) FROM city_care_recipient
                    WHERE active AND birth_date <= current_date - interval '80 years'"""
            )
            existing = cr.fetchone()[0]
        need = max(0, scale - existing)
        if need:
            # the oldest residents get the care files first: make sure there are enough aged 80+
            datagen.fill_elderly(db, scale)
            common.log(f"opening {need} care files (set-based SQL)")
            datagen.care_recipients(conn, need, uid)
        levels = datagen.care_dependence(conn, SEVERE_EVERY, MODERATE_EVERY)
        datagen.analyze(
            conn, "res_partner", "city_care_recipient", "city_care_recipient_category_rel", "city_elderly_voucher"
        )
        with conn.cursor() as cr:
            cr.execute(
                """SELECT count(*) FROM city_care_recipient
                    WHERE active AND birth_date <= current_date - interval '80 years'"""
            )
            elders = cr.fetchone()[0]
    finally:
        conn.close()
    if elders < scale:
        raise common.BenchError(f"only {elders} care files aged 80+ for --scale {scale}")
    return {"elders_80": elders, "care_levels": levels}


def check(run):
    """Reasons why the issue is wrong (empty when it is right)."""
    reasons = []
    if run["issued"] != run["expected"]:
        reasons.append(f"issued {run['issued']} vouchers, {run['expected']} (recipient, policy) pairs match")
    if run["vouchers"] != run["issued"]:
        reasons.append(f"{run['vouchers']} vouchers of the month in the database, {run['issued']} issued")
    if run["moves"] != run["vouchers"]:
        reasons.append(f"{run['moves']} of the {run['vouchers']} vouchers have exactly one issue move")
    if run["unbalanced"]:
        reasons.append(f"{run['unbalanced']} vouchers whose balance is not the sum of their moves")
    if run["repeat"]:
        reasons.append(f"the second run issued {run['repeat']} vouchers again")
    return reasons


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    conf = common.write_config(args.workdir, {})
    started = time.monotonic()
    installed = common.ensure_installed(conf, args.db, args.workdir, ADDONS)
    install_s = round(time.monotonic() - started, 1)
    started = time.monotonic()
    held = fill(args.db, args.scale)
    fill_s = round(time.monotonic() - started, 1)
    common.log("running _issue_month() twice in odoo shell")
    code = SHELL_CODE.format(runs=SCAN_RUNS, marker=RESULT_MARKER)
    run = common.shell_json(conf, args.db, args.workdir, code, RESULT_MARKER, "give a result", timeout=3600)
    reasons = check(run)
    seconds, scan_s = run["seconds"], run["scan_s"]
    common.log(
        f"  issued {run['issued']} vouchers to {run['recipients']} care files in {seconds:.2f} s "
        f"(scan {scan_s * 1000:.1f} ms); repeat {run['repeat']} in {run['repeat_s']:.2f} s"
    )
    valid = not reasons
    ratio = round(seconds / scan_s, 1) if scan_s else None
    result = {
        "name": args.name,
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS,
        "issued": run["issued"],
        "expected": run["expected"],
        "issued_per_policy": run["per_policy"],
        "vouchers_per_s": round(run["issued"] / seconds, 1) if seconds else None,
        "repeat_s": round(run["repeat_s"], 3),
        "repeat_issued": run["repeat"],
        "valid": valid,
        "baseline": {
            "compared_with": "match_scan",
            "match_scan": {
                "query": "SELECT count(*) FROM policies JOIN city_care_recipient ON care level and "
                "EXISTS(category match) (the (recipient, policy) pairs to issue)",
                "scan_s": round(scan_s, 5),
                "runs_s": [round(value, 5) for value in run["scan_runs_s"]],
            },
        },
        "ratio": ratio,
        "ratio_definition": "seconds / baseline.match_scan.scan_s (lower is better)",
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(valid and ratio is not None and ratio <= TARGET_RATIO),
        "meets_seconds_target": bool(valid and seconds <= TARGET_SECONDS),
        "scale": args.scale,
        "month": run["month"],
        "recipients": run["recipients"],
        **held,
        "installed": installed,
        "install_s": install_s,
        "fill_s": fill_s,
        "cpu_count": os.cpu_count(),
        "db": args.db,
    }
    return common.emit(result, reasons)


if __name__ == "__main__":
    common.run_main(main)
