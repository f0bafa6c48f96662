"""Trace event capture (POST /api/city/v1/trace/events, EPCIS 2.0 documents of 500 events) by 8 enterprises.

    scripts/bench/run trace_capture [--scale 1000000] [--duration 10] [--connections 8]

``--scale`` is the number of background trace events in the database copy (default 1,000,000),
over ``scale / 10`` lots (100,000 at the default scale) of 100 products held by 400 enterprises,
inserted with set-based SQL like trace_scan (datagen.trace_enterprises, datagen.trace_products,
datagen.trace_background): capture then writes into tables and indexes of a realistic size.

Each of the ``--connections`` senders is a producer enterprise with its own enterprise portal user
(only the group city_base.group_city_base_business, a contact of the enterprise, like an
enterprise's own system) and its own API key (through a pipe, never written down). Each sender
posts EPCIS 2.0 JSON documents of 500 events, in its own thread, about its own batches only, so
two documents never compete for an enterprise's event chain:

* 80%: shipping ObjectEvents of one of its batches (a ``quantityList`` entry with the batch's GS1
  Digital Link, a quantity, a despatch advice) to a processor named by ``urn:city:uscc:``;
* 10%: commissioning ObjectEvents (action ADD) of new batches of its own product: each one
  creates its lot (production date, quantity) before the event is recorded;
* 10% of every document from the second on: replays of events the sender sent before, as a
  system does after a lost answer: they must come back as duplicates.

Event times run on each sender's own clock (10 to 60 s apart) from 20 days ago, never in the
future. Every answer must be 200 with ``created`` = the new events and ``duplicates`` = the
replays, and the events and lots stored must match; otherwise the run is invalid (exit 2).

``per_second`` = events processed (created + duplicates) per second over the measurement.
Baseline: ``GET /api/city/v1/ping`` with wrk in the same run (no key, no database). ``ratio`` =
per_second ÷ ping requests/s: one event counts as one unit of work, like one ping request.
Targets: ``target_per_second`` 1000 (the issue's figure) and ``target_ratio`` 10, the same
machine-independent form of 1000 events/s as community_alarms (ping answers about 100 requests/s
on the reference machine). The API's rate limit would throttle the senders: the benchmark's Odoo
runs with it disabled; the JSON says so.
"""

import collections
import datetime
import json
import random
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2

DEFAULT_SCALE = 1_000_000
EVENTS_PER_LOT = 10
ENTERPRISES = 400
PRODUCTS = 100
BATCH = 500
DUPLICATE_FRACTION = 0.10
COMMISSION_FRACTION = 0.10
LOTS_PER_SENDER = 2000  # batches a sender ships from
HISTORY = 5000  # events a sender remembers for replays
TARGET_PER_SECOND = 1000
TARGET_RATIO = 10  # as community_alarms: 1000 events/s over ping's ~100 requests/s on the reference machine
RATIO_DEFINITION = "per_second (events/s) / baseline.ping.rps (requests/s): one event = one ping"
PATH = f"{common.API_PREFIX}/trace/events"
DL_HOST = "https://trace.bench.example"
CITY_TZ = datetime.timezone(datetime.timedelta(hours=8))
SEED = 20261124
SENDING = f"enterprises, documents of {BATCH} events"  # for the log
SENDER_MARKER = "BENCH_TRACE_KEYS="

SENDER_CODE = """
import json
group = env.ref("city_base.group_city_base_business")
Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True, tracking_disable=True)
keys = {{}}
for index, partner_id in enumerate({partners!r}):
    login = "bench_trace_%d" % index
    user = Users.search([("login", "=", login)], limit=1)
    if not user:
        contact = env["res.partner"].create({{"name": "基准接口%d" % index, "parent_id": partner_id}})
        user = Users.create({{"name": contact.name, "login": login, "partner_id": contact.id,
                              "groups_id": [(6, 0, [group.id])]}})
    env.cr.execute("DELETE FROM res_users_apikeys WHERE user_id = %s AND name = %s", [user.id, "bench"])
    keys[partner_id] = env["res.users.apikeys"].with_user(user).sudo()._generate(None, "bench", None)
env.cr.commit()
print({marker!r} + json.dumps(keys))
"""


class Sender(common.BatchSender):
    """One enterprise: its batches, its own product, its clock and the events it may replay."""

    def __init__(self, index, key, lots, own_gtin, destinations, start, run_tag):
        self.prefix = f"bench-{run_tag}-s{index}-"  # event ids and new batches unique to this run
        self.lot_prefix = f"BC{run_tag[-5:]}{index:02d}"
        self.rng = random.Random(SEED + index)
        self.key = key
        self.lots = lots  # [(gtin, batch)]
        self.own_gtin = own_gtin
        self.destinations = destinations  # USCCs of processors
        self.clock = start + datetime.timedelta(minutes=self.rng.uniform(0, 1440))
        self.serial = 0
        self.made = 0
        self.history = collections.deque(maxlen=HISTORY)
        self.pending = []  # the new events of the batch in flight, remembered once answered

    def _tick(self):
        self.clock += datetime.timedelta(seconds=self.rng.randint(10, 60))
        self.serial += 1
        moment = min(self.clock, datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1))
        return f"{self.prefix}{self.serial}", moment.astimezone(CITY_TZ).isoformat(timespec="seconds")

    def event(self):
        """A new event and whether it commissions (creates) a batch."""
        event_id, moment = self._tick()
        common_fields = {"eventID": event_id, "eventTime": moment, "eventTimeZoneOffset": "+08:00"}
        if self.rng.random() < COMMISSION_FRACTION:
            self.made += 1
            batch = f"{self.lot_prefix}{self.made:06d}"
            return {
                "type": "ObjectEvent",
                **common_fields,
                "action": "ADD",
                "bizStep": "commissioning",
                "disposition": "active",
                "quantityList": [{"epcClass": f"{DL_HOST}/01/{self.own_gtin}/10/{batch}", "quantity": 1000}],
            }, True
        gtin, batch = self.rng.choice(self.lots)
        return {
            "type": "ObjectEvent",
            **common_fields,
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "quantityList": [{"epcClass": f"{DL_HOST}/01/{gtin}/10/{batch}", "quantity": self.rng.randint(1, 100)}],
            "destinationList": [
                {"type": "owning_party", "destination": f"urn:city:uscc:{self.rng.choice(self.destinations)}"}
            ],
            "bizTransactionList": [{"type": "desadv", "bizTransaction": f"DA-{event_id}"}],
        }, False

    def document(self, size):
        """(document, the new events, the number of batches they create, number of replays)."""
        replays = min(len(self.history), round(size * DUPLICATE_FRACTION))
        fresh, making = [], 0
        while len(fresh) < size - replays:
            event, makes = self.event()
            fresh.append(event)
            making += makes
        events = fresh + self.rng.sample(list(self.history), replays)
        self.rng.shuffle(events)
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": datetime.datetime.now(CITY_TZ).isoformat(timespec="seconds"),
            "epcisBody": {"eventList": events},
        }
        return document, fresh, making, replays

    def next_batch(self):
        document, fresh, making, replays = self.document(BATCH)
        self.pending = fresh
        return document, {"fresh": len(fresh), "making": making, "replays": replays, "bytes": len(json.dumps(document))}

    def answered(self, record, data):
        record.update(created=data["created"], duplicates=data["duplicates"], results=len(data["events"]))
        self.history.extend(self.pending)


def summarize(records, elapsed):
    """Figures of a phase and the reasons it is invalid (if any)."""
    ok = [record for record in records if record["status"] == 200]
    statuses = collections.Counter(str(record["status"]) for record in records)
    reasons = []
    if not ok:
        reasons.append("no document completed")
    if len(ok) != len(records):
        errors = [record["error"] for record in records if record["status"] != 200][:3]
        reasons.append(f"{len(records) - len(ok)} failed documents {dict(statuses)}: {errors}")
    wrong = [
        record
        for record in ok
        if record["created"] != record["fresh"]
        or record["duplicates"] != record["replays"]
        or record["results"] != record["fresh"] + record["replays"]
    ]
    if wrong:
        sample = {key: wrong[0][key] for key in ("fresh", "replays", "created", "duplicates")}
        reasons.append(f"{len(wrong)} documents with wrong counts, e.g. {sample}")
    created = sum(record["created"] for record in ok)
    duplicates = sum(record["duplicates"] for record in ok)
    figures = {
        "per_second": round((created + duplicates) / elapsed, 1) if elapsed > 0 else None,
        "batch_rps": round(len(ok) / elapsed, 2) if elapsed > 0 else None,
        "batches": len(ok),
        "events_created": created,
        "events_duplicate": duplicates,
        "lots_commissioned": sum(record["making"] for record in ok),
        "elapsed_s": round(elapsed, 2),
        **common.latency_figures(ok),
        "document_kb": round(max(record["bytes"] for record in ok) / 1024, 1) if ok else None,
        "statuses": dict(statuses),
    }
    return figures, reasons


def counts(db):
    """(stored events, lots) in the database."""
    return common.query(db, "SELECT (SELECT count(*) FROM city_trace_event), (SELECT count(*) FROM city_trace_lot)")[0]


def fill(db, scale, senders):
    """Background enterprises, products, lots and events; return the senders' data:
    ``[(partner_id, [(gtin, batch)], own gtin)]`` and the processors' USCCs."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            uid = datagen.admin_uid(cr)
            enterprises = datagen.trace_enterprises(
                cr, ENTERPRISES, uid, uscc_prefix="91220299MC", name_prefix="采集企业"
            )
            products = datagen.trace_products(cr, enterprises[0::4], PRODUCTS, uid, gtin_prefix="690992")
        conn.commit()
        datagen.trace_background(conn, products, enterprises, max(1, scale // EVENTS_PER_LOT), EVENTS_PER_LOT, uid)
        datagen.analyze(conn, "res_partner", "city_trace_product", "city_trace_lot", "city_trace_event")
        datagen.analyze(conn, "city_trace_event_line")
        data = []
        with conn.cursor() as cr:
            for partner_id in enterprises[0::4][:senders]:
                cr.execute(
                    """SELECT p.gtin, l.name FROM city_trace_lot l JOIN city_trace_product p ON p.id = l.product_id
                        WHERE l.partner_id = %s ORDER BY l.id LIMIT %s""",
                    (partner_id, LOTS_PER_SENDER),
                )
                lots = cr.fetchall()
                cr.execute(
                    "SELECT gtin FROM city_trace_product WHERE partner_id = %s ORDER BY id LIMIT 1", (partner_id,)
                )
                own = cr.fetchone()
                if not lots or not own:
                    raise common.BenchError(f"enterprise {partner_id} has no batches or no product: raise --scale")
                data.append((partner_id, lots, own[0]))
            cr.execute("SELECT uscc FROM res_partner WHERE id = ANY(%s)", (enterprises[1::4],))
            processors = [uscc for (uscc,) in cr.fetchall()]
    finally:
        conn.close()
    return data, processors


def sender_keys(conf, db, workdir, partner_ids):
    code = SENDER_CODE.format(partners=list(partner_ids), marker=SENDER_MARKER)
    keys = common.shell_json(conf, db, workdir, code, SENDER_MARKER, "return the senders' API keys")
    return {int(key): value for key, value in keys.items()}


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    if args.connections > PRODUCTS:
        raise common.BenchError(f"at most {PRODUCTS} --connections (senders own one product each)")
    if args.scale < EVENTS_PER_LOT * ENTERPRISES:
        raise common.BenchError(f"--scale must be at least {EVENTS_PER_LOT * ENTERPRISES} events")
    started = time.monotonic()
    data, processors = fill(args.db, args.scale, args.connections)
    fill_s = round(time.monotonic() - started, 1)
    conf = common.write_config(args.workdir, {"city_api_rate_limit_per_minute": 0})
    common.log(f"creating {len(data)} enterprise users bench_trace_N and their keys")
    keys = sender_keys(conf, args.db, args.workdir, [partner_id for partner_id, _lots, _own in data])
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=20)
    run_tag = format(int(time.time()), "x")
    senders = [
        Sender(index, keys[partner_id], lots, own, processors, start, run_tag)
        for index, (partner_id, lots, own) in enumerate(data)
    ]
    events_in_db, lots_in_db = counts(args.db)
    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        baselines = common.measure_baselines(server, args)
        url = server.url + PATH
        common.warm_up_senders(senders, url, args.warmup, f"POST {PATH} (warm-up)", SENDING, summarize)
        events_before, lots_before = counts(args.db)
        records, elapsed = common.run_senders(senders, url, args.duration, f"POST {PATH}", SENDING)
        events_after, lots_after = counts(args.db)
    figures, reasons = summarize(records, elapsed)
    stored, made = events_after - events_before, lots_after - lots_before
    if stored != figures["events_created"]:
        reasons.append(f"{stored} events stored for {figures['events_created']} created")
    if made != figures["lots_commissioned"]:
        reasons.append(f"{made} lots created for {figures['lots_commissioned']} commissioning events")
    common.log(
        f"  {figures['per_second']} events/s, {figures['batch_rps']} documents/s, "
        f"document p95 {figures['batch_p95_ms']} ms" + (f" — INVALID: {'; '.join(reasons)}" if reasons else "")
    )
    ping = baselines["ping"]
    valid = not reasons and ping["valid"] and baselines["web_login"]["valid"]
    block = common.baseline_block(baselines, "ping")
    result = common.batch_result(
        args, figures, valid, block, ping["rps"], RATIO_DEFINITION, TARGET_RATIO, TARGET_PER_SECOND
    )
    result.update(
        {
            "events_stored": stored,
            "lots_created": made,
            "batch_events": BATCH,
            "duplicate_fraction": DUPLICATE_FRACTION,
            "commission_fraction": COMMISSION_FRACTION,
            "scale": args.scale,
            "events_in_db": events_in_db,
            "lots_in_db": lots_in_db,
            "senders": len(senders),
            "fill_s": fill_s,
            "rate_limit": "disabled for the benchmark",
            **common.run_settings(args, connections=False),
        }
    )
    if reasons:
        result["invalid_reasons"] = reasons
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
