from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..tools.validators import canonical_json, chain_hash
from .common import CityTransactionCase


@tagged("post_install", "-at_install")
class TestAuditLog(CityTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["city.audit.log"]
        cls.entries = cls.Log.browse()
        for index in range(5):
            cls.entries |= cls.Log.record("test.event", record=cls.resident_a, payload={"n": index}, chain="test")

    def _tamper(self, query, params):
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def test_chain_links(self):
        first, second = self.entries[0], self.entries[1]
        self.assertEqual([e.sequence for e in self.entries], [1, 2, 3, 4, 5])
        self.assertFalse(first.prev_hash)
        self.assertEqual(second.prev_hash, first.hash)
        data = self.Log._entry_data(
            "test", 2, "test.event", "res.partner", self.resident_a.id, self.env.uid, second.logged_at, {"n": 1}
        )
        self.assertEqual(second.hash, chain_hash(first.hash, data))
        self.assertEqual(second.payload, canonical_json({"n": 1}))
        head = self.env["city.audit.chain"].search([("name", "=", "test")])
        self.assertEqual((head.last_sequence, head.last_hash), (5, self.entries[-1].hash))
        self.assertEqual(self.Log.verify(["test"]), {"ok": True, "checked": 5, "broken": None})

    def test_orm_refuses_changes(self):
        with self.assertRaises(UserError):
            self.entries[0].write({"payload": "{}"})
        with self.assertRaises(UserError):
            self.entries[0].unlink()
        with self.assertRaises(AccessError):
            self.Log.create({"chain": "test", "sequence": 6, "event": "forged", "logged_at": "2025-01-01", "hash": "x"})
        with self.assertRaises(AccessError):
            self.Log.with_user(self.supervisor).create({"event": "forged"})
        self.assertCanRead(self.supervisor, self.entries)
        self.assertCannotRead(self.worker_a, self.entries)

    def test_tampered_payload(self):
        self._tamper("UPDATE city_audit_log SET payload = %s WHERE id = %s", ['{"n":99}', self.entries[2].id])
        result = self.Log.verify(["test"])
        self.assertFalse(result["ok"])
        self.assertEqual(result["broken"]["id"], self.entries[2].id)
        self.assertEqual(result["broken"]["reason"], "hash")
        self.assertEqual(result["checked"], 3)

    def test_tampered_link(self):
        self._tamper("UPDATE city_audit_log SET prev_hash = %s WHERE id = %s", ["0" * 64, self.entries[3].id])
        result = self.Log.verify(["test"])
        self.assertEqual((result["broken"]["id"], result["broken"]["reason"]), (self.entries[3].id, "link"))

    def test_recomputed_hash_still_detected(self):
        """Rewriting an entry and its own hash breaks the next link."""
        entry = self.entries[1]
        data = self.Log._entry_data(
            "test", 2, "test.event", "res.partner", self.resident_a.id, self.env.uid, entry.logged_at, {"n": 42}
        )
        forged = chain_hash(entry.prev_hash, data)
        self._tamper(
            "UPDATE city_audit_log SET payload = %s, hash = %s WHERE id = %s",
            [canonical_json({"n": 42}), forged, entry.id],
        )
        result = self.Log.verify(["test"])
        self.assertEqual((result["broken"]["id"], result["broken"]["reason"]), (self.entries[2].id, "link"))

    def test_deleted_entries(self):
        self._tamper("DELETE FROM city_audit_log WHERE id = %s", [self.entries[1].id])
        result = self.Log.verify(["test"])
        self.assertEqual((result["broken"]["id"], result["broken"]["reason"]), (self.entries[2].id, "sequence"))

    def test_truncated_tail(self):
        self._tamper("DELETE FROM city_audit_log WHERE id = %s", [self.entries[-1].id])
        result = self.Log.verify(["test"])
        self.assertEqual(result["broken"]["reason"], "truncated")
        self.assertEqual(result["broken"]["sequence"], 5)

    def test_chains_are_independent(self):
        other = self.Log.record("other.event", payload={"amount_fen": 100}, chain="other")
        self.assertEqual(other.sequence, 1)
        self._tamper("UPDATE city_audit_log SET event = 'x' WHERE id = %s", [self.entries[0].id])
        self.assertTrue(self.Log.verify(["other"])["ok"])
        self.assertFalse(self.Log.verify()["ok"])

    def test_verify_action(self):
        action = self.Log.action_verify(["test"])
        self.assertEqual(action["params"]["type"], "success")
        self._tamper("UPDATE city_audit_log SET event = 'x' WHERE id = %s", [self.entries[0].id])
        action = self.env["city.audit.chain"].search([("name", "=", "test")]).action_verify()
        self.assertEqual(action["params"]["type"], "danger")

    def test_only_one_record(self):
        with self.assertRaises(UserError):
            self.Log.record("test.event", record=self.resident_a | self.resident_b)
