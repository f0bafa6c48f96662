"""The demo city's one-card data: cards for most residents and a week of history.

Everything goes through the ledger engine's business operations, so the demo ledger satisfies
the same invariants as production data. Only this loader can tell the engine the posting time
(:data:`POSTING_TIME`, a context variable no request can set), to spread the week over its days.
"""

import contextlib
import contextvars
import datetime
import random

from odoo import fields

from .errors import CardError

SEED = 2026
DAYS = 7
POSTING_TIME = contextvars.ContextVar("city_card_demo_posting_time", default=None)


@contextlib.contextmanager
def posting_at(moment):
    token = POSTING_TIME.set(moment)
    try:
        yield
    finally:
        POSTING_TIME.reset(token)


def _at(day, hour, minute):
    """UTC datetime of a local (Asia/Shanghai) time ``day`` days ago."""
    local = datetime.datetime.combine(fields.Date.today() - datetime.timedelta(days=day), datetime.time(hour, minute))
    return min(local - datetime.timedelta(hours=8), fields.Datetime.now())


def _card_type(types, index, age):
    if index % 37 == 5 and 18 <= age < 65:
        return types["disabled"]
    if age >= 65:
        return types["senior"]
    if age <= 22:
        return types["student"]
    return types["standard"]


def _daily_plan(rng, card, bus, canteen, market, library):
    """What a card holder pays for on one day: ``[(merchant, amount, full fare), ...]``."""
    plan = []
    if rng.random() < 0.45:
        plan += [(bus, None, 200)] * rng.choice((1, 2))
    if card.partner_id.age >= 65 and rng.random() < 0.5:
        plan.append((canteen, rng.choice((800, 1000, 1200, 1500)), None))
    if rng.random() < 0.12:
        plan.append((market, rng.randint(350, 8800), None))
    if rng.random() < 0.03:
        plan.append((library, 500, None))
    return plan


def populate(env):
    rng = random.Random(SEED)
    ref = env.ref
    Card = env["city.card"].sudo()
    ops = env["city.card.operation"].sudo()
    types = {code: ref(f"city_card.type_{code}") for code in ("standard", "senior", "student", "disabled")}
    desks = [ref("city_card.city_card_desk_beishan_demo"), ref("city_card.city_card_desk_center_demo")]
    bus = ref("city_card.city_card_merchant_bus_demo")
    canteen = ref("city_card.city_card_merchant_canteen_demo")
    market = ref("city_card.city_card_merchant_market_demo")
    library = ref("city_card.city_card_merchant_library_demo")
    park = ref("city_card.city_card_merchant_park_demo")
    terminals = {
        bus: [ref(f"city_card.city_card_terminal_bus{n}_demo") for n in (1, 2, 3)],
        canteen: [ref("city_card.city_card_terminal_canteen_demo")],
        market: [ref("city_card.city_card_terminal_market_demo")],
        library: [ref("city_card.city_card_terminal_library_demo")],
        park: [ref("city_card.city_card_terminal_park_demo")],
    }
    resident_demo = ref("city_base.res_partner_resident_demo")
    residents = (
        env["res.partner"]
        .sudo()
        .search(
            [("is_resident", "=", True), ("birth_date", "!=", False), ("city_division_id", "!=", False)], order="id"
        )
    )
    # Cards for nine residents in ten (coverage stays honest: not everyone has one).
    cards = Card.browse()
    with_card = [r for index, r in enumerate(residents) if index % 10 != 7 or r == resident_demo]
    for index, resident in enumerate(with_card):
        card_type = _card_type(types, index, resident.age)
        card = Card.create({"partner_id": resident.id, "type_id": card_type.id, "desk_id": desks[index % 2].id})
        cards |= card
    # A few applications still in the pipeline; everything else issued and active.
    pending, active = cards[:3], cards[3:]
    pending[1:].action_issue()
    active.action_issue()
    active.action_activate()

    # Monthly elderly allowance (高龄津贴) for the 80+, spendable to the end of next month.
    month_end = (fields.Date.today().replace(day=1) + datetime.timedelta(days=62)).replace(day=1) - datetime.timedelta(
        days=1
    )
    for card in active.filtered(lambda c: c.partner_id.age >= 80):
        with posting_at(_at(DAYS, 8, 30)):
            ops._credit_subsidy(card, 10000, month_end, note="高龄津贴", key=f"demo-subsidy-{card.id}", scope="demo")
    # A first top-up at a desk.
    for card in active:
        with posting_at(_at(DAYS, rng.randint(8, 16), rng.randint(0, 59))):
            ops._topup(
                card,
                rng.choice((5000, 10000, 20000, 30000)),
                desk=desks[card.id % 2],
                key=f"demo-topup-{card.id}",
                scope="demo",
                note="现金",
            )
    # A week of everyday use.
    sequence = 0
    for day in range(DAYS - 1, -1, -1):
        for card in active:
            for merchant, amount, fare in _daily_plan(rng, card, bus, canteen, market, library):
                sequence += 1
                at = _at(day, rng.randint(6, 19), rng.randint(0, 59))
                try:
                    with posting_at(at):
                        ops._pay(
                            card,
                            merchant,
                            amount,
                            full_fare=fare,
                            terminal=rng.choice(terminals[merchant]),
                            key=f"demo-pay-{sequence}",
                            channel="terminal",
                        )
                except CardError as error:
                    if error.code != "insufficient_funds":
                        raise
    # Two-phase: a park ticket held and captured; a held ticket voided; a refunded purchase.
    buyers = active.filtered(lambda c: c._balances()["cash"] >= 3000)[:3]
    if len(buyers) == 3:
        with posting_at(_at(2, 10, 5)):
            hold = ops._pay(buyers[0], park, 3000, terminal=terminals[park][0], hold=True, key="demo-hold-1")[0]
        with posting_at(_at(2, 10, 6)):
            hold._capture(2000, key="demo-capture-1")
        with posting_at(_at(1, 15, 0)):
            hold = ops._pay(buyers[1], park, 2000, terminal=terminals[park][0], hold=True, key="demo-hold-2")[0]
        with posting_at(_at(1, 15, 2)):
            hold._void(key="demo-void-2")
        with posting_at(_at(1, 11, 20)):
            purchase = ops._pay(buyers[2], market, 2590, terminal=terminals[market][0], key="demo-pay-refund")[0]
        with posting_at(_at(1, 17, 45)):
            purchase._refund(2590, key="demo-refund-1", note="商品退货")
    # The resident demo user's card tells a story: topped up online, lost once and found.
    card = cards.filtered(lambda c: c.partner_id == resident_demo)
    if card.state == "active":
        with posting_at(_at(3, 20, 15)):
            ops._topup(
                card, 5000, channel="portal", source="gateway", key="demo-online-1", scope="demo", note="在线充值"
            )
    # Every past business day settled just after midnight; all but the last two paid out.
    Settlement = env["city.card.settlement"].sudo()
    for day in range(DAYS, 0, -1):
        with posting_at(_at(day - 1, 0, 30)):
            settlements = Settlement._settle(fields.Date.today() - datetime.timedelta(days=day))
        if day > 2:
            for merchant in settlements.merchant_id:
                with posting_at(_at(day - 1, 10, 0)):
                    settlements.filtered(lambda s, m=merchant: s.merchant_id == m).action_mark_paid()
    # Lifecycle variety: one lost, one frozen, one replaced after loss, one cancelled.
    tail = active.filtered(lambda c: c.partner_id != resident_demo)[-4:]
    if len(tail) == 4:
        tail[0].action_report_lost("市民电话挂失")
        tail[1].action_freeze("疑似盗刷，冻结核查")
        tail[2].action_report_lost("钱包遗失")
        new_card = tail[2].action_replace("挂失补卡")
        new_card.action_activate()
        tail[3].action_cancel(desk=desks[0], reason="迁出本市，销户退款")
