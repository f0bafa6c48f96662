import datetime
import json

from odoo.tests import tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from .common import CareCase, make_imei

PATH = "/care/events"


@tagged("post_install", "-at_install")
class TestCareEventApi(CareCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway_key = cls.api_key(cls.gateway)
        cls.worker_key = cls.api_key(cls.worker_a)
        cls.stock_device = cls.env["city.care.device"].create(
            {"imei": make_imei("86012345000099"), "model_id": cls.device_model.id}
        )

    @staticmethod
    def moment(**delta):
        return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1, **delta)).isoformat()

    def payload(self, event_id="e1", kind="sos", device=None, **extra):
        return {
            "event_id": event_id,
            "imei": (device or self.device_a).imei,
            "type": kind,
            "occurred_at": self.moment(),
            **extra,
        }

    def post(self, payload=None, key=None, data=None):
        return self.api("POST", PATH, payload, key=key or self.gateway_key, data=data)

    def stored(self, device=None):
        self.env.invalidate_all()
        return self.env["city.care.event"].search([("device_id", "=", (device or self.device_a).id)])

    def assertError(self, response, status, code, **details):
        got_status, body = response
        self.assertEqual((got_status, body["error"]["code"]), (status, code), body)
        for key, value in details.items():
            self.assertEqual(body["error"]["details"].get(key), value, body)
        return body

    def test_single_event_raises_an_alarm(self):
        status, body = self.post(self.payload("e1", "sos", location={"lat": 43.844, "lng": 126.55}))
        self.assertEqual(status, 201, body)
        self.env.invalidate_all()
        alarm = self.alarms(self.recipient_a)
        self.assertEqual(len(alarm), 1)
        self.assertEqual(body, {"data": {"event_id": "e1", "status": "accepted", "alarm": alarm.name}})
        self.assertEqual((alarm.kind, alarm.state), ("sos", "new"))
        self.assertAlmostEqual(alarm.latitude, 43.844, places=6)
        event = self.stored()
        self.assertEqual((event.event_uid, event.kind, event.alarm_id), ("e1", "sos", alarm))

    def test_batch_and_replay(self):
        events = [
            self.payload("b1", "heartbeat", battery=76),
            self.payload("b2", "vitals", heart_rate=72, blood_pressure={"systolic": 126, "diastolic": 80}, spo2=97),
            self.payload("b3", "fall"),
        ]
        status, body = self.post({"events": events})
        self.assertEqual(status, 201, body)
        self.assertEqual((body["accepted"], body["duplicates"]), (3, 0))
        self.env.invalidate_all()
        fall = self.alarms(self.recipient_a)
        self.assertEqual(fall.kind, "fall")
        self.assertEqual(
            [(r["event_id"], r["status"], r["alarm"]) for r in body["data"]],
            [("b1", "accepted", None), ("b2", "accepted", None), ("b3", "accepted", fall.name)],
        )
        self.assertEqual(self.recipient_a.last_systolic, 126)
        self.assertEqual(self.device_a.battery, 76)
        # The gateway sends the batch again (it missed our answer): nothing new.
        status, body = self.post({"events": events})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["accepted"], body["duplicates"]), (0, 3))
        self.assertEqual(body["data"][2], {"event_id": "b3", "status": "duplicate", "alarm": fall.name})
        status, body = self.post(events[2])
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"], {"event_id": "b3", "status": "duplicate", "alarm": fall.name})
        self.assertEqual(len(self.stored()), 3)
        self.env.invalidate_all()
        self.assertEqual(self.alarms(self.recipient_a), fall)
        self.assertEqual(fall.event_count, 1)

    def test_unknown_and_invalid_devices(self):
        unknown = make_imei("35999900000001")
        body = self.assertError(
            self.post({"events": [self.payload("u0"), self.payload("u1", imei=unknown)]}),
            422,
            "unknown_device",
            index=1,
            field="imei",
        )
        self.assertIn(unknown, body["error"]["message"])
        wrong_check = self.device_a.imei[:14] + str((int(self.device_a.imei[14]) + 1) % 10)
        self.assertError(self.post(self.payload(imei=wrong_check)), 422, "validation_error", index=0, field="imei")
        self.assertError(self.post(self.payload(imei="8601234500")), 422, "validation_error", field="imei")
        self.assertError(
            self.post(self.payload(device=self.stock_device)), 422, "device_not_in_use", index=0, field="imei"
        )
        self.device_b.action_retire()
        self.assertError(self.post(self.payload(device=self.device_b)), 422, "device_not_in_use")
        self.assertFalse(self.stored(), "nothing stored by refused requests")

    def test_malformed_requests(self):
        self.assertError(self.post(data="{not json"), 400, "malformed")
        self.assertError(self.post(data="[1, 2]"), 400, "malformed")
        self.assertError(self.post({"events": []}), 400, "malformed", field="events")
        self.assertError(self.post({"events": "e1"}), 400, "malformed", field="events")
        self.assertError(self.post({"events": [self.payload(), "e2"]}), 400, "malformed", index=1)
        missing_id = self.payload()
        del missing_id["event_id"]
        missing_imei = self.payload()
        del missing_imei["imei"]
        missing_time = self.payload()
        del missing_time["occurred_at"]
        for payload, field in (
            (missing_id, "event_id"),
            (self.payload(event_id=""), "event_id"),
            (self.payload(event_id="x" * 65), "event_id"),
            (missing_imei, "imei"),
            (self.payload(imei=860123450000011), "imei"),
            (self.payload(kind="jump"), "type"),
            (missing_time, "occurred_at"),
            (self.payload(occurred_at="yesterday"), "occurred_at"),
            (self.payload(heart_rate="80"), "heart_rate"),
            (self.payload(heart_rate=True), "heart_rate"),
            (self.payload(heart_rate=80.5), "heart_rate"),
            (self.payload(battery=[50]), "battery"),
            (self.payload(location=[43.8, 126.5]), "location"),
            (self.payload(kind="location"), "location"),
            (self.payload(blood_pressure="120/80"), "blood_pressure"),
        ):
            with self.subTest(field=field, payload=payload):
                self.assertError(self.post(payload), 400, "malformed", index=0, field=field)
        self.assertError(self.post(self.payload(kind="vitals")), 400, "malformed", index=0)
        self.assertFalse(self.stored())

    def test_out_of_range_readings(self):
        for payload, field in (
            (self.payload(kind="vitals", heart_rate=251), "heart_rate"),
            (self.payload(kind="vitals", heart_rate=19), "heart_rate"),
            (self.payload(kind="vitals", spo2=101), "spo2"),
            (self.payload(kind="vitals", blood_pressure={"systolic": 301}), "systolic"),
            (self.payload(battery=-1), "battery"),
            (self.payload(kind="location", location={"lat": 91, "lng": 126.5}), "location"),
        ):
            with self.subTest(field=field):
                self.assertError(self.post(payload), 422, "validation_error", index=0, field=field)
        status, _body = self.post(self.payload(kind="vitals", heart_rate=250, spo2=50))
        self.assertEqual(status, 201, "the limits themselves are accepted")

    def test_occurred_at(self):
        naive = datetime.datetime.now().replace(microsecond=0).isoformat()
        self.assertError(self.post(self.payload(occurred_at=naive)), 422, "validation_error", field="occurred_at")
        future = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).isoformat()
        self.assertError(self.post(self.payload(occurred_at=future)), 422, "validation_error", field="occurred_at")
        self.assertError(
            self.post(self.payload(occurred_at=self.moment(days=31))), 422, "validation_error", field="occurred_at"
        )
        self.assertFalse(self.stored())
        # Beijing time with its offset is stored as UTC.
        beijing = datetime.timezone(datetime.timedelta(hours=8))
        local = datetime.datetime.now(beijing).replace(microsecond=0) - datetime.timedelta(days=29)
        status, body = self.post(self.payload("old", "heartbeat", occurred_at=local.isoformat()))
        self.assertEqual(status, 201, body)
        expected = local.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        self.assertEqual(self.stored().occurred_at, expected)

    def test_batch_limit(self):
        events = [self.payload(f"n{i}", "heartbeat") for i in range(1001)]
        self.assertError(self.post({"events": events}), 413, "payload_too_large", limit=1000)
        status, body = self.post({"events": events[:1000]})
        self.assertEqual((status, body["accepted"]), (201, 1000))

    def test_keys(self):
        self.assertError(self.post(self.payload(), key=self.worker_key), 403, "forbidden")
        status, body = self.api("POST", PATH, self.payload())
        self.assertEqual((status, body["error"]["code"]), (401, "unauthorized"))
        self.assertError(self.post(self.payload(), key="not-a-key"), 401, "unauthorized")
        self.assertFalse(self.stored())

    def test_a_failing_batch_stores_nothing(self):
        for bad in (
            self.payload("x2", imei=make_imei("35999900000001")),
            self.payload("x2", kind="vitals", heart_rate=300),
            self.payload(None),
        ):
            with self.subTest(bad=json.dumps(bad)):
                status, _body = self.post({"events": [self.payload("x1", "sos"), bad]})
                self.assertIn(status, (400, 422))
                self.assertFalse(self.stored())
                self.env.invalidate_all()
                self.assertFalse(self.alarms(self.recipient_a))
        # The good event alone goes through: it was not kept half-stored before.
        status, body = self.post({"events": [self.payload("x1", "sos")]})
        self.assertEqual((status, body["accepted"]), (201, 1))
