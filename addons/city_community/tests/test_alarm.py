import datetime

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .common import CommunityCase

DT = datetime.datetime


@tagged("post_install", "-at_install")
class TestAlarm(CommunityCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls.env["city.alarm.device"].create(
            {
                "code": "T-WL-0001",
                "name": "厨房漏水传感器",
                "type": "water",
                "building_id": cls.building_a.id,
                "household_id": cls.household_a.id,
                "item_id": cls.item_alarm.id,
                "burst_minutes": 30,
            }
        )

    def ingest(self, *events):
        Event = self.env["city.alarm.event"].with_user(self.gateway).sudo()
        return Event._ingest({self.device.code: self.device}, [dict(event) for event in events])

    def event(self, uid, minute, condition="leak"):
        return {
            "event_id": uid,
            "device": self.device.code,
            "condition": condition,
            "occurred_at": DT(2026, 11, 20, 2, minute),
        }

    def test_burst_makes_one_request(self):
        results = self.ingest(*(self.event(f"e{i}", i) for i in range(5)))
        self.assertEqual({r["status"] for r in results}, {"accepted"})
        requests = self.device.request_ids
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests.alarm_count, 5)
        self.assertEqual(requests.state, "submitted")
        self.assertEqual(requests.priority, "2")
        self.assertEqual(requests.channel, "sensor")
        self.assertEqual(requests.household_id, self.household_a)
        self.assertEqual(requests.accept_deadline - requests.submit_date, datetime.timedelta(minutes=15))
        # later batch within the window joins; another condition opens its own
        self.ingest(self.event("e5", 20), self.event("p1", 21, condition="power_off"))
        self.assertEqual(len(self.device.request_ids), 2)
        self.assertEqual(requests.alarm_count, 6)
        # past the window: a new request
        self.ingest({**self.event("e6", 0), "occurred_at": DT(2026, 11, 20, 4, 0)})
        self.assertEqual(len(self.device.request_ids.filtered(lambda r: r.alarm_condition == "leak")), 2)

    def test_replay_is_a_no_op(self):
        self.ingest(self.event("e1", 1), self.event("e2", 2))
        request = self.device.request_ids
        results = self.ingest(self.event("e1", 1), self.event("e2", 2), self.event("e3", 3))
        self.assertEqual([r["status"] for r in results], ["duplicate", "duplicate", "accepted"])
        self.assertEqual({r["request"] for r in results}, {request.name}, "replays name the request they joined")
        self.assertEqual(request.alarm_count, 3)
        self.assertEqual(self.env["city.alarm.event"].search_count([("device_id", "=", self.device.id)]), 3)
        # duplicates inside one batch count once
        results = self.ingest(self.event("e9", 9), self.event("e9", 9))
        self.assertEqual([r["status"] for r in results], ["accepted", "duplicate"])

    def test_closed_request_means_a_new_one(self):
        self.ingest(self.event("e1", 1))
        first = self.device.request_ids
        first.action_refuse("误报")
        self.ingest(self.event("e2", 2))
        self.assertEqual(len(self.device.request_ids), 2)

    def test_device_needs_an_alarm_item(self):
        with self.assertRaises(ValidationError):
            self.env["city.alarm.device"].create(
                {
                    "code": "T-X",
                    "name": "x",
                    "type": "gas",
                    "building_id": self.building_a.id,
                    "item_id": self.item_lamp.id,
                }
            )
