"""Offline terminal batches (POST /api/city/v1/card/terminal-batches, 1,000 records each) against raw pgbench.

    scripts/bench/run card_batch [--scale 2000] [--duration 10] [--connections 8]

The database copy gets ``--scale`` active standard cards (default 2,000; residents are added with
datagen.fill when the city has too few), each topped up with 5,000 yuan at a benchmark service
desk, one benchmark merchant and one terminal per sender (``--connections``), each with its own
key, and the cards' own keys (diversified from the master key by the server's configuration, read
through the ``odoo shell`` pipe like the terminal keys, never written down).

Each sender is a bus validator coming back online: in its own thread it uploads batches of 1,000
tap records of its own share of the cards (a card taps several times per batch, with a rising
transaction counter and the MAC the card computes), one batch after the other. The shares do not
overlap, so two batches in flight never wait for the same card: this measures throughput, not
contention (batches sharing a card are serialised by the database and Odoo's retry). Every answer
must be 200 with every record posted, and the operations and records stored must match, and the
ledger must stay sound (sum zero, purses equal to their entries, none negative); otherwise the run
is invalid (exit 2).

``per_second`` = records posted per second over the measurement (``--duration`` after a
``--warmup``). Baseline, in the same run on the same database: raw ``pgbench`` with the same
number of clients running the single-row payment transaction of the ledger (update one purse with
the balance check, insert the operation, insert its two entries; one commit each) on the real
tables. ``ratio`` = per_second / pgbench transactions per second, target 0.35; and
``target_per_second`` 2,000 (the issue's figures).
"""

import hashlib
import hmac
import os
import random
import re
import subprocess
import time

import common  # scripts/bench/common.py (the script's directory is on sys.path)
import datagen  # scripts/bench/datagen.py
import psycopg2

DEFAULT_SCALE = 2000
BATCH = 1000
AMOUNT = 100  # fen per tap
TOPUP = 500000  # fen per card: the cash purse limit
TARGET_PER_SECOND = 2000
TARGET_RATIO = 0.35
RATIO_DEFINITION = "per_second (records/s) / baseline.pgbench.tps (single-row payment transactions/s)"
PATH = f"{common.API_PREFIX}/card/terminal-batches"
MAC_LENGTH = 16
FLEET = {  # common.setup_cards
    "organisation": "基准公交集团有限公司",
    "merchant": {"name": "基准公交", "code": "BENCH-BATCH", "is_transit": True, "fee_rate": 30},
    "function": "city_card.function_transit",
    "desk": {"name": "基准充值网点", "code": "BENCH-BDESK"},
    "terminal_code": "BENCHVAL%03d",
    "terminal_kind": "validator",
    "topup": TOPUP,
}
SENDING = f"validators, batches of {BATCH} records"  # for the log

# The single-row payment transaction of the ledger, on the real tables, for pgbench.
PGBENCH_SCRIPT = r"""\set n random(1, :purses)
BEGIN;
UPDATE city_card_account SET cached_balance = cached_balance - :amount
 WHERE id = (SELECT purse_id FROM bench_card_batch_purse WHERE n = :n) AND cached_balance >= :amount
 RETURNING id AS purse_id, card_id, cached_balance AS balance \gset
INSERT INTO city_card_operation (kind, channel, card_id, merchant_id, terminal_id, amount, posted_at, refunded_amount,
                                 user_id, create_uid, create_date, write_uid, write_date)
 VALUES ('payment', 'offline', :card_id, :merchant, :terminal, :amount, now() at time zone 'utc', 0,
         1, 1, now() at time zone 'utc', 1, now() at time zone 'utc')
 RETURNING id AS operation_id \gset
INSERT INTO city_card_entry (operation_id, account_id, card_id, kind, amount, balance_after, posted_at)
 VALUES (:operation_id, :purse_id, :card_id, 'payment', -:amount, :balance, now() at time zone 'utc'),
        (:operation_id, :clearing, NULL, 'payment', :amount, NULL, now() at time zone 'utc');
END;
"""


class Sender(common.BatchSender):
    """One validator: its key, its share of the cards with their counters, its serial numbers."""

    def __init__(self, index, terminal, cards, run_tag):
        self.index = index
        self.code = terminal["code"]
        self.key = terminal["key"]
        self.cards = cards  # [(number, card key bytes)]
        self.counters = [0] * len(cards)
        self.rng = random.Random(f"{run_tag}-{index}")
        self.prefix = f"{run_tag}-{index}-"
        self.serial = 0
        self.batches = 0

    def mac(self, key, number, amount, tapped_at, serial, counter):
        message = f"{number}|{amount}|{tapped_at}|{self.code}|{serial}|{counter}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:MAC_LENGTH]

    def next_batch(self):
        self.batches += 1
        tapped_at = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600 - 60))
        records = []
        for _ in range(BATCH):
            position = self.rng.randrange(len(self.cards))
            number, key = self.cards[position]
            self.counters[position] += 1
            self.serial += 1
            serial = f"{self.prefix}{self.serial}"
            counter = self.counters[position]
            records.append(
                {
                    "serial": serial,
                    "card": number,
                    "amount": AMOUNT,
                    "tapped_at": tapped_at,
                    "counter": counter,
                    "mac": self.mac(key, number, AMOUNT, tapped_at, serial, counter),
                }
            )
        return {"batch_id": f"{self.prefix}B{self.batches}", "records": records}, {}

    def answered(self, record, data):
        record.update(posted=data["posted"], records=data["records"], replayed=data["replayed"])


def summarize(results, elapsed):
    ok = [record for record in results if record["status"] == 200]
    reasons = []
    if not ok:
        reasons.append("no batch completed")
    failed = [record for record in results if record["status"] != 200]
    if failed:
        reasons.append(f"{len(failed)} failed batches: {[record['error'] for record in failed][:3]}")
    wrong = [record for record in ok if record["posted"] != BATCH or record["replayed"]]
    if wrong:
        reasons.append(f"{len(wrong)} batches not fully posted, e.g. {wrong[0]}")
    posted = sum(record["posted"] for record in ok)
    figures = {
        "per_second": round(posted / elapsed, 1) if elapsed > 0 else None,
        "batch_rps": round(len(ok) / elapsed, 2) if elapsed > 0 else None,
        "batches": len(ok),
        "records_posted": posted,
        "elapsed_s": round(elapsed, 2),
        **common.latency_figures(ok, percentiles=(50, 95)),
    }
    return figures, reasons


def setup(conf, db, workdir, cards, senders):
    """The cards with their own keys, one validator per sender and one more for pgbench."""
    return common.setup_cards(conf, db, workdir, FLEET, cards, senders + 1, card_keys=True, timeout=3600)


def ledger(db, terminal_ids):
    """(batch operations, offline records, ledger sum, negative purses, purses differing from their entries)."""
    return common.query(
        db,
        """SELECT (SELECT count(*) FROM city_card_operation WHERE terminal_id = ANY(%(t)s)),
                  (SELECT count(*) FROM city_card_offline_record WHERE terminal_id = ANY(%(t)s)),
                  (SELECT COALESCE(SUM(amount), 0) FROM city_card_entry),
                  (SELECT count(*) FROM city_card_account WHERE cached_balance < 0),
                  (SELECT count(*) FROM (SELECT a.id FROM city_card_account a
                                           JOIN city_card_entry e ON e.account_id = a.id
                                          WHERE a.is_purse AND a.card_id IN (
                                                SELECT card_id FROM bench_card_batch_purse)
                                          GROUP BY a.id HAVING a.cached_balance <> SUM(e.amount)) drift)""",
        {"t": terminal_ids},
    )[0]


def prepare_pgbench(db, cards, workdir):
    """The purse map the pgbench script picks from, and the script itself."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute("DROP TABLE IF EXISTS bench_card_batch_purse")
            cr.execute("CREATE TABLE bench_card_batch_purse (n int PRIMARY KEY, purse_id int NOT NULL, card_id int)")
            cr.execute(
                "INSERT INTO bench_card_batch_purse SELECT * FROM unnest(%s::int[], %s::int[], %s::int[])",
                (list(range(1, len(cards) + 1)), [card["purse"] for card in cards], [card["id"] for card in cards]),
            )
            cr.execute("ANALYZE bench_card_batch_purse")
        conn.commit()
    finally:
        conn.close()
    path = os.path.join(workdir, "payment.pgbench")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(PGBENCH_SCRIPT)
    return path


def run_pgbench(db, script, clients, seconds, variables, label):
    command = ["pgbench", "-n", "-r", f"--client={clients}", f"--jobs={max(1, min(clients, 2))}", f"--time={seconds}"]
    command += [f"--define={name}={value}" for name, value in variables.items()]
    command += [f"--file={script}", db]
    common.log(f"pgbench {label}: {clients} clients, {seconds}s")
    proc = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    text = proc.stdout + proc.stderr
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", text, re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    latency = re.search(r"^latency average = ([\d.]+) ms", text, re.M)
    reasons = []
    if proc.returncode != 0:
        reasons.append(f"pgbench exit {proc.returncode}: {text.strip()[-500:]}")
    if failed and int(failed.group(1)):
        reasons.append(f"{failed.group(1)} failed pgbench transactions")
    if not tps:
        raise common.BenchError(f"could not read pgbench's report:\n{text[-2000:]}")
    result = {
        "endpoint": "pgbench: update purse with check, insert operation, insert 2 entries",
        "valid": not reasons,
        "tps": round(float(tps.group(1)), 1),
        "transactions": int(done.group(1)) if done else None,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "clients": clients,
        "duration_s": seconds,
    }
    if reasons:
        result["invalid_reasons"] = reasons
    common.log(f"  {result['tps']} transactions/s")
    return result


def main():
    args = common.parse_args(__doc__, DEFAULT_SCALE)
    senders_count = args.connections
    if args.scale < senders_count * 10:
        raise common.BenchError("--scale must give every sender at least 10 cards")
    datagen.fill(args.db, args.scale + 400)
    conf = common.write_config(args.workdir, {})
    common.log(f"creating {args.scale} cards, the benchmark bus operator and {senders_count + 1} terminals")
    started = time.monotonic()
    prepared = setup(conf, args.db, args.workdir, args.scale, senders_count)
    setup_s = round(time.monotonic() - started, 1)
    cards = prepared["cards"]
    if len(cards) < args.scale:
        raise common.BenchError(f"only {len(cards)} cards for --scale {args.scale}")
    terminals = prepared["terminals"]
    pgbench_terminal, batch_terminals = terminals[-1], terminals[:senders_count]
    run_tag = format(int(time.time()), "x")
    senders = [
        Sender(
            index,
            terminal,
            [(card["number"], bytes.fromhex(card["key"])) for card in cards[index::senders_count]],
            run_tag,
        )
        for index, terminal in enumerate(batch_terminals)
    ]
    script = prepare_pgbench(args.db, cards, args.workdir)
    variables = {
        "purses": len(cards),
        "amount": AMOUNT,
        "merchant": prepared["merchant"],
        "terminal": pgbench_terminal["id"],
        "clearing": prepared["clearing"],
    }
    terminal_ids = [terminal["id"] for terminal in batch_terminals]
    with common.OdooServer(conf, args.db, args.workdir, workers=args.workers) as server:
        url = server.url + PATH
        if args.warmup > 0:
            common.warm_up_senders(senders, url, args.warmup, f"POST {PATH} (warm-up)", SENDING, summarize)
            run_pgbench(args.db, script, senders_count, args.warmup, variables, "(warm-up)")
        baseline = run_pgbench(args.db, script, senders_count, args.duration, variables, "payment transaction")
        operations_before, records_before, _sum, _negative, _drift = ledger(args.db, terminal_ids)
        results, elapsed = common.run_senders(senders, url, args.duration, f"POST {PATH}", SENDING)
        operations_after, records_after, total, negative, drift = ledger(args.db, terminal_ids)
    figures, reasons = summarize(results, elapsed)
    operations, records = operations_after - operations_before, records_after - records_before
    if operations != figures["records_posted"] or records != figures["records_posted"]:
        reasons.append(f"{operations} operations and {records} records stored for {figures['records_posted']} posted")
    if total or negative or drift:
        reasons.append(f"ledger broken: sum {total}, {negative} negative purses, {drift} purses off their entries")
    per_second = figures["per_second"]
    common.log(
        f"  {per_second} records/s, batch p95 {figures['batch_p95_ms']} ms"
        + (f" — INVALID: {'; '.join(reasons)}" if reasons else "")
    )
    valid = not reasons and baseline["valid"]
    block = {"compared_with": "pgbench", "pgbench": baseline}
    result = common.batch_result(
        args, figures, valid, block, baseline["tps"], RATIO_DEFINITION, TARGET_RATIO, TARGET_PER_SECOND
    )
    result.update(
        {
            "batch_records": BATCH,
            "operations_stored": operations,
            "records_stored": records,
            "scale": args.scale,
            "senders": senders_count,
            "cards_per_sender": len(cards) // senders_count,
            "setup_s": setup_s,
            **common.run_settings(args, connections=False),
        }
    )
    if not baseline["valid"]:
        reasons += baseline["invalid_reasons"]
    if reasons:
        result["invalid_reasons"] = reasons
    return common.emit(result)


if __name__ == "__main__":
    common.run_main(main)
