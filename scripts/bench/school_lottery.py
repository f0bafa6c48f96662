"""Enrolment assignment and lottery (city.school.enrolment.campaign) for 20,000 applications.

    scripts/bench/run school_lottery [--scale 20000]

The database copy gets city_school when it lacks it (``-i`` on the copy only). In one ``odoo shell``
the harness creates a benchmark campaign (primary stage, year 2099) and 20 primary schools, each
serving a community of its own with 250 seats per 1,000 applications, then inserts ``--scale``
approved applications with set-based SQL: spread over the 20 school districts, 30% of category 1
(户房一致), 30% category 2, 25% category 3 and 15% policy cases, registration dates over 2010-2023
(many equal dates, so the lottery decides between them). Every school is oversubscribed.

Measured, in the shell, each with its commit:

1. the baseline: a raw SQL scan of the approved applications of the campaign with their school
   (the lottery's input; median of 5 runs after a warm-up);
2. ``seconds``: publishing the seed (freezing the list: its digest) and the draw (keys, order,
   placement, written back set-based), as the education bureau does it, i.e. the assignment and
   the lottery;
3. the check (not measured): the published data re-run with ``tools/lottery.py`` gives the same
   result, every school fills exactly its seats, no child is placed twice.

``ratio`` = seconds ÷ scan seconds, ``target_ratio`` below; ``target_seconds`` = 30 (the issue's
limit for 20,000 applications). ``valid`` is false when the check fails (exit status 2).
"""

import os
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)

DEFAULT_SCALE = 20_000
ADDONS = ("city_school",)
TARGET_SECONDS = 30
SCHOOLS = 20
SEATS_PER_THOUSAND = 250
# The 30 s target relative to the scan of the applications, so that it travels between machines:
# on the machine of the first run (2 vCPU shared, PostgreSQL 15, Nov. 2026) the scan of 20,000
# applications took 0.023 s (median of 5) and the publish and draw 1.44 s (ratio 63); 30 s / 0.023 s
# is about 1300, rounded down to 1000.
TARGET_RATIO = 1000
SCAN_RUNS = 5
RESULT_MARKER = "BENCH_SCHOOL_LOTTERY="

SHELL_CODE = """
import datetime
import json
import statistics
import time

from odoo.addons.city_base.tools.validators import resident_id_check_char
from odoo.addons.city_school.tools import lottery

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
scale, schools_n, seats_per_k = {scale}, {schools}, {seats_per_thousand}
Division = env["city.division"]
district = env.ref("city_base.city_division_chuanying")
street = Division.search([("code", "=", "220204990000")]) or Division.create(
    {{"name": "基准街道", "code": "220204990000", "type": "street", "parent_id": district.id}}
)
School = env["city.school"]
schools = School.search([("code", "=like", "BENCH%")])
if not schools:
    values = []
    for index in range(schools_n):
        community = Division.create(
            {{"name": f"基准社区{{index + 1}}", "code": f"220204990{{index + 1:03d}}", "type": "community",
              "parent_id": street.id}}
        )
        values.append({{"name": f"基准第{{index + 1}}小学", "code": f"BENCH{{index + 1:03d}}", "stage": "primary",
                        "division_id": street.id, "district_division_ids": [(6, 0, community.ids)]}})
    schools = School.create(values)
seats = max(1, scale * seats_per_k // 1000 // schools_n)
env["city.school.capacity"].search([("school_id", "in", schools.ids), ("year", "=", 2099)]).unlink()
env["city.school.capacity"].create([{{"school_id": s.id, "year": 2099, "grade": "1", "seats": seats}} for s in schools])
Campaign = env["city.school.enrolment.campaign"]
old = Campaign.search([("year", "=", 2099), ("stage", "=", "primary")])
if old:
    env.cr.execute("DELETE FROM city_school_application WHERE campaign_id IN %s", [tuple(old.ids)])
    env.cr.execute("DELETE FROM city_school_enrolment_campaign WHERE id IN %s", [tuple(old.ids)])
campaign = Campaign.create({{"name": "基准招生", "year": 2099, "stage": "primary", "date_start": "2099-05-01",
                            "date_end": "2099-05-31", "order_rule": "date_then_lottery",
                            "seed": "bench-2099-seed"}})
env.cr.execute("UPDATE city_school_enrolment_campaign SET state = 'review' WHERE id = %s", [campaign.id])
parent = env.ref("base.partner_admin")
households = {{s.id: s.district_division_ids[:1].id for s in schools}}
rows = []
for index in range(scale):
    school = schools[index % schools_n]
    bucket = (index * 7919) % 100
    category = "1" if bucket < 30 else "2" if bucket < 60 else "3" if bucket < 85 else "4"
    day = datetime.date(2010, 1, 1) + datetime.timedelta(days=(index * 37) % 5000)
    body = f"220204{{2092 + index % 2}}{{(index // 28) % 12 + 1:02d}}{{index % 28 + 1:02d}}{{index % 1000:03d}}"
    number = body + resident_id_check_char(body)
    rows.append((f"BENCH{{index:06d}}", campaign.id, "primary", parent.id, f"儿童{{index}}", number,
                 households[school.id], category, school.id, day))
env.cr.execute("SELECT 1")
from psycopg2.extras import execute_values
execute_values(env.cr._obj, '''
    INSERT INTO city_school_application
        (name, campaign_id, stage, parent_partner_id, child_name, child_id_number, household_division_id,
         category, school_id, priority_date, state, create_uid, write_uid, create_date, write_date)
    VALUES %s''', rows,
    template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'approved', 1, 1, "
             "now() at time zone 'utc', now() at time zone 'utc')",
    page_size=5000)
env.cr.execute("ANALYZE city_school_application")
env.cr.commit()

scan_sql = '''SELECT a.id, a.name, s.code, a.category, a.priority_date
                FROM city_school_application a JOIN city_school s ON s.id = a.school_id
               WHERE a.campaign_id = %s AND a.state = 'approved' '''
env.cr.execute(scan_sql, [campaign.id]); env.cr.fetchall()
scan_runs = []
for _run in range({runs}):
    started = time.perf_counter()
    env.cr.execute(scan_sql, [campaign.id])
    expected = len(env.cr.fetchall())
    scan_runs.append(time.perf_counter() - started)
env.cr.commit()

campaign.invalidate_recordset()
started = time.perf_counter()
campaign.action_publish_seed()
env.cr.commit()
publish_s = time.perf_counter() - started
started = time.perf_counter()
campaign.action_draw()
env.cr.commit()
draw_s = time.perf_counter() - started

published = json.loads(json.dumps(campaign._published_data()))
wrong = lottery.verify(published)
env.cr.execute('''SELECT result_school_id, count(*) FROM city_school_application
                   WHERE campaign_id = %s AND state = 'placed' GROUP BY 1''', [campaign.id])
placed_per_school = dict(env.cr.fetchall())
env.cr.execute('''SELECT count(*) FROM (SELECT child_id_number FROM city_school_application
                   WHERE campaign_id = %s AND state IN ('placed', 'allocated') GROUP BY 1 HAVING count(*) > 1) t''',
               [campaign.id])
twice = env.cr.fetchone()[0]
env.cr.execute('''SELECT count(*) FILTER (WHERE state = 'placed'), count(*) FILTER (WHERE state = 'waitlisted'),
                         count(*) FILTER (WHERE in_lottery)
                    FROM city_school_application WHERE campaign_id = %s''', [campaign.id])
placed, waitlisted, in_lottery = env.cr.fetchone()
print({marker!r} + json.dumps({{
    "scan_runs_s": scan_runs,
    "scan_s": statistics.median(scan_runs),
    "expected": expected,
    "publish_s": publish_s,
    "draw_s": draw_s,
    "seats_per_school": seats,
    "schools": len(schools),
    "placed": placed,
    "waitlisted": waitlisted,
    "in_lottery": in_lottery,
    "full_schools": sum(1 for count in placed_per_school.values() if count == seats),
    "wrong": len(wrong),
    "twice": twice,
}}))
"""


def check(run):
    reasons = []
    if run["expected"] != run["placed"] + run["waitlisted"]:
        reasons.append(f"{run['expected']} applications drawn, {run['placed'] + run['waitlisted']} with a result")
    if run["full_schools"] != run["schools"]:
        reasons.append(f"only {run['full_schools']} of {run['schools']} oversubscribed schools are full")
    if run["wrong"]:
        reasons.append(f"{run['wrong']} results differ when the published draw is re-run")
    if run["twice"]:
        reasons.append(f"{run['twice']} children placed twice")
    return reasons


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    conf = common.write_config(args.workdir, {})
    started = time.monotonic()
    installed = common.ensure_installed(conf, args.db, args.workdir, ADDONS)
    install_s = round(time.monotonic() - started, 1)
    common.log(f"creating {args.scale} applications, publishing the seed and drawing in odoo shell")
    code = SHELL_CODE.format(
        scale=args.scale, schools=SCHOOLS, seats_per_thousand=SEATS_PER_THOUSAND, runs=SCAN_RUNS, marker=RESULT_MARKER
    )
    run = common.shell_json(conf, args.db, args.workdir, code, RESULT_MARKER, "give a result", timeout=3600)
    reasons = check(run)
    seconds = run["publish_s"] + run["draw_s"]
    scan_s = run["scan_s"]
    common.log(
        f"  {run['expected']} applications: {run['placed']} placed, {run['waitlisted']} waitlisted "
        f"({run['in_lottery']} in a lottery) in {seconds:.2f} s (scan {scan_s * 1000:.1f} ms)"
    )
    valid = not reasons
    ratio = round(seconds / scan_s, 1) if scan_s else None
    result = {
        "name": args.name,
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS,
        "publish_s": round(run["publish_s"], 3),
        "draw_s": round(run["draw_s"], 3),
        "applications": run["expected"],
        "placed": run["placed"],
        "waitlisted": run["waitlisted"],
        "in_lottery": run["in_lottery"],
        "schools": run["schools"],
        "seats_per_school": run["seats_per_school"],
        "applications_per_s": round(run["expected"] / seconds, 1) if seconds else None,
        "valid": valid,
        "baseline": {
            "compared_with": "application_scan",
            "application_scan": {
                "query": "SELECT the approved applications of the campaign JOIN city_school (the lottery's input)",
                "scan_s": round(scan_s, 5),
                "runs_s": [round(value, 5) for value in run["scan_runs_s"]],
            },
        },
        "ratio": ratio,
        "ratio_definition": "seconds / baseline.application_scan.scan_s (lower is better)",
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(valid and ratio is not None and ratio <= TARGET_RATIO),
        "meets_seconds_target": bool(valid and seconds <= TARGET_SECONDS),
        "scale": args.scale,
        "installed": installed,
        "install_s": install_s,
        "cpu_count": os.cpu_count(),
        "db": args.db,
    }
    return common.emit(result, reasons)


if __name__ == "__main__":
    common.run_main(main)
