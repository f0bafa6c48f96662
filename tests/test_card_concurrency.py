"""Concurrent payers on one card through real HTTP workers: no overspend, no lost or doubled entries.

HttpCase requests share the test's transaction, so this test runs a real Odoo in multi-worker
mode on the committed copy of the test database that scripts/test makes (tests/live_server.py).
It

1. sets up, in ``odoo shell``: a resident with an active card holding 100 yuan, a merchant and a
   terminal with its key (read from the shell's stdout, never written down);
2. starts Odoo with 4 workers on free ports;
3. fires 48 payments of 1 to 7 yuan (about twice what the card holds) from 16 threads at once,
   each payment sent by two threads with the same idempotency key; a 5xx answer (Odoo gave up
   retrying a serialization failure) or a lost connection is retried with the same key;
4. checks the answers and the ledger: each key was posted once or refused in both its
   submissions, the accepted amounts equal what the purse lost and never exceed its balance, the
   purse's entries form one unbroken running balance that never goes negative, every operation
   balances and the ledger sums to zero.

The server is stopped at the end, whatever happens.
"""

import random
import threading
import time

import requests

from .live_server import LiveServer, connect, live_db, shell_json

BALANCE = 10000  # fen on the card
PAYMENTS = 48
THREADS = 16
WORKERS = 4
DEADLINE = 150  # seconds for all the payments
SETUP_MARKER = "LIVE_RESULT="

SETUP_CODE = """
import json
import random

from odoo.addons.city_base.tools.validators import resident_id_check_char

env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
tag = {tag!r}
Partner = env["res.partner"].with_context(active_test=False)
rng = random.Random()
while True:
    body = "220204" + "19%02d%02d%02d" % (rng.randint(50, 99), rng.randint(1, 12), rng.randint(1, 28))
    number = body + "%03d" % rng.randint(0, 999)
    number += resident_id_check_char(number)
    if not Partner.search_count([("resident_id_number", "=", number)]):
        break
holder = Partner.create(
    {{
        "name": "并发测试持卡人" + tag,
        "is_resident": True,
        "resident_id_number": number,
        "city_division_id": env.ref("city_base.city_division_chuanying").id,
    }}
)
org = Partner.create({{"name": "并发测试商户" + tag, "is_company": True}})
merchant = env["city.card.merchant"].create(
    {{
        "name": "并发测试商户" + tag,
        "code": "CC" + tag,
        "partner_id": org.id,
        "function_id": env.ref("city_card.function_merchant").id,
    }}
)
terminal = env["city.card.terminal"].create({{"code": "CCPOS" + tag, "merchant_id": merchant.id}})
key = terminal._generate_key()
desk = env["city.card.desk"].create({{"name": "并发测试网点" + tag, "code": "CCD" + tag}})
card = env["city.card"].create({{"partner_id": holder.id, "type_id": env.ref("city_card.type_standard").id}})
card.action_issue()
card.action_activate()
env["city.card.operation"].sudo()._topup(card, {balance!r}, desk=desk)
env.cr.commit()
result = {{"key": key, "card": card.number, "card_id": card.id, "terminal_id": terminal.id}}
result["purse_id"] = card._cash_purse().id
print({marker!r} + json.dumps(result))
"""


def submit(url, key, body, deadline):
    """POST until a final answer: (status, JSON body, attempts). 5xx and lost connections are retried."""
    attempts = 0
    while True:
        attempts += 1
        try:
            response = requests.post(url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=90)
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        if response.status_code >= 500 and time.monotonic() < deadline:
            time.sleep(0.2)
            continue
        return response.status_code, response.json(), attempts


def fire(url, key, card, payments):
    """Every payment sent by two of the threads, all threads starting together."""
    plans = [[] for _index in range(THREADS)]
    for index, (idem, amount) in enumerate(payments):
        body = {"card": card, "amount": amount, "idempotency_key": idem}
        plans[index % THREADS].append(body)
        plans[(index + 5) % THREADS].append(body)
    barrier = threading.Barrier(THREADS)
    deadline = time.monotonic() + DEADLINE
    answers, errors = [], []

    def payer(plan):
        try:
            barrier.wait(timeout=30)
            for body in plan:
                status, answer, attempts = submit(url, key, body, deadline)
                answers.append((body["idempotency_key"], body["amount"], status, answer, attempts))
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(repr(error))

    threads = [threading.Thread(target=payer, args=(plan,), daemon=True) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE + 60)
    assert not any(thread.is_alive() for thread in threads), "payers still running after the deadline"
    assert not errors, errors
    return answers


def test_parallel_payers_on_one_card():
    db = live_db()
    tag = format(int(time.time() * 1000) % 10**10, "d")
    setup = shell_json(db, SETUP_CODE.format(tag=tag, balance=BALANCE, marker=SETUP_MARKER), marker=SETUP_MARKER)
    rng = random.Random(20261124)
    payments = [(f"cc-{tag}-{index}", rng.randint(100, 700)) for index in range(PAYMENTS)]
    assert sum(amount for _key, amount in payments) > BALANCE, "the payers must ask for more than the card holds"

    started = time.monotonic()
    with LiveServer(db, workers=WORKERS) as server:
        answers = fire(f"{server.url}/api/city/v1/card/payments", setup["key"], setup["card"], payments)
    elapsed = time.monotonic() - started
    log = server.logfile.read_text(encoding="utf-8", errors="replace")

    # The answers: each key posted once (both its submissions name the same operation) or refused twice.
    by_key = {}
    for idem, amount, status, answer, _attempts in answers:
        by_key.setdefault(idem, []).append((amount, status, answer))
    assert len(by_key) == PAYMENTS and all(len(pair) == 2 for pair in by_key.values())
    accepted, refused = {}, set()
    for idem, pair in by_key.items():
        statuses = sorted(status for _amount, status, _answer in pair)
        if statuses == [422, 422]:
            assert {answer["error"]["code"] for _a, _s, answer in pair} == {"insufficient_funds"}, pair
            refused.add(idem)
            continue
        assert statuses in ([200, 201], [200, 200]), f"{idem}: {pair}"
        operations = {answer["data"]["operation_id"] for _a, _s, answer in pair}
        assert len(operations) == 1, f"{idem} answered with two operations: {pair}"
        accepted[idem] = (operations.pop(), pair[0][0])
    assert accepted and refused, f"the run must accept and refuse payments ({len(accepted)}, {len(refused)})"

    # The ledger of the live database.
    conn = connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT idem_key, id, amount, kind FROM city_card_operation WHERE idem_scope = %s",
                [f"terminal:{setup['terminal_id']}"],
            )
            posted = {idem: (op_id, amount, kind) for idem, op_id, amount, kind in cr.fetchall()}
            cr.execute("SELECT cached_balance FROM city_card_account WHERE id = %s", [setup["purse_id"]])
            final = cr.fetchone()[0]
            cr.execute(
                "SELECT amount, balance_after FROM city_card_entry WHERE account_id = %s ORDER BY id",
                [setup["purse_id"]],
            )
            purse_entries = cr.fetchall()
            cr.execute(
                """SELECT o.id, count(e.id), COALESCE(SUM(e.amount), 0) FROM city_card_operation o
                     LEFT JOIN city_card_entry e ON e.operation_id = o.id
                    WHERE o.card_id = %s GROUP BY o.id""",
                [setup["card_id"]],
            )
            per_operation = cr.fetchall()
            cr.execute("SELECT COALESCE(SUM(amount), 0) FROM city_card_entry")
            ledger_sum = cr.fetchone()[0]
    finally:
        conn.close()

    assert set(posted) == set(accepted), "posted keys differ from the accepted ones (lost or extra payments)"
    for idem, (op_id, amount) in accepted.items():
        assert posted[idem] == (op_id, amount, "payment"), idem
    spent = sum(amount for _op, amount in accepted.values())
    assert spent <= BALANCE, f"overspent: {spent} fen paid from {BALANCE}"
    assert final == BALANCE - spent >= 0, f"the purse holds {final}, expected {BALANCE - spent}"
    assert len(purse_entries) == 1 + len(accepted), "one purse entry per top-up and payment, no more, no less"
    running = 0
    for amount, balance_after in purse_entries:
        running += amount
        assert balance_after == running >= 0, "the purse's running balance is broken or negative"
    assert running == final
    assert all(count == 2 and total == 0 for _op, count, total in per_operation), per_operation
    assert ledger_sum == 0
    assert elapsed < DEADLINE + 60, f"took {elapsed:.0f}s"
    print(
        f"{len(accepted)} payments accepted ({spent} fen), {len(refused)} refused, "
        f"{sum(a[4] for a in answers) - len(answers)} client retries, "
        f"{log.count('SERIALIZATION_FAILURE')} server retries, {elapsed:.1f}s"
    )
