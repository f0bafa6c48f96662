"""Property-based test of the ledger: random interleavings of every operation, invariants after each step.

The default run tries a few hundred operations; ``CITY_SLOW_TESTS=1`` runs the slow mode (over
10,000 operations). Each example starts from the same fixture inside a savepoint and checks, after
every step: conservation (the ledger sums to zero, every operation balances), derivation (each
purse's cached balance equals its entries), no negative purse, and the model's expectation of
every card's money and of which payments must be refused.
"""

import datetime
import os

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import TransactionCase, tagged

from ..tools.errors import CardError
from .common import CardCase

SLOW = os.environ.get("CITY_SLOW_TESTS") == "1"
EXAMPLES = 120 if SLOW else 12
MIN_STEPS, MAX_STEPS = (80, 200) if SLOW else (5, 30)  # slow mode: about 16,000 operations
START = datetime.datetime(2026, 3, 1, 8, 0, 0)

amounts = st.integers(min_value=1, max_value=3000)
step = st.one_of(
    st.tuples(st.just("topup"), st.integers(0, 1), amounts),
    st.tuples(st.just("pay"), st.integers(0, 1), amounts, st.booleans()),
    st.tuples(st.just("hold"), st.integers(0, 1), amounts, st.integers(1, 120)),
    st.tuples(st.just("capture"), st.integers(0, 50), st.integers(0, 3000)),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(st.just("refund"), st.integers(0, 50), st.integers(0, 3000)),
    st.tuples(st.just("subsidy"), st.integers(0, 1), amounts, st.integers(0, 20)),
    st.tuples(st.just("replay"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("expire"), st.integers(1, 72)),
)


@tagged("post_install", "-at_install")
class TestLedgerProperties(CardCase, TransactionCase):
    def _purse_total(self, card):
        """All money in the card's purses, expired subsidies not yet swept included."""
        return sum(card.account_ids.filtered("is_purse").mapped("cached_balance"))

    def _spendable(self, card, merchant):
        balances = card._balances()
        return balances["total"] if merchant.accepts_subsidy else balances["cash"]

    def _run(self, steps):
        self.cards = [self.card_a, self.card_b]
        self.merchants = [self.canteen, self.bus]
        self.expected = {card.id: self._purse_total(card) for card in self.cards}
        self.history = []  # (call, args, key) of keyed requests that were posted, for replays
        self.payments, self.holds = [], []
        self.now = START
        for index, item in enumerate(steps):
            self.now += datetime.timedelta(minutes=7)
            with freeze_time(self.now):
                getattr(self, f"_step_{item[0]}")(index, *item[1:])
            self.assertLedgerSound()
            for card in self.cards:
                self.assertEqual(self._purse_total(card), self.expected[card.id], f"step {index}: {item}")

    def _step_topup(self, index, card_index, amount):
        card, key = self.cards[card_index], f"k{index}"
        try:
            self.ops._topup(card, amount, desk=self.desk, key=key)
        except CardError as error:
            self.assertEqual(error.code, "balance_limit")
        else:
            self.expected[card.id] += amount
            self.history.append(("topup", (card, amount), key))

    def _step_pay(self, index, card_index, amount, _capture, hold=False, minutes=None):
        card, key = self.cards[card_index], f"k{index}"
        merchant = self.merchants[index % 2]
        spendable = self._spendable(card, merchant)
        try:
            operation = self.ops._pay(card, merchant, amount, key=key, hold=hold, hold_minutes=minutes)[0]
        except CardError as error:
            self.assertEqual(error.code, "insufficient_funds")
            self.assertGreater(amount, spendable, "a payment within the balance was refused")
        else:
            self.assertLessEqual(amount, spendable, "a payment beyond the balance was accepted")
            self.expected[card.id] -= amount
            (self.holds if hold else self.payments).append(operation)
            self.history.append(("hold" if hold else "pay", (card, merchant, amount, minutes), key))

    def _step_hold(self, index, card_index, amount, minutes):
        self._step_pay(index, card_index, amount, False, hold=True, minutes=minutes)

    def _step_capture(self, index, pick, amount):
        if not self.holds:
            return
        hold = self.holds[pick % len(self.holds)]
        amount = amount % hold.amount + 1
        try:
            capture = hold._capture(amount)[0]
        except CardError as error:
            self.assertIn(error.code, ("hold_not_pending", "hold_expired"))
            self.assertTrue(hold.hold_state != "pending" or hold.hold_expires_at < self.now)
        else:
            self.expected[hold.card_id.id] += hold.amount - amount
            self.payments.append(capture)

    def _step_void(self, index, pick):
        if not self.holds:
            return
        hold = self.holds[pick % len(self.holds)]
        try:
            hold._void()
        except CardError as error:
            self.assertEqual(error.code, "hold_not_pending")
            self.assertNotEqual(hold.hold_state, "pending")
        else:
            self.expected[hold.card_id.id] += hold.amount

    def _step_refund(self, index, pick, amount):
        if not self.payments:
            return
        payment = self.payments[pick % len(self.payments)]
        left = payment.amount - payment.refunded_amount
        amount = amount % (payment.amount + 1) or None
        try:
            payment._refund(amount)
        except CardError as error:
            self.assertIn(error.code, ("refund_exceeds", "amount_invalid"))
            self.assertTrue(left == 0 or (amount or left) > left)
        else:
            self.expected[payment.card_id.id] += amount or left

    def _step_subsidy(self, index, card_index, amount, days):
        card, key = self.cards[card_index], f"k{index}"
        expires = (self.now + datetime.timedelta(days=days)).date()
        self.ops._credit_subsidy(card, amount, expires, key=key)
        self.expected[card.id] += amount
        self.history.append(("subsidy", (card, amount, expires), key))

    def _step_replay(self, index, pick, same):
        if not self.history:
            return
        call, args, old_key = self.history[pick % len(self.history)]
        before = {card.id: self._purse_total(card) for card in self.cards}
        if same:  # the same request again: the original result, nothing posted
            count = self.env["city.card.entry"].search_count([])
            self._call(call, args, old_key)
            self.assertEqual(self.env["city.card.entry"].search_count([]), count)
        else:  # another request under the same key: 409
            with self.assertRaises(CardError) as caught:
                self._call(call, args, old_key, changed=True)
            self.assertEqual(caught.exception.code, "idempotency_conflict")
        self.assertEqual(before, {card.id: self._purse_total(card) for card in self.cards})

    def _step_expire(self, index, hours):
        self.now += datetime.timedelta(hours=hours)
        with freeze_time(self.now):
            for operation in self.ops._expire_subsidies():
                self.expected[operation.card_id.id] -= operation.amount
            for hold in self.ops._expire_holds():
                self.expected[hold.card_id.id] += hold.amount

    def _call(self, call, args, key, changed=False):
        delta = 1 if changed else 0
        if call == "topup":
            card, amount = args
            return self.ops._topup(card, amount + delta, desk=self.desk, key=key)
        if call == "subsidy":
            card, amount, expires = args
            return self.ops._credit_subsidy(card, amount + delta, expires, key=key)
        card, merchant, amount, minutes = args
        return self.ops._pay(card, merchant, amount + delta, key=key, hold=call == "hold", hold_minutes=minutes)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not SLOW,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(step, min_size=MIN_STEPS, max_size=MAX_STEPS))
    def test_random_interleavings_keep_every_invariant(self, steps):
        self.env["ir.config_parameter"].sudo().set_param("city_card.max_cash_balance", "20000")
        with self.env.cr.savepoint(flush=False) as savepoint:
            self._run(steps)
            savepoint.rollback()
        self.env.invalidate_all()
