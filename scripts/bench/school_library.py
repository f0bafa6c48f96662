"""Public school resource library /school/library filtered by the taxonomy, among 100,000 resources.

    scripts/bench/run school_library [--scale 100000] [--duration 10] [--connections N]

The database copy gets city_school when it lacks it (``-i`` on the copy only). In one ``odoo shell``
the harness creates 10 benchmark schools (primary stage, codes BENCHLIB*), one published public
course per school and the chapter tree of one book per subject, grade and edition (four units of
three lessons), then inserts ``--scale`` published library resources with set-based SQL: spread over
the schools, every subject, grade 1-6, the four editions, both volumes and the chapters of their
book, with views, downloads, ratings and publication dates drawn from the row number (deterministic).

Measured with wrk, in the same run: ``GET /web/login`` (the baseline) and the public (not logged in)
library page ``/school/library?stage=primary&subject=<math>&grade=3&sort=viewed`` (a taxonomy
filter and the "most viewed" order; its first page of 20 rows). Every response must be 200.

Targets: ``ratio`` = library requests/s ÷ /web/login requests/s >= 0.8 and ``p95_ms`` <= 200.
Both pages render the website layout for the public user; the library page adds the record rules
of website_slides, one search of 21 rows (one more than shown, for the pager; no count) along the
partial index of its sort order on the subject and grade's shelf, and one read of the rows shown.

Latency is the page's own cost only when requests do not queue for a worker, so the default
number of connections is the number of Odoo workers (2); the baseline is measured with the same
connections, so the ratio compares the two pages under the same load.
"""

import json
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import psycopg2

DEFAULT_SCALE = 100_000
ADDONS = ("city_school",)
TARGET_RATIO = 0.8
TARGET_P95_MS = 200
SCHOOLS = 10
RESULT_MARKER = "BENCH_SCHOOL_LIBRARY="

SHELL_CODE = """
import json

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
Division = env["city.division"]
district = env.ref("city_base.city_division_chuanying")
street = Division.search([("code", "=", "220204980000")]) or Division.create(
    {{"name": "资源库基准街道", "code": "220204980000", "type": "street", "parent_id": district.id}}
)
School = env["city.school"]
schools = School.search([("code", "=like", "BENCHLIB%")], order="code")
if not schools:
    schools = School.create([
        {{"name": f"资源库基准第{{n + 1}}小学", "code": f"BENCHLIB{{n + 1:03d}}", "stage": "primary",
          "division_id": street.id}}
        for n in range({schools})
    ])
Channel = env["slide.channel"]
channels = Channel.search([("school_id", "in", schools.ids)])
for school in schools - channels.school_id:
    channels |= Channel.create({{"name": f"{{school.name}}资源", "school_id": school.id, "is_published": True,
                                 "visibility": "public"}})
subjects = env["city.school.subject"].search([("stage_primary", "=", True)])
editions = env["city.school.edition"].search([])
Chapter = env["city.school.chapter"]
books = {{}}
for subject in subjects:
    for grade in "123456":
        for edition in editions:
            for volume in ("first", "second"):
                key = (subject.id, grade, edition.id, volume)
                book = dict(subject_id=subject.id, grade=grade, edition_id=edition.id, volume=volume)
                lessons = Chapter.search([(k, "=", v) for k, v in book.items()] + [("parent_id", "!=", False)])
                if not lessons:
                    for unit_no in range(1, 5):
                        unit = Chapter.create(dict(book, name=f"第{{unit_no}}单元"))
                        lessons |= Chapter.create([dict(book, name=f"第{{lesson}}课", parent_id=unit.id)
                                                   for lesson in range(1, 4)])
                books["|".join(map(str, key))] = lessons.ids
env.cr.commit()
print({marker!r} + json.dumps({{
    "channels": [[c.id, c.school_id.id] for c in channels.sorted("id")],
    "subjects": subjects.ids,
    "math": env.ref("city_school.city_school_subject_math").id,
    "editions": editions.ids,
    "books": books,
    "user": env.ref("base.user_admin").id,
}}))
"""

# One row per resource: the n-th resource takes its school, subject, grade, edition, volume and
# chapter from n, so that the same scale always gives the same library.
INSERT_SQL = """
WITH params AS (
    SELECT %(channels)s::int[] AS channels, %(schools)s::int[] AS schools, %(subjects)s::int[] AS subjects,
           %(editions)s::int[] AS editions
), rows AS (
    SELECT n,
           (1 + n %% array_length(p.channels, 1))::int AS c,
           p.subjects[(1 + (n / 7) %% array_length(p.subjects, 1))::int] AS subject,
           (1 + (n / 11) %% 6)::text AS grade,
           p.editions[(1 + (n / 13) %% array_length(p.editions, 1))::int] AS edition,
           CASE WHEN (n / 17) %% 2 = 0 THEN 'first' ELSE 'second' END AS volume,
           p.channels, p.schools
      FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS n, params p
)
INSERT INTO slide_slide
       (name, channel_id, school_id, slide_category, source_type, sequence, is_published, is_preview, active,
        date_published, user_id, library_state, school_stage, school_subject_id, school_grade, school_edition_id,
        school_volume, school_chapter_id, library_license, library_version, library_mimetype,
        public_views, slide_views, total_views, library_download_count, library_rating_avg, library_rating_count,
        completion_time, create_uid, create_date, write_uid, write_date)
SELECT jsonb_build_object('en_US', '基准资源 ' || n, 'zh_CN', '基准资源 ' || n),
       r.channels[r.c], r.schools[r.c], 'document', 'local_file', n::int, TRUE, TRUE, TRUE,
       TIMESTAMP '2024-01-01' + (n %% 86400) * INTERVAL '10 minutes', %(user)s, 'published', 'primary',
       r.subject, r.grade, r.edition, r.volume,
       (%(books)s::jsonb -> (r.subject || '|' || r.grade || '|' || r.edition || '|' || r.volume)
            ->> (n %% 12)::int)::int,
       'cc_by_nc', 1, 'application/pdf',
       ((n * 7919) %% 5000)::int, 0, ((n * 7919) %% 5000)::int, ((n * 104729) %% 800)::int,
       ((n * 31) %% 401) / 100.0 + 1, ((n * 13) %% 60)::int,
       0.5, %(user)s, now() at time zone 'utc', %(user)s, now() at time zone 'utc'
  FROM rows r
"""


def fill(db, scale, refs):
    """Insert ``scale`` published resources in batches of 20,000; return the count in the database."""
    channels = [channel for channel, _school in refs["channels"]]
    schools = [school for _channel, school in refs["channels"]]
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT COALESCE(max(sequence), 0) FROM slide_slide WHERE name->>'en_US' LIKE '基准资源 %%'")
            done = cr.fetchone()[0]
            start = done + 1
            while start <= scale:
                stop = min(scale, start + 19_999)
                cr.execute(
                    INSERT_SQL,
                    {
                        "channels": channels,
                        "schools": schools,
                        "subjects": refs["subjects"],
                        "editions": refs["editions"],
                        "books": json.dumps(refs["books"]),
                        "user": refs["user"],
                        "start": start,
                        "stop": stop,
                    },
                )
                conn.commit()
                common.log(f"  resources {start}-{stop} inserted")
                start = stop + 1
            cr.execute("ANALYZE slide_slide")
            cr.execute("SELECT count(*) FROM slide_slide WHERE library_state = 'published'")
            published = cr.fetchone()[0]
        conn.commit()
    finally:
        conn.close()
    return published


def check_page(url, path):
    status, body = common.http_request(f"{url}{path}", timeout=60, follow_redirects=False)
    page = body.decode("utf-8", "replace")
    if status != 200:
        raise common.BenchError(f"GET {path} answered {status}")
    rows = page.count("o_school_library_item")
    if rows != 20:
        raise common.BenchError(f"GET {path} lists {rows} resources, expected 20")
    return rows


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE, connections_per_worker=True)  # see the docstring
    started = time.monotonic()
    conf = common.write_config(args.workdir, {})
    installed = common.ensure_installed(conf, args.db, args.workdir, ADDONS)
    refs = common.shell_json(
        conf,
        args.db,
        args.workdir,
        SHELL_CODE.format(schools=SCHOOLS, marker=RESULT_MARKER),
        RESULT_MARKER,
        "create the benchmark schools, courses and chapters",
    )
    common.log(f"inserting {args.scale} library resources (set-based SQL)")
    published = fill(args.db, args.scale, refs)
    fill_s = round(time.monotonic() - started, 1)
    path = f"/school/library?stage=primary&subject={refs['math']}&grade=3&sort=viewed"
    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        rows = check_page(server.url, path)
        baselines = common.measure_baselines(server, args)
        target = common.measure(server, path, args, label="GET /school/library")
    result = {
        **common.page_result(args, target, baselines, TARGET_RATIO, TARGET_P95_MS),
        "scale": args.scale,
        "published_resources_in_db": published,
        "path": path,
        "page_rows": rows,
        "installed": installed,
        "fill_s": fill_s,
        **common.run_settings(args),
    }
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
