"""Offline batch upload of card terminals, its exception queue and the upload API."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from ..tools import card_crypto
from ..tools.errors import CardError
from .common import CardCase

TAPPED_AT = "2026-11-20T08:15:00+08:00"


class BatchMixin:
    """Builds tap records with the MAC a card computes (the card's key from the master key)."""

    def record(self, serial, card, amount, counter, terminal=None, tapped_at=TAPPED_AT, **overrides):
        terminal = terminal or self.canteen_terminal
        key = card_crypto.card_key(card.number)
        data = {
            "serial": str(serial),
            "card": card.number,
            "amount": amount,
            "tapped_at": tapped_at,
            "counter": counter,
            "mac": card_crypto.record_mac(key, card.number, amount, tapped_at, terminal.code, str(serial), counter),
        }
        data.update(overrides)
        return data

    def ingest(self, records, batch_id="B1", terminal=None):
        batches = self.env["city.card.terminal.batch"].sudo()
        return batches._ingest(terminal or self.canteen_terminal, batch_id, records)

    def offline(self, serial, terminal=None):
        terminal = terminal or self.canteen_terminal
        return (
            self.env["city.card.offline.record"]
            .sudo()
            .search([("terminal_id", "=", terminal.id), ("serial", "=", str(serial))])
        )

    def counts(self):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("SELECT (SELECT count(*) FROM city_card_operation), (SELECT count(*) FROM city_card_entry)")
        return cr.fetchone()


@tagged("post_install", "-at_install")
class TestTerminalBatch(BatchMixin, CardCase, TransactionCase):
    def test_valid_batch_posts_exactly_once(self):
        self.topup(self.card_a, 10000)
        self.topup(self.card_b, 5000)
        before = self.counts()
        answer, replayed = self.ingest(
            [
                self.record(1, self.card_a, 1000, 1),
                self.record(2, self.card_b, 500, 1),
                self.record(3, self.card_a, 200, 2),
            ]
        )
        self.assertFalse(replayed)
        self.assertEqual((answer["records"], answer["posted"], answer["exceptions"]), (3, 3, 0))
        self.assertEqual(answer["posted_amount"], 1700)
        self.assertEqual([r["status"] for r in answer["results"]], ["posted"] * 3)
        self.assertEqual([r["serial"] for r in answer["results"]], ["1", "2", "3"])
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 6))
        self.assertEqual(self.card_a._balances()["cash"], 8800)
        self.assertEqual(self.card_b._balances()["cash"], 4500)
        operation = self.env["city.card.operation"].browse(answer["results"][0]["operation_id"])
        self.assertEqual(
            (operation.kind, operation.channel, operation.merchant_id, operation.terminal_id, operation.amount),
            ("payment", "offline", self.canteen, self.canteen_terminal, 1000),
        )
        self.assertEqual(operation.idem_scope, f"offline:{self.canteen_terminal.id}")
        self.assertEqual(operation.external_ref, "TPOS0001/1")
        self.assertEqual((self.card_a.last_counter, self.card_b.last_counter), (2, 1))
        record = self.offline(1)
        self.assertEqual((record.state, record.operation_id, record.card_id), ("posted", operation, self.card_a))
        batch = record.batch_id
        self.assertEqual((batch.name, batch.record_count, batch.posted_count, batch.posted_amount), ("B1", 3, 3, 1700))
        self.assertLedgerSound()

    def test_whole_batch_replay(self):
        self.topup(self.card_a, 10000)
        records = [self.record(1, self.card_a, 300, 1), self.record(2, self.card_a, 400, 2)]
        answer, _replayed = self.ingest(records)
        before = self.counts()
        again, replayed = self.ingest(records)
        self.assertTrue(replayed)
        self.assertEqual(again, answer)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.card_a._balances()["cash"], 9300)
        with self.assertRaises(CardError) as caught:
            self.ingest([self.record(1, self.card_a, 300, 1)])
        self.assertEqual((caught.exception.code, caught.exception.status), ("idempotency_conflict", 409))
        self.assertEqual(self.counts(), before)
        self.assertLedgerSound()

    def test_record_replay_answers_original_outcome(self):
        self.topup(self.card_a, 10000)
        first, _replayed = self.ingest([self.record(1, self.card_a, 300, 1)], "B1")
        operation_id = first["results"][0]["operation_id"]
        before = self.counts()
        answer, replayed = self.ingest(
            [
                self.record(1, self.card_a, 300, 1),
                self.record(2, self.card_a, 100, 2),
                self.record(2, self.card_a, 100, 2),
            ],
            "B2",
        )
        self.assertFalse(replayed)
        duplicate, posted, in_batch = answer["results"]
        self.assertEqual(
            duplicate,
            {
                "serial": "1",
                "status": "duplicate",
                "code": None,
                "original_status": "posted",
                "operation_id": operation_id,
            },
        )
        self.assertEqual(posted["status"], "posted")
        self.assertEqual((in_batch["status"], in_batch["original_status"]), ("duplicate", "posted"))
        self.assertEqual(in_batch["operation_id"], posted["operation_id"])
        self.assertEqual((answer["posted"], answer["duplicates"]), (1, 2))
        self.assertEqual(self.counts(), (before[0] + 1, before[1] + 2))
        self.assertEqual(self.card_a._balances()["cash"], 9600)
        self.assertLedgerSound()

    def test_wrong_mac_rejected_and_stored(self):
        self.topup(self.card_a, 10000)
        forged = self.record(1, self.card_a, 100, 1)
        forged["amount"] = 1  # the MAC covered 100 fen
        other_key = self.record(2, self.card_a, 100, 2)
        other_key["mac"] = card_crypto.record_mac(
            card_crypto.card_key(self.card_a.number, master=b"another issuer"),
            self.card_a.number,
            100,
            TAPPED_AT,
            self.canteen_terminal.code,
            "2",
            2,
        )
        before = self.counts()
        answer, _replayed = self.ingest([forged, other_key])
        self.assertEqual([(r["status"], r["code"]) for r in answer["results"]], [("rejected", "mac_invalid")] * 2)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.offline(1).state, "rejected")
        self.assertEqual(self.card_a.last_counter, 0, "a forged record does not move the counter")
        self.assertEqual(self.card_a._balances()["cash"], 10000)

    def test_counter_regression(self):
        self.topup(self.card_a, 10000)
        self.ingest([self.record(1, self.card_a, 100, 5)], "B1")
        self.assertEqual(self.card_a.last_counter, 5)
        answer, _replayed = self.ingest(
            [
                self.record(2, self.card_a, 100, 5),  # not above the last accepted counter
                self.record(3, self.card_a, 100, 7),
                self.record(4, self.card_a, 100, 6),  # below an earlier record of the same batch
                self.record(5, self.card_a, 100, 8),
            ],
            "B2",
        )
        self.assertEqual(
            [(r["status"], r["code"]) for r in answer["results"]],
            [
                ("rejected", "counter_regression"),
                ("posted", None),
                ("rejected", "counter_regression"),
                ("posted", None),
            ],
        )
        self.assertEqual(self.card_a.last_counter, 8)
        self.assertEqual(self.card_a._balances()["cash"], 9700)
        self.assertLedgerSound()

    def test_hotlisted_card_goes_to_exception_queue(self):
        self.topup(self.card_a, 10000)
        self.card_a.action_report_lost()
        before = self.counts()
        answer, _replayed = self.ingest([self.record(1, self.card_a, 500, 3)])
        self.assertEqual(
            answer["results"][0], {"serial": "1", "status": "exception", "code": "card_hotlisted", "operation_id": None}
        )
        self.assertEqual(self.counts(), before)
        record = self.offline(1)
        self.assertEqual((record.state, record.code, record.amount), ("exception", "card_hotlisted", 500))
        self.assertEqual(self.card_a.last_counter, 3, "a genuine tap moves the counter even when not posted")
        self.assertIn(record, self.env["city.card.offline.record"].search([("state", "=", "exception")]))

    def test_no_funds_goes_to_exception_queue(self):
        self.topup(self.card_a, 1000)
        answer, _replayed = self.ingest(
            [
                self.record(1, self.card_a, 800, 1),
                self.record(2, self.card_a, 800, 2),
                self.record(3, self.card_a, 200, 3),
            ]
        )
        self.assertEqual(
            [(r["status"], r["code"]) for r in answer["results"]],
            [("posted", None), ("exception", "insufficient_funds"), ("posted", None)],
        )
        self.assertEqual(self.card_a._balances()["cash"], 0)
        self.assertEqual(self.offline(2).state, "exception")
        self.assertLedgerSound()

    def test_exception_retry_after_topup(self):
        self.topup(self.card_a, 100)
        self.ingest([self.record(1, self.card_a, 800, 1)])
        record = self.offline(1).with_user(self.card_manager)
        posted, failed = record._retry()
        self.assertFalse(posted)
        self.assertEqual(failed[0][1], "insufficient_funds")
        self.assertEqual(record.state, "exception")
        self.topup(self.card_a, 1000)
        before = self.counts()
        record.action_retry()
        self.assertEqual(record.state, "retried")
        self.assertEqual(record.resolved_by_id, self.card_manager)
        operation = record.operation_id
        self.assertEqual(
            (operation.channel, operation.amount, operation.terminal_id), ("offline", 800, self.canteen_terminal)
        )
        self.assertEqual(self.card_a._balances()["cash"], 300)
        # Retrying again posts nothing more.
        self.assertEqual(record._retry(), (record.browse(), []))
        with self.assertRaises(UserError):
            record.action_retry()
        self.assertEqual(self.counts(), (before[0] + 1, before[1] + 2))
        audit = (
            self.env["city.audit.log"]
            .sudo()
            .search([("model", "=", "city.card.offline.record"), ("res_id", "=", record.id)])
        )
        self.assertEqual(audit.mapped("event"), ["card.offline.retry"])
        # Re-uploading the record answers with what became of it.
        answer, _replayed = self.ingest([self.record(1, self.card_a, 800, 1)], "B2")
        self.assertEqual(answer["results"][0]["original_status"], "retried")
        self.assertEqual(answer["results"][0]["operation_id"], operation.id)
        self.assertLedgerSound()

    def test_write_off(self):
        self.card_a.action_freeze()
        self.ingest([self.record(1, self.card_a, 800, 1), self.record(2, self.card_a, 300, 2)])
        records = self.offline(1) | self.offline(2)
        action = records.with_user(self.card_manager).action_write_off()
        wizard = (
            self.env["city.card.offline.writeoff"]
            .with_user(self.card_manager)
            .with_context(**action["context"])
            .create({"reason": "Card frozen before the hotlist reached the terminal"})
        )
        self.assertEqual((wizard.record_count, wizard.amount_yuan), (2, 11.0))
        before = self.counts()
        wizard.action_confirm()
        self.assertEqual(records.mapped("state"), ["written_off"] * 2)
        self.assertEqual(records[0].resolution_note, "Card frozen before the hotlist reached the terminal")
        self.assertEqual(self.counts(), before, "a write-off moves no money")
        audit = self.env["city.audit.log"].sudo().search([("event", "=", "card.offline.write_off")])
        self.assertEqual(sorted(audit.mapped("res_id")), sorted(records.ids))
        self.assertIn("Card frozen", audit[0].payload)
        self.assertTrue(self.env["city.audit.log"].sudo().verify(["card"])["ok"])
        # Written off for good: a retry does nothing.
        self.card_a.action_unblock()
        self.topup(self.card_a, 5000)
        self.assertEqual(records.with_user(self.card_manager)._retry(), (records.browse(), []))
        with self.assertRaises(UserError):
            records.with_user(self.card_manager)._write_off("")

    def test_operator_cannot_resolve_exceptions(self):
        self.card_a.action_freeze()
        self.ingest([self.record(1, self.card_a, 800, 1)])
        record = self.offline(1)
        as_operator = record.with_user(self.operator)
        self.assertEqual(as_operator.state, "exception", "operators see the queue of their divisions")
        with self.assertRaises(AccessError):
            as_operator.action_retry()
        with self.assertRaises(AccessError):
            as_operator._write_off("no")
        with self.assertRaises(AccessError):
            self.env["city.card.offline.writeoff"].with_user(self.operator).create(
                {"record_ids": [(6, 0, record.ids)], "reason": "no"}
            )
        with self.assertRaises(AccessError):
            self.env["city.card.terminal.batch"].with_user(self.operator).search([])
        with self.assertRaises(UserError):
            record.with_user(self.card_manager).write({"state": "posted"})
        self.assertEqual(record.state, "exception")

    def test_subsidy_first_where_accepted_and_fares_as_recorded(self):
        self.topup(self.card_a, 1000)
        self.ops._credit_subsidy(self.card_a, 500, "2099-06-30")
        answer, _replayed = self.ingest([self.record(1, self.card_a, 700, 1)])
        operation = self.env["city.card.operation"].browse(answer["results"][0]["operation_id"])
        purse_lines = sorted((e.account_id.kind, e.amount) for e in operation.entry_ids if e.account_id.is_purse)
        self.assertEqual(purse_lines, [("purse_cash", -200), ("purse_subsidy", -500)])
        # The bus takes no subsidy, and the fare is the amount the validator recorded.
        self.ops._credit_subsidy(self.card_a, 2000, "2099-12-31")
        answer, _replayed = self.ingest(
            [
                self.record(1, self.card_b, 0, 1, terminal=self.bus_terminal),
                self.record(2, self.card_a, 1000, 2, terminal=self.bus_terminal),
                self.record(3, self.card_a, 150, 3, terminal=self.bus_terminal),
            ],
            "BUS1",
            self.bus_terminal,
        )
        free, too_much, fare = answer["results"]
        self.assertEqual((free["status"], free["code"], free["operation_id"]), ("posted", "free_ride", None))
        self.assertEqual((too_much["status"], too_much["code"]), ("exception", "insufficient_funds"))
        self.assertEqual(fare["status"], "posted")
        self.assertEqual(self.card_a._balances(), {"cash": 650, "subsidy": 2000, "total": 2650})
        self.assertEqual(self.card_b.last_counter, 1)
        self.assertLedgerSound()

    def test_free_ride_of_a_blocked_card_retried(self):
        self.card_b.action_freeze()
        answer, _replayed = self.ingest(
            [self.record(1, self.card_b, 0, 1, terminal=self.bus_terminal)], "BUS1", self.bus_terminal
        )
        self.assertEqual(
            (answer["results"][0]["status"], answer["results"][0]["code"]), ("exception", "card_hotlisted")
        )
        record = self.offline(1, self.bus_terminal).with_user(self.card_manager)
        before = self.counts()
        self.assertEqual(record._retry()[1][0][1], "card_hotlisted")
        self.card_b.action_unblock()
        record.action_retry()
        self.assertEqual((record.state, record.code, record.operation_id.id), ("retried", "free_ride", False))
        self.assertEqual(self.counts(), before)

    def test_malformed_records_and_envelope(self):
        self.topup(self.card_a, 1000)
        good = self.record(9, self.card_a, 100, 1)
        no_offset = self.record(3, self.card_a, 100, 2, tapped_at="2026-11-20T08:15:00")
        body = "220299999999999999"
        check = card_crypto.luhn_check_digit(body)
        bad_card = dict(self.record(4, self.card_a, 100, 3), card=body + str((int(check) + 1) % 10))
        unknown = dict(self.record(5, self.card_a, 100, 4), card=body + check)
        answer, _replayed = self.ingest(
            [
                "not a record",
                {"card": self.card_a.number},
                self.record(2, self.card_a, -5, 1),
                no_offset,
                bad_card,
                unknown,
                good,
            ]
        )
        self.assertEqual(
            [(r["status"], r["code"], r.get("field")) for r in answer["results"]],
            [
                ("rejected", "malformed", "record"),
                ("rejected", "malformed", "serial"),
                ("rejected", "amount_invalid", "amount"),
                ("rejected", "malformed", "tapped_at"),
                ("rejected", "card_invalid", "card"),
                ("rejected", "card_unknown", "card"),
                ("posted", None, None),
            ],
        )
        self.assertEqual(self.offline(5).state, "rejected")
        self.assertEqual(self.card_a._balances()["cash"], 900)
        with self.assertRaises(CardError) as caught:
            self.ingest([], "B2")
        self.assertEqual((caught.exception.code, caught.exception.status), ("malformed", 400))
        with self.assertRaises(CardError) as caught:
            self.ingest([good], "")
        self.assertEqual(caught.exception.status, 400)
        self.env["ir.config_parameter"].sudo().set_param("city_card.batch_max_records", 2)
        with self.assertRaises(CardError) as caught:
            self.ingest([good, good, good], "B3")
        self.assertEqual((caught.exception.code, caught.exception.status), ("payload_too_large", 413))

    def test_ledger_invariants_over_mixed_batches(self):
        cards = self.card_a | self.card_b
        self.topup(self.card_a, 2000)
        self.topup(self.card_b, 700)
        serial = 0
        for batch in range(4):
            records = []
            for index in range(25):
                serial += 1
                card = cards[index % 2]
                records.append(self.record(serial, card, 37 + index, 100 * batch + index + 1))
            if batch == 2:
                self.card_b.action_freeze()
            answer, _replayed = self.ingest(records, f"MIX{batch}")
            self.assertEqual(answer["records"], 25)
            self.assertLedgerSound()
        stored = self.env["city.card.offline.record"].sudo().search([("terminal_id", "=", self.canteen_terminal.id)])
        self.assertEqual(len(stored), 100)
        posted = stored.filtered(lambda r: r.state == "posted")
        self.assertEqual(sum(posted.mapped("amount")), sum(posted.mapped("operation_id.amount")))
        self.assertEqual(2000 + 700 - sum(posted.mapped("amount")), sum(c._balances()["total"] for c in cards))
        self.assertTrue(stored.filtered(lambda r: r.code == "card_hotlisted"))
        self.assertTrue(stored.filtered(lambda r: r.code == "insufficient_funds"))


@tagged("post_install", "-at_install")
class TestTerminalBatchApi(BatchMixin, CardCase, CityHttpCase):
    PATH = "/card/terminal-batches"

    def test_upload_replay_and_errors(self):
        self.topup(self.card_a, 5000)
        body = {
            "batch_id": "API1",
            "records": [self.record(1, self.card_a, 1200, 1), self.record(2, self.card_a, 9000, 2)],
        }
        status, answer = self.api("POST", self.PATH, body, key=self.canteen_key)
        self.assertEqual(status, 200, answer)
        data = answer["data"]
        self.assertFalse(data["replayed"])
        self.assertEqual(
            [(r["status"], r["code"]) for r in data["results"]], [("posted", None), ("exception", "insufficient_funds")]
        )
        status, again = self.api("POST", self.PATH, body, key=self.canteen_key)
        self.assertEqual(status, 200)
        self.assertTrue(again["data"]["replayed"])
        self.assertEqual(again["data"]["results"], data["results"])
        status, answer = self.api("POST", self.PATH, dict(body, records=body["records"][:1]), key=self.canteen_key)
        self.assertEqual((status, answer["error"]["code"]), (409, "idempotency_conflict"))
        status, answer = self.api("POST", self.PATH, body, key=self.canteen_key + "x")
        self.assertEqual((status, answer["error"]["code"]), (401, "unauthorized"))
        status, answer = self.api("POST", self.PATH, {"batch_id": "API2"}, key=self.canteen_key)
        self.assertEqual((status, answer["error"]["code"]), (400, "malformed"))
        self.env["ir.config_parameter"].sudo().set_param("city_card.batch_max_records", 1)
        status, answer = self.api("POST", self.PATH, dict(body, batch_id="API3"), key=self.canteen_key)
        self.assertEqual((status, answer["error"]["code"]), (413, "payload_too_large"))
        self.assertEqual(self.card_a._balances()["cash"], 3800)
        self.assertLedgerSound()

    def test_openapi_describes_the_upload(self):
        document = self.env["city.api.openapi"]._openapi_document()
        operation = document["paths"]["/card/terminal-batches"]["post"]
        self.assertEqual(operation["security"], [{"terminalKey": []}])
        self.assertIn("terminalKey", document["components"]["securitySchemes"])
