"""Sensor alarm intake (POST /api/city/v1/community/alarms, batches of 500 events) from 2,000 devices.

    scripts/bench/run community_alarms [--scale 2000] [--duration 10] [--connections 8]

``--scale`` is the number of alarm devices registered in the database copy with set-based SQL
(datagen.insert_devices, on the existing buildings and alarm items). A technical user
``bench_gateway`` with the only group city_community.group_city_community_gateway (like the demo
user alarm_gateway) gets an API key (through a pipe, never written down). ``--connections``
gateways then post batches of 500 events, each gateway in its own thread and with its own share
of the devices (a gateway serves its devices only, so two batches never compete for a device):

* events come in bursts of 5 to 15 of one device and condition, 10 to 60 s apart; a burst
  follows the device's previous one by 1 to 10 minutes (it joins the open request) or, one time
  in five, by 61 to 240 minutes, past the device's 60-minute burst window (a new request);
* 10% of every batch (from the second on) are replays of events the gateway sent before, as a
  gateway does after a lost answer: they must come back as duplicates;
* event times run on each device's own clock, starting 30 days ago, never in the future.

Every answer must be 200 with ``accepted`` = the new events and ``duplicates`` = the replays,
and the events stored in the database must match; otherwise the run is invalid (exit 2).

``per_second`` = events processed (accepted + duplicates) per second over the measurement.
Baseline: ``GET /api/city/v1/ping`` with wrk in the same run (no key, no database). ``ratio`` =
per_second ÷ ping requests/s: one event counts as one unit of work, like one ping request, so the
ratio says how much cheaper an event is in a batch than the cheapest possible API request.
Targets: ``target_per_second`` 1000 and ``target_ratio`` (below). The API's rate limit would
throttle the gateways: the benchmark's Odoo runs with it disabled; the JSON says so.
"""

import collections
import datetime
import os
import random
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2

DEFAULT_SCALE = 2000
BATCH = 500
DUPLICATE_FRACTION = 0.10
NEW_INCIDENT = 0.2  # share of bursts that start past the burst window (a new request)
BURST = (5, 15)
HISTORY = 5000  # events a gateway remembers for replays
TARGET_PER_SECOND = 1000
# The 1000 events/s target expressed relative to ping, so that it travels between machines: on the
# reference machine (2 vCPU shared by Odoo's 2 workers, PostgreSQL and the load generator, Nov.
# 2026) ping answered 70 to 107 requests/s over six runs, about 100, and 1000 / 100 = 10. An event
# in a batch shares the key check, the JSON parsing and the transaction with 499 others and costs
# a row insert plus, for most, an update of its open request: ten events for the price of one
# empty request. The full-scale run there gave 2604 events/s, ping 76 requests/s (ratio 34).
TARGET_RATIO = 10
RATIO_DEFINITION = "per_second (events/s) / baseline.ping.rps (requests/s): one event = one ping"
PATH = f"{common.API_PREFIX}/community/alarms"
GATEWAY_GROUPS = ("city_community.group_city_community_gateway",)  # like the demo user alarm_gateway
CONDITIONS = {"water": "leak", "power": "outage", "gas": "gas_leak", "smoke": "smoke"}
CITY_TZ = datetime.timezone(datetime.timedelta(hours=8))
SEED = 20251124
SENDING = f"gateways, batches of {BATCH} events"  # for the log

ALARM_ITEM_CODE = """
Item = env["city.service.item"]
if not Item.search_count([("is_alarm", "=", True), ("active", "=", True)]):
    category = env["city.service.category"].search([], limit=1)
    Item.create({"name": "Alarm (benchmark)", "code": "BENCH-ALARM", "category_id": category.id,
                 "is_alarm": True, "legal_days": 1, "accept_hours": 1})
    env.cr.commit()
print("BENCH_ALARM_ITEMS=%d" % Item.search_count([("is_alarm", "=", True)]))
"""


class Gateway(common.BatchSender):
    """One gateway: its key, its devices, their event clocks and the events it may replay."""

    def __init__(self, index, key, devices, start, run_tag):
        self.key = key
        self.prefix = f"bench-{run_tag}-g{index}-"  # event ids unique to this run, even on a kept database
        self.rng = random.Random(SEED + index)
        self.devices = devices  # [(code, condition)]
        self.clock = {code: start + datetime.timedelta(minutes=self.rng.uniform(0, 1440)) for code, _c in devices}
        self.serial = 0
        self.history = collections.deque(maxlen=HISTORY)
        self.pending = []  # the new events of the batch in flight, remembered once answered

    def batch(self, size):
        """(events to send, the new ones among them, number of replays)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        replays = min(len(self.history), round(size * DUPLICATE_FRACTION))
        fresh = []
        while len(fresh) < size - replays:
            code, condition = self.rng.choice(self.devices)
            moment = self.clock[code]
            if self.rng.random() < NEW_INCIDENT:
                moment += datetime.timedelta(minutes=self.rng.uniform(61, 240))
            else:
                moment += datetime.timedelta(minutes=self.rng.uniform(1, 10))
            for _n in range(min(self.rng.randint(*BURST), size - replays - len(fresh))):
                moment += datetime.timedelta(seconds=self.rng.randint(10, 60))
                self.serial += 1
                fresh.append(
                    {
                        "event_id": f"{self.prefix}{self.serial}",
                        "device": code,
                        "condition": condition,
                        "occurred_at": min(moment, now).astimezone(CITY_TZ).isoformat(timespec="seconds"),
                        "value": "1",
                    }
                )
            self.clock[code] = moment
        events = fresh + self.rng.sample(list(self.history), replays)
        self.rng.shuffle(events)
        return events, fresh, replays

    def next_batch(self):
        events, fresh, replays = self.batch(BATCH)
        self.pending = fresh
        return {"events": events}, {"fresh": len(fresh), "replays": replays}

    def answered(self, record, data):
        record.update(accepted=data["accepted"], duplicates=data["duplicates"], results=len(data["results"]))
        self.history.extend(self.pending)


def summarize(records, elapsed):
    """Figures of a phase and the reasons it is invalid (if any)."""
    ok = [record for record in records if record["status"] == 200]
    statuses = collections.Counter(str(record["status"]) for record in records)
    reasons = []
    if not ok:
        reasons.append("no batch completed")
    if len(ok) != len(records):
        errors = [record["error"] for record in records if record["status"] != 200][:3]
        reasons.append(f"{len(records) - len(ok)} failed batches {dict(statuses)}: {errors}")
    wrong = [
        record
        for record in ok
        if record["accepted"] != record["fresh"]
        or record["duplicates"] != record["replays"]
        or record["results"] != record["fresh"] + record["replays"]
    ]
    if wrong:
        sample = {key: wrong[0][key] for key in ("fresh", "replays", "accepted", "duplicates")}
        reasons.append(f"{len(wrong)} batches with wrong counts, e.g. {sample}")
    accepted = sum(record["accepted"] for record in ok)
    duplicates = sum(record["duplicates"] for record in ok)
    figures = {
        "per_second": round((accepted + duplicates) / elapsed, 1) if elapsed > 0 else None,
        "batch_rps": round(len(ok) / elapsed, 2) if elapsed > 0 else None,
        "batches": len(ok),
        "events_accepted": accepted,
        "events_duplicate": duplicates,
        "elapsed_s": round(elapsed, 2),
        **common.latency_figures(ok),
        "statuses": dict(statuses),
    }
    return figures, reasons


def counts(db):
    """(stored events, sensor requests) in the database."""
    row = common.query(
        db,
        "SELECT (SELECT count(*) FROM city_alarm_event), (SELECT count(*) FROM city_request WHERE channel = 'sensor')",
    )
    return row[0]


def register_devices(db, scale):
    conn = psycopg2.connect(dbname=db)
    try:
        refs = datagen.request_refs(conn)
        devices = datagen.insert_devices(conn, scale, refs)
        datagen.analyze(conn, "city_alarm_device")
    finally:
        conn.close()
    return [(code, CONDITIONS[kind]) for code, kind in devices]


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    if args.scale < args.connections:
        raise common.BenchError("--scale (devices) must be at least --connections (gateways)")
    conf = common.write_config(args.workdir, {"city_api_rate_limit_per_minute": 0})
    shell_log = os.path.join(args.workdir, "odoo-shell.log")
    common.odoo_shell(conf, args.db, ALARM_ITEM_CODE, shell_log)
    devices = register_devices(args.db, args.scale)
    common.log("creating the gateway user bench_gateway and its key")
    key = common.create_api_key(conf, args.db, args.workdir, login="bench_gateway", groups=GATEWAY_GROUPS)
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)
    run_tag = format(int(time.time()), "x")
    gateways = [
        Gateway(index, key, devices[index :: args.connections], start, run_tag) for index in range(args.connections)
    ]
    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        baselines = common.measure_baselines(server, args)
        url = server.url + PATH
        common.warm_up_senders(gateways, url, args.warmup, f"POST {PATH} (warm-up)", SENDING, summarize)
        events_before, requests_before = counts(args.db)
        records, elapsed = common.run_senders(gateways, url, args.duration, f"POST {PATH}", SENDING)
        events_after, requests_after = counts(args.db)
    figures, reasons = summarize(records, elapsed)
    stored = events_after - events_before
    if stored != figures["events_accepted"]:
        reasons.append(f"{stored} events stored for {figures['events_accepted']} accepted")
    common.log(
        f"  {figures['per_second']} events/s, {figures['batch_rps']} batches/s, batch p95 {figures['batch_p95_ms']} ms"
        + (f" — INVALID: {'; '.join(reasons)}" if reasons else "")
    )
    ping = baselines["ping"]
    valid = not reasons and ping["valid"] and baselines["web_login"]["valid"]
    block = common.baseline_block(baselines, "ping")
    result = common.batch_result(
        args, figures, valid, block, ping["rps"], RATIO_DEFINITION, TARGET_RATIO, TARGET_PER_SECOND
    )
    result.update(
        {
            "requests_opened": requests_after - requests_before,
            "events_stored": stored,
            "batch_events": BATCH,
            "duplicate_fraction": DUPLICATE_FRACTION,
            "scale": args.scale,
            "devices": len(devices),
            "gateways": len(gateways),
            "rate_limit": "disabled for the benchmark",
            **common.run_settings(args, connections=False),
        }
    )
    if reasons:
        result["invalid_reasons"] = reasons
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
