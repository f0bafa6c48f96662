"""A card terminal batch interrupted by killing the server leaves nothing; uploading it again posts it once.

The test runs a real Odoo server on the committed copy of the test database (tests/live_server.py).
To kill the server in the middle of a batch for certain, the test holds a row lock the batch needs
half-way: the clearing account's row, which the batch's ledger entries reference. The upload then
stops after its batch row, card locks and 1,000 payment operations are written, just before their
entries; the test sees it waiting, kills the whole server with SIGKILL and lets the lock go.
"""

import threading
import time
import uuid

import requests

from odoo.addons.city_card.tools import card_crypto

from .live_server import LiveServer, connect, live_db, shell_json

CARDS = 50
RECORDS = 1000
TOPUP = 100000  # fen per card
TAPPED_AT = "2026-11-20T07:30:00+08:00"
PATH = "/api/city/v1/card/terminal-batches"

SETUP = """
import json
import random

from odoo.addons.city_base.tests.common import make_resident_id

tag = {tag!r}
env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
Partner = env["res.partner"]
org = Partner.create({{"name": "断电测试商户 " + tag, "is_company": True}})
merchant = env["city.card.merchant"].create(
    {{"name": "断电测试食堂 " + tag, "code": "LIVE" + tag, "partner_id": org.id,
      "function_id": env.ref("city_card.function_merchant").id}}
)
terminal = env["city.card.terminal"].create({{"code": "LIVEPOS" + tag, "merchant_id": merchant.id}})
key = terminal._generate_key()
desk = env["city.card.desk"].create({{"name": "断电测试网点 " + tag, "code": "LD" + tag}})
grid = env["city.division"].search([("type", "=", "grid")], limit=1)
standard = env.ref("city_card.type_standard")
rng = random.Random(tag)
numbers = []
for index in range({cards}):
    while True:
        birth = "19%02d0%d1%d" % (rng.randint(40, 99), rng.randint(1, 9), rng.randint(0, 2))
        id_number = make_resident_id("220204", birth, "%03d" % rng.randint(0, 999))
        if not Partner.with_context(active_test=False).search_count([("resident_id_number", "=", id_number)]):
            break
    holder = Partner.create({{"name": "断电测试%d" % index, "is_resident": True, "resident_id_number": id_number,
                              "city_division_id": grid.id}})
    card = env["city.card"].create({{"partner_id": holder.id, "type_id": standard.id}})
    card.action_issue()
    card.action_activate()
    env["city.card.operation"]._topup(card, {topup}, desk=desk)
    numbers.append(card.number)
clearing = env["city.card.account"]._system_account("clearing")
env.cr.commit()
print("LIVE_RESULT=" + json.dumps({{"key": key, "terminal": terminal.id, "code": terminal.code,
                                    "numbers": numbers, "clearing": clearing.id}}))
"""


def _records(code, numbers):
    records = []
    for index in range(RECORDS):
        number = numbers[index % len(numbers)]
        serial, amount, counter = f"S{index:05d}", 100 + index % 7, 1 + index // len(numbers)
        mac = card_crypto.record_mac(card_crypto.card_key(number), number, amount, TAPPED_AT, code, serial, counter)
        records.append(
            {"serial": serial, "card": number, "amount": amount, "tapped_at": TAPPED_AT, "counter": counter, "mac": mac}
        )
    return records


def _state(db, terminal_id, numbers):
    """What the database holds of the terminal's uploads, and the ledger's invariants."""
    conn = connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """SELECT (SELECT count(*) FROM city_card_terminal_batch WHERE terminal_id = %(t)s),
                          (SELECT count(*) FROM city_card_offline_record WHERE terminal_id = %(t)s),
                          (SELECT count(*) FROM city_card_operation WHERE terminal_id = %(t)s),
                          (SELECT count(*) FROM city_card_entry e JOIN city_card_operation o ON o.id = e.operation_id
                            WHERE o.terminal_id = %(t)s)""",
                {"t": terminal_id},
            )
            batches, records, operations, entries = cr.fetchone()
            cr.execute(
                """SELECT c.number, c.last_counter, a.cached_balance FROM city_card c
                     JOIN city_card_account a ON a.card_id = c.id AND a.kind = 'purse_cash'
                    WHERE c.number = ANY(%s)""",
                [numbers],
            )
            cards = {number: (counter or 0, balance) for number, counter, balance in cr.fetchall()}
            cr.execute("SELECT COALESCE(SUM(amount), 0) FROM city_card_entry")
            total = cr.fetchone()[0]
            cr.execute(
                """SELECT count(*) FROM (SELECT a.id FROM city_card_account a
                     LEFT JOIN city_card_entry e ON e.account_id = a.id WHERE a.is_purse
                    GROUP BY a.id HAVING a.cached_balance <> COALESCE(SUM(e.amount), 0)) broken"""
            )
            drifted = cr.fetchone()[0]
    finally:
        conn.close()
    return {
        "batches": batches,
        "records": records,
        "operations": operations,
        "entries": entries,
        "cards": cards,
        "ledger_total": total,
        "drifted_purses": drifted,
    }


def _waiting_backend(db, timeout=60):
    """The backend of the live server waiting for a lock: ``(pid, query)``."""
    deadline = time.monotonic() + timeout
    conn = connect(db)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute(
                    """SELECT pid, query FROM pg_stat_activity
                        WHERE datname = %s AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()""",
                    [db],
                )
                row = cr.fetchone()
                if row:
                    return row
                time.sleep(0.05)
    finally:
        conn.close()
    raise AssertionError("the batch never reached the locked row")


def _backend_gone(db, pid, timeout=60):
    deadline = time.monotonic() + timeout
    conn = connect(db)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if not cr.fetchone():
                    return
                time.sleep(0.1)
    finally:
        conn.close()
    raise AssertionError(f"backend {pid} of the killed server is still there")


def test_killed_batch_leaves_nothing_and_reupload_posts_once():
    db = live_db()
    setup = shell_json(db, SETUP.format(tag=uuid.uuid4().hex[:8].upper(), cards=CARDS, topup=TOPUP))
    numbers, terminal_id = setup["numbers"], setup["terminal"]
    body = {"batch_id": "NIGHT-0001", "records": _records(setup["code"], numbers)}
    headers = {"Authorization": f"Bearer {setup['key']}"}
    before = _state(db, terminal_id, numbers)
    assert before["cards"] == {number: (0, TOPUP) for number in numbers}

    server = LiveServer(db).start()
    try:
        lock = connect(db)
        with lock.cursor() as cr:
            cr.execute("SELECT id FROM city_card_account WHERE id = %s FOR UPDATE", [setup["clearing"]])
        outcome = {}

        def upload():
            try:
                outcome["answer"] = server.request("POST", PATH, body, headers)
            except requests.RequestException as error:
                outcome["error"] = error

        thread = threading.Thread(target=upload, daemon=True)
        thread.start()
        pid, query = _waiting_backend(db)
        assert query.lstrip().startswith("INSERT INTO city_card_entry"), query
        server.kill()
        thread.join(30)
        assert "error" in outcome, f"the killed server answered: {outcome}"
        lock.rollback()
        lock.close()
        _backend_gone(db, pid)
    finally:
        server.stop()

    after_kill = _state(db, terminal_id, numbers)
    assert after_kill == before, "the killed batch left something behind"

    with LiveServer(db) as server:
        status, answer = server.request("POST", PATH, body, headers)
        assert status == 200, answer
        data = answer["data"]
        assert (data["replayed"], data["posted"], data["records"]) == (False, RECORDS, RECORDS)
        status, again = server.request("POST", PATH, body, headers)
        assert status == 200, again
        assert again["data"]["replayed"] is True
        assert again["data"]["results"] == data["results"]

    after = _state(db, terminal_id, numbers)
    assert (after["batches"], after["records"], after["operations"], after["entries"]) == (
        1,
        RECORDS,
        RECORDS,
        2 * RECORDS,
    )
    spent = {number: 0 for number in numbers}
    for record in body["records"]:
        spent[record["card"]] += record["amount"]
    per_card = RECORDS // CARDS
    assert after["cards"] == {number: (per_card, TOPUP - spent[number]) for number in numbers}
    assert (after["ledger_total"], after["drifted_purses"]) == (0, 0)
    assert {result["status"] for result in data["results"]} == {"posted"}
