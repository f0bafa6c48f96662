"""Public notice list /trading/notices (no login) over 10,000 trading procedures.

    scripts/bench/run trading_notices [--scale 10000] [--duration 10] [--connections N]

``--scale`` is the number of trading procedures in the database copy (default 10,000;
city_resource_trading is installed when missing). In ``odoo shell`` they are created through the
ORM (references from the sequence), spread over the four trading types and 50 buyers (基准采购人…),
published over the last two years, then their states set with one SQL statement so that they
follow the time: one in ten still a draft (not public), the others published, in clarification,
bidding, evaluation, publicity, awarded, contracted, unsuccessful or suspended.

wrk loads ``GET /trading/notices`` (the first page of 20, newest first) without a session, as a
visitor does, and ``GET /trading/notices?type=construction&state=bidding`` (a filtered page); the
baselines of the same run are ``GET /web/login`` and ``GET /api/city/v1/ping``. The page is
checked by hand first: 200, 20 rows, no draft.

Targets: ``p95_ms`` <= 200 (``target_p95_ms``) and ``ratio`` = notice list requests/s ÷
``GET /web/login`` requests/s >= 0.8 (``target_ratio``).

Latency is the page's own cost only when requests do not queue for a worker, so the default
number of connections is the number of Odoo workers (2); the baseline is measured with the same
connections, so the ratio compares the two pages under the same load.
"""

import json
import os
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import psycopg2

DEFAULT_SCALE = 10_000
TARGET_P95_MS = 200
TARGET_RATIO = 0.8
PATH = "/trading/notices"
PATH_FILTERED = PATH + "?type=construction&state=bidding"
ROW_MARKER = "/trading/notices/"
SETUP_MARKER = "BENCH_TRADING_NOTICES="

SETUP_CODE = """
import datetime
import json
import random

from odoo.addons.city_base.tools.validators import uscc_check_char

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
rng = random.Random(7)
Partner = env["res.partner"]
Procedure = env["city.trading.procedure"]
types = env["city.trading.type"].search([])
buyers = []
for index in range(50):
    body = "11220299MD%07d" % index
    uscc = body + uscc_check_char(body)
    buyers.append(Partner.search([("uscc", "=", uscc)], limit=1) or Partner.create(
        {{"name": "基准采购人%02d" % (index + 1), "is_company": True, "uscc": uscc}}))
existing = Procedure.search_count([("name", "=like", "基准公告项目%")])
now = datetime.datetime.utcnow().replace(microsecond=0)
names = ["道路改造工程", "学校食堂设备采购", "国有建设用地使用权挂牌出让",
         "国有企业股权转让", "办公家具采购", "污水管网维修"]
batch = []
for index in range(existing, {scale}):
    published = now - datetime.timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
    deadline = published + datetime.timedelta(days=25)
    batch.append({{
        "name": "基准公告项目%05d %s" % (index + 1, names[index % len(names)]),
        "type_id": types[index % len(types)].id,
        "buyer_id": buyers[index % len(buyers)].id,
        "estimate_amount": rng.randrange(100000, 50000000),
        "bid_deadline": deadline,
        "opening_at": deadline,
    }})
    if len(batch) == 1000:
        Procedure.create(batch)
        env.cr.commit()
        batch = []
if batch:
    Procedure.create(batch)
env.cr.commit()
env.cr.execute(
    \"\"\"UPDATE city_trading_procedure
          SET published_at = bid_deadline - interval '25 days',
              state = CASE WHEN id % 10 = 0 THEN 'draft'
                           WHEN bid_deadline > now() at time zone 'utc' THEN
                                (ARRAY['published', 'clarification', 'bidding'])[1 + id % 3]
                           ELSE (ARRAY['evaluation', 'publicity', 'awarded', 'contracted', 'unsuccessful',
                                       'suspended', 'contracted'])[1 + id % 7] END
        WHERE name LIKE '基准公告项目%%'\"\"\"
)
env.cr.execute(
    "UPDATE city_trading_procedure SET published_at = NULL WHERE state = 'draft' AND name LIKE '基准公告项目%%'"
)
env.cr.execute("UPDATE city_trading_procedure SET is_public = (state != 'draft')")
env.cr.commit()
env.cr.execute("SELECT count(*), count(*) FILTER (WHERE is_public) FROM city_trading_procedure")
total, public = env.cr.fetchone()
print({marker!r} + json.dumps({{"procedures": total, "public": public}}))
"""


def check_page(url, path):
    status, body = common.http_request(f"{url}{path}", timeout=60, follow_redirects=False)
    if status != 200:
        raise common.BenchError(f"GET {path} answered {status}")
    text = body.decode("utf-8", "replace")
    rows = text.count('href="' + ROW_MARKER)
    if rows < 1:
        raise common.BenchError(f"GET {path} lists no notice")
    return rows


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE, connections_per_worker=True)  # see the docstring
    conf = common.write_config(args.workdir, {})
    started = time.monotonic()
    installed = common.ensure_installed(conf, args.db, args.workdir, ("city_resource_trading",))
    common.log(f"creating {args.scale} trading procedures")
    out = common.odoo_shell(
        conf,
        args.db,
        SETUP_CODE.format(scale=args.scale, marker=SETUP_MARKER),
        os.path.join(args.workdir, "odoo-shell.log"),
        timeout=3600,
    )
    lines = [line[len(SETUP_MARKER) :] for line in out.splitlines() if line.startswith(SETUP_MARKER)]
    if not lines:
        raise common.BenchError(f"odoo shell did not create the procedures:\n{out[-2000:]}")
    setup = json.loads(lines[-1])
    # What autovacuum does on a live database: statistics and the visibility map (index-only counts).
    conn = psycopg2.connect(dbname=args.db)
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("VACUUM ANALYZE city_trading_procedure")
    finally:
        conn.close()
    fill_s = round(time.monotonic() - started, 1)

    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        rows = check_page(server.url, PATH)
        check_page(server.url, PATH_FILTERED)
        baselines = common.measure_baselines(server, args)
        target = common.measure(server, PATH, args, label=f"GET {PATH}")
        filtered = common.measure(server, PATH_FILTERED, args, label=f"GET {PATH_FILTERED}", script_name="filtered.lua")
    result = {
        **common.page_result(args, target, baselines, TARGET_RATIO, TARGET_P95_MS, also_valid=[filtered]),
        "filtered": common.figures(filtered),
        "filtered_p95_ms": filtered["p95_ms"],
        "filtered_ratio": (
            round(filtered["rps"] / baselines["web_login"]["rps"], 3) if baselines["web_login"]["rps"] else None
        ),
        "scale": args.scale,
        "procedures": setup["procedures"],
        "public_procedures": setup["public"],
        "page_rows": rows,
        "installed": installed,
        "fill_s": fill_s,
        **common.run_settings(args),
    }
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
