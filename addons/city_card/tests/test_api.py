"""The terminal API: online payments (one and two phases), refunds, idempotency, hotlist."""

import json

from odoo.tests import tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from ..models.city_card_operation import request_hash
from ..tools.card_crypto import luhn_check_digit
from .common import CardCase


@tagged("post_install", "-at_install")
class TestCardApi(CardCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway = cls.env.ref("city_card.user_card_gateway")
        cls.ops_model = cls.env["city.card.operation"].sudo()
        cls.ops_model._topup(cls.card_a, 10000, desk=cls.desk)

    def setUp(self):
        super().setUp()
        self.sequence = 0

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def key(self):
        self.sequence += 1
        return f"test-{self.sequence}"

    def pay_api(self, amount=None, card=None, key=None, terminal_key=None, **extra):
        card = card or self.card_a
        body = {
            "card": card if isinstance(card, str) else card.number,
            "idempotency_key": self.key() if key is None else key,
            **extra,
        }
        if amount is not None:
            body["amount"] = amount
        return self.api("POST", "/card/payments", body, key=terminal_key or self.canteen_key)

    def assertError(self, result, status, code):
        got_status, body = result
        self.assertEqual(got_status, status, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertTrue(body["error"]["message"])
        return body

    def assertCreated(self, result, kind, amount):
        status, body = result
        self.assertEqual(status, 201, body)
        self.assertFalse(body["replayed"])
        self.assertEqual((body["data"]["kind"], body["data"]["amount"]), (kind, amount), body)
        return body["data"]

    def counts(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT (SELECT count(*) FROM city_card_operation), (SELECT count(*) FROM city_card_entry)")
        return self.env.cr.fetchone()

    def cash(self, card=None):
        return (card or self.card_a)._balances()["cash"]

    # ------------------------------------------------------------------
    # Description and authentication
    # ------------------------------------------------------------------
    def test_openapi(self):
        status, document = self.api("GET", "/openapi.json")
        self.assertEqual(status, 200)
        from openapi_spec_validator import validate

        validate(document)
        for path in (
            "/card/payments",
            "/card/payments/{id}",
            "/card/payments/{id}/capture",
            "/card/payments/{id}/void",
            "/card/payments/{id}/refund",
            "/card/hotlist",
        ):
            self.assertIn(path, document["paths"])
            for operation in document["paths"][path].values():
                self.assertEqual(operation["security"], [{"terminalKey": []}])
        self.assertIn("terminalKey", document["components"]["securitySchemes"])
        codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
        for code in ("insufficient_funds", "idempotency_conflict", "card_unknown", "merchant_inactive"):
            self.assertIn(code, codes)

    def test_authentication(self):
        before = self.counts()
        self.assertError(self.api("POST", "/card/payments", {"card": self.card_a.number}), 401, "unauthorized")
        self.assertError(self.pay_api(100, terminal_key="TPOS0001.wrong-secret"), 401, "unauthorized")
        self.assertError(self.pay_api(100, terminal_key="no-dot"), 401, "unauthorized")
        self.assertError(self.api("GET", "/card/hotlist", key=self.api_key(self.card_manager)), 401, "unauthorized")
        # authentication comes before reading the body
        self.assertError(self.api("POST", "/card/payments", data="{oops", key="x.y"), 401, "unauthorized")
        self.canteen_terminal.action_revoke_key()
        self.assertError(self.pay_api(100), 401, "unauthorized")
        new_key = self.canteen_terminal._generate_key()
        self.assertCreated(self.pay_api(100, terminal_key=new_key), "payment", 100)
        self.bus_terminal.active = False
        self.assertError(self.api("GET", "/card/hotlist", key=self.bus_key), 401, "unauthorized")
        self.assertEqual(self.counts()[0], before[0] + 1)

    def test_suspended_merchant(self):
        payment = self.assertCreated(self.pay_api(300), "payment", 300)
        self.canteen.state = "suspended"
        self.assertError(self.pay_api(100), 403, "merchant_inactive")
        # reads and money going back to the card still work
        self.assertEqual(self.api("GET", f"/card/payments/{payment['operation_id']}", key=self.canteen_key)[0], 200)
        self.assertEqual(self.api("GET", "/card/hotlist", key=self.canteen_key)[0], 200)
        refund = self.api(
            "POST", f"/card/payments/{payment['operation_id']}/refund", {"idempotency_key": "r"}, key=self.canteen_key
        )
        self.assertEqual(refund[0], 201, refund)
        self.assertEqual(self.cash(), 10000)

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    def test_payment(self):
        self.assertFalse(self.canteen_terminal.last_seen_at)
        data = self.assertCreated(self.pay_api(350), "payment", 350)
        self.assertEqual(data["card"], self.card_a.number)
        self.assertEqual(data["balance"], {"cash": 9650, "subsidy": 0, "total": 9650})
        operation = self.ops_model.browse(data["operation_id"])
        self.assertEqual(operation.terminal_id, self.canteen_terminal)
        self.assertEqual(operation.merchant_id, self.canteen)
        self.assertEqual(operation.channel, "terminal")
        self.assertEqual(operation.user_id, self.gateway, "terminal work is recorded as the gateway user")
        self.assertEqual(
            operation.request_hash,
            request_hash(
                {
                    "op": "payment",
                    "card": self.card_a.number,
                    "merchant": self.canteen.id,
                    "terminal": self.canteen_terminal.id,
                    "amount": 350,
                    "full_fare": None,
                }
            ),
        )
        self.assertEqual(json.loads(operation.response), operation._response(), "the stored answer is the engine's")
        self.assertTrue(self.canteen_terminal.last_seen_at)
        status, body = self.api("GET", f"/card/payments/{operation.id}", key=self.canteen_key)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["refundable_amount"], 350)
        self.assertEqual(body["data"]["terminal"], "TPOS0001")
        self.assertEqual(body["data"]["related"], [])
        self.assertEqual(self.cash(), 9650)
        self.assertLedgerSound()

    def test_fast_path_posts_what_the_engine_posts(self):
        """The API's direct posting of a plain payment writes the same rows as the engine's ``_pay``."""
        self.ops_model._topup(self.card_b, 10000, desk=self.desk)
        self.ops_model._credit_subsidy(self.card_a, 100, "2099-12-31")
        self.ops_model._credit_subsidy(self.card_b, 100, "2099-12-31")
        fast = self.assertCreated(self.pay_api(350, key="same-key"), "payment", 350)
        engine_ops = self.env["city.card.operation"].with_user(self.gateway).sudo()
        engine, engine_answer, _replayed = engine_ops._pay(
            self.card_b,
            self.canteen,
            350,
            terminal=self.canteen_terminal,
            key="other-key",
            scope=f"terminal:{self.canteen_terminal.id}",
        )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("SELECT * FROM city_card_operation WHERE id IN %s ORDER BY id", [(fast["operation_id"], engine.id)])
        columns = [column.name for column in cr.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cr.fetchall()]
        # write_uid: the ORM stamps the environment that flushes the engine's response write
        differ = {"id", "card_id", "idem_key", "request_hash", "response", "posted_at", "create_date", "write_date"}
        differ.add("write_uid")
        self.assertEqual(*[{k: v for k, v in row.items() if k not in differ} for row in rows])
        self.assertEqual(rows[0]["idem_scope"], f"terminal:{self.canteen_terminal.id}")
        answers = [json.loads(row["response"]) for row in rows]
        self.assertEqual(answers[0], fast)
        self.assertEqual(answers[1], engine_answer)
        for answer in answers:
            answer.pop("operation_id")
            answer.pop("card")
            answer.pop("posted_at")
        self.assertEqual(answers[0], answers[1])
        cr.execute(
            """SELECT e.operation_id, a.kind, a.expires_on, e.kind, e.amount, e.balance_after,
                      e.card_id IS NOT NULL, e.posted_at = o.posted_at
                 FROM city_card_entry e JOIN city_card_account a ON a.id = e.account_id
                 JOIN city_card_operation o ON o.id = e.operation_id
                WHERE e.operation_id IN %s ORDER BY e.id""",
            [(fast["operation_id"], engine.id)],
        )
        entries = cr.fetchall()
        self.assertEqual(
            [row[1:] for row in entries if row[0] == fast["operation_id"]],
            [row[1:] for row in entries if row[0] == engine.id],
        )
        self.assertEqual(len(entries), 6)  # subsidy, cash, clearing each
        self.assertLedgerSound()

    def test_payment_subsidy_first(self):
        self.ops_model._credit_subsidy(self.card_a, 200, "2099-12-31")
        self.ops_model._credit_subsidy(self.card_a, 300, "2098-12-31")
        # the bus does not take subsidies: cash only
        data = self.assertCreated(self.pay_api(100, terminal_key=self.bus_key), "payment", 100)
        self.assertEqual(data["balance"], {"cash": 9900, "subsidy": 500, "total": 10400})
        # the canteen does: the earliest expiry first, then the next, then cash
        data = self.assertCreated(self.pay_api(600), "payment", 600)
        self.assertEqual(data["balance"], {"cash": 9800, "subsidy": 0, "total": 9800})
        operation = self.ops_model.browse(data["operation_id"])
        taken = {(e.account_id.kind, str(e.account_id.expires_on or "")): e.amount for e in operation.entry_ids}
        self.assertEqual(
            taken,
            {
                ("purse_subsidy", "2098-12-31"): -300,
                ("purse_subsidy", "2099-12-31"): -200,
                ("purse_cash", ""): -100,
                ("clearing", ""): 600,
            },
        )
        # an expired subsidy purse (not swept yet) neither pays nor counts
        self.ops_model._credit_subsidy(self.card_a, 400, "2099-12-31")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE city_card_account SET expires_on = current_date - 1 WHERE card_id = %s AND kind = 'purse_subsidy'",
            [self.card_a.id],
        )
        self.env.invalidate_all()
        data = self.assertCreated(self.pay_api(50), "payment", 50)
        self.assertEqual(data["balance"], {"cash": 9750, "subsidy": 0, "total": 9750})
        self.assertLedgerSound()

    def test_idempotent_replay_and_conflict(self):
        status, first = self.pay_api(250, key="till-7-0001")
        self.assertEqual(status, 201, first)
        before = self.counts()
        status, again = self.pay_api(250, key="till-7-0001")
        self.assertEqual(status, 200, again)
        self.assertTrue(again["replayed"])
        self.assertEqual(again["data"], first["data"])
        self.assertEqual(self.counts(), before, "a replay posts nothing")
        self.assertError(self.pay_api(260, key="till-7-0001"), 409, "idempotency_conflict")
        self.assertError(self.pay_api(250, key="till-7-0001", capture=False), 409, "idempotency_conflict")
        # keys belong to a terminal: another terminal may use the same key for its own request
        self.assertCreated(self.pay_api(full_fare=200, key="till-7-0001", terminal_key=self.bus_key), "payment", 200)
        self.assertEqual(self.cash(), 10000 - 250 - 200)
        self.assertLedgerSound()

    def test_two_phase_capture(self):
        hold = self.assertCreated(self.pay_api(1000, capture=False, hold_minutes=10), "hold", 1000)
        self.assertEqual(hold["hold_state"], "pending")
        self.assertTrue(hold["hold_expires_at"])
        self.assertEqual(self.cash(), 9000)
        path = f"/card/payments/{hold['operation_id']}"
        self.assertError(
            self.api("POST", f"{path}/capture", {"amount": 1200, "idempotency_key": "c0"}, key=self.canteen_key),
            422,
            "capture_exceeds",
        )
        status, body = self.api(
            "POST", f"{path}/capture", {"amount": 800, "idempotency_key": "c1"}, key=self.canteen_key
        )
        capture = self.assertCreated((status, body), "capture", 800)
        self.assertEqual(capture["original_id"], hold["operation_id"])
        self.assertEqual(capture["balance"]["cash"], 9200, "the rest of the hold goes back")
        replay = self.api("POST", f"{path}/capture", {"amount": 800, "idempotency_key": "c1"}, key=self.canteen_key)
        self.assertEqual((replay[0], replay[1]["replayed"], replay[1]["data"]), (200, True, capture))
        self.assertError(
            self.api("POST", f"{path}/capture", {"idempotency_key": "c2"}, key=self.canteen_key),
            409,
            "hold_not_pending",
        )
        self.assertError(
            self.api("POST", f"{path}/void", {"idempotency_key": "v1"}, key=self.canteen_key), 409, "hold_not_pending"
        )
        status, body = self.api("GET", path, key=self.canteen_key)
        self.assertEqual(body["data"]["hold_state"], "captured")
        self.assertEqual([(r["kind"], r["amount"]) for r in body["data"]["related"]], [("capture", 800)])
        self.assertLedgerSound()

    def test_two_phase_void(self):
        hold = self.assertCreated(self.pay_api(600, capture=False), "hold", 600)
        path = f"/card/payments/{hold['operation_id']}/void"
        void = self.assertCreated(self.api("POST", path, {"idempotency_key": "v"}, key=self.canteen_key), "void", 600)
        self.assertEqual(void["balance"]["cash"], 10000)
        replay = self.api("POST", path, {"idempotency_key": "v"}, key=self.canteen_key)
        self.assertEqual((replay[0], replay[1]["data"]), (200, void))
        self.assertError(
            self.api("POST", path.replace("void", "capture"), {"idempotency_key": "c"}, key=self.canteen_key),
            409,
            "hold_not_pending",
        )
        # a payment is not a hold
        payment = self.assertCreated(self.pay_api(100), "payment", 100)
        self.assertError(
            self.api(
                "POST",
                f"/card/payments/{payment['operation_id']}/void",
                {"idempotency_key": "v2"},
                key=self.canteen_key,
            ),
            409,
            "hold_not_pending",
        )
        self.assertLedgerSound()

    def test_hold_minutes_only_for_holds(self):
        self.assertError(self.pay_api(100, hold_minutes=5), 400, "malformed")
        self.assertError(self.pay_api(100, capture=False, hold_minutes=10081), 400, "amount_invalid")

    def test_refund(self):
        payment = self.assertCreated(self.pay_api(500), "payment", 500)
        path = f"/card/payments/{payment['operation_id']}/refund"
        refund = self.assertCreated(
            self.api("POST", path, {"amount": 200, "idempotency_key": "r1"}, key=self.canteen_key), "refund", 200
        )
        self.assertEqual(refund["balance"]["cash"], 9700)
        self.assertError(
            self.api("POST", path, {"amount": 400, "idempotency_key": "r2"}, key=self.canteen_key),
            409,
            "refund_exceeds",
        )
        self.assertCreated(self.api("POST", path, {"idempotency_key": "r3"}, key=self.canteen_key), "refund", 300)
        self.assertError(
            self.api("POST", path, {"amount": 1, "idempotency_key": "r4"}, key=self.canteen_key), 409, "refund_exceeds"
        )
        status, body = self.api("GET", f"/card/payments/{payment['operation_id']}", key=self.canteen_key)
        self.assertEqual((body["data"]["refunded_amount"], body["data"]["refundable_amount"]), (500, 0))
        self.assertEqual([r["amount"] for r in body["data"]["related"]], [200, 300])
        # a captured hold is refunded through its capture
        hold = self.assertCreated(self.pay_api(400, capture=False), "hold", 400)
        hold_path = f"/card/payments/{hold['operation_id']}"
        self.api("POST", f"{hold_path}/capture", {"idempotency_key": "c"}, key=self.canteen_key)
        refund = self.assertCreated(
            self.api("POST", f"{hold_path}/refund", {"amount": 150, "idempotency_key": "r5"}, key=self.canteen_key),
            "refund",
            150,
        )
        self.assertEqual(self.cash(), 10000 - 400 + 150)
        # a pending hold cannot be refunded
        pending = self.assertCreated(self.pay_api(100, capture=False), "hold", 100)
        self.assertError(
            self.api(
                "POST",
                f"/card/payments/{pending['operation_id']}/refund",
                {"idempotency_key": "r6"},
                key=self.canteen_key,
            ),
            409,
            "not_refundable",
        )
        self.assertLedgerSound()

    def test_other_merchant_operations_are_not_found(self):
        ride = self.assertCreated(self.pay_api(full_fare=200, terminal_key=self.bus_key), "payment", 200)
        path = f"/card/payments/{ride['operation_id']}"
        before = self.counts()
        self.assertError(self.api("GET", path, key=self.canteen_key), 404, "not_found")
        for action in ("capture", "void", "refund"):
            self.assertError(
                self.api("POST", f"{path}/{action}", {"idempotency_key": action}, key=self.canteen_key),
                404,
                "not_found",
            )
        self.assertError(self.api("GET", "/card/payments/999999999", key=self.canteen_key), 404, "not_found")
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.api("GET", path, key=self.bus_key)[0], 200)

    def test_full_fare(self):
        self.assertError(self.pay_api(full_fare=200), 400, "amount_invalid")  # the canteen is not transit
        student = self.make_card(
            self.make_resident("王小明", birth="20080101", sequence="071"), self.env.ref("city_card.type_student")
        )
        self.ops_model._topup(student, 1000, desk=self.desk)
        self.assertCreated(self.pay_api(full_fare=200, card=student, terminal_key=self.bus_key), "payment", 100)
        senior = self.make_card(
            self.make_resident("刘老伯", birth="19500101", sequence="081"), self.env.ref("city_card.type_senior")
        )
        status, body = self.pay_api(full_fare=200, card=senior, terminal_key=self.bus_key)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["data"]["free_ride"])
        self.assertIsNone(body["data"]["operation_id"])

    # ------------------------------------------------------------------
    # Refusals: nothing is posted
    # ------------------------------------------------------------------
    def test_malformed_requests(self):
        before = self.counts()
        self.assertError(self.api("POST", "/card/payments", data="{not json", key=self.canteen_key), 400, "malformed")
        self.assertError(self.api("POST", "/card/payments", data="[1]", key=self.canteen_key), 400, "malformed")
        body = self.assertError(self.pay_api(100, key=""), 400, "malformed")
        self.assertEqual(body["error"]["details"]["field"], "idempotency_key")
        self.assertError(
            self.api("POST", "/card/payments", {"card": self.card_a.number, "amount": 1}, key=self.canteen_key),
            400,
            "malformed",
        )
        self.assertError(
            self.api("POST", "/card/payments", {"amount": 1, "idempotency_key": "k"}, key=self.canteen_key),
            400,
            "malformed",
        )
        self.assertError(self.pay_api(), 400, "malformed")  # neither amount nor full_fare
        self.assertError(self.pay_api(100, full_fare=100), 400, "malformed")
        self.assertError(self.pay_api("100"), 400, "malformed")
        self.assertError(self.pay_api(1.5), 400, "malformed")
        self.assertError(self.pay_api(-5), 400, "malformed")
        self.assertError(self.pay_api(True), 400, "malformed")
        self.assertError(self.pay_api(100, capture="yes"), 400, "malformed")
        self.assertError(self.pay_api(100, card="1234"), 400, "card_invalid")
        unknown = "2202" + "9" * 14
        self.assertError(self.pay_api(100, card=unknown + luhn_check_digit(unknown)), 404, "card_unknown")
        self.assertError(self.pay_api(100_000_000), 422, "amount_invalid")  # over the payment limit
        self.assertError(self.api("GET", "/card/hotlist?since=x", key=self.canteen_key), 400, "malformed")
        self.assertError(self.api("GET", "/card/hotlist?since=-1", key=self.canteen_key), 400, "malformed")
        self.assertEqual(self.counts(), before)

    def test_insufficient_funds(self):
        self.ops_model._topup(self.card_b, 100, desk=self.desk)
        before = self.counts()
        body = self.assertError(self.pay_api(500, card=self.card_b), 422, "insufficient_funds")
        self.assertIn("1.00", body["error"]["message"])
        self.assertEqual(self.counts(), before, "nothing posted")
        self.assertEqual(self.cash(self.card_b), 100)
        # the refused key was not used up: the same request succeeds after a top-up
        self.ops_model._topup(self.card_b, 1000, desk=self.desk)
        self.assertCreated(self.pay_api(500, card=self.card_b, key=self.key()), "payment", 500)
        self.assertError(self.pay_api(2000, card=self.card_b, capture=False), 422, "insufficient_funds")
        self.assertLedgerSound()

    def test_hotlisted_card_refused(self):
        self.ops_model._topup(self.card_b, 1000, desk=self.desk)
        self.card_b.action_report_lost()
        before = self.counts()
        self.assertError(self.pay_api(100, card=self.card_b), 409, "card_not_active")
        self.card_b.action_unblock()
        self.card_b.action_freeze()
        self.assertError(self.pay_api(100, card=self.card_b, capture=False), 409, "card_not_active")
        self.assertEqual(self.counts(), before)

    def test_function_disabled(self):
        self.card_a.function_ids -= self.env.ref("city_card.function_transit")
        before = self.counts()
        self.assertError(self.pay_api(full_fare=200, terminal_key=self.bus_key), 409, "function_disabled")
        self.assertEqual(self.counts(), before)
        self.assertCreated(self.pay_api(100), "payment", 100)  # the canteen needs the merchant function only

    # ------------------------------------------------------------------
    # Hotlist
    # ------------------------------------------------------------------
    def test_hotlist_delta_after_loss(self):
        # a hotlist that already has a version (with none, version 0 would ask for the full list again)
        self.make_card(self.make_resident("郑丢卡", sequence="131")).action_report_lost()
        status, body = self.api("GET", "/card/hotlist", key=self.bus_key)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["data"]["full"])
        self.assertNotIn(self.card_b.number, [entry["card"] for entry in body["data"]["entries"]])
        version = body["data"]["version"]
        self.assertEqual(self.bus_terminal.hotlist_version, version)
        # the holder reports the card lost (in the portal): terminals see it in the next delta
        self.card_b.action_report_lost()
        status, body = self.api("GET", f"/card/hotlist?since={version}", key=self.bus_key)
        self.assertEqual(status, 200, body)
        entries = body["data"]["entries"]
        self.assertEqual(
            [(e["card"], e["action"], e["reason"]) for e in entries], [(self.card_b.number, "block", "lost")]
        )
        self.assertFalse(body["data"]["full"])
        self.assertGreater(body["data"]["version"], version)
        self.assertEqual(self.bus_terminal.hotlist_version, body["data"]["version"])
        # found again: the next delta unblocks it; nothing new after that
        self.card_b.action_unblock()
        status, body = self.api("GET", f"/card/hotlist?since={body['data']['version']}", key=self.bus_key)
        self.assertEqual([(e["card"], e["action"]) for e in body["data"]["entries"]], [(self.card_b.number, "unblock")])
        status, body = self.api("GET", f"/card/hotlist?since={body['data']['version']}&limit=5", key=self.bus_key)
        self.assertEqual(body["data"]["entries"], [])
