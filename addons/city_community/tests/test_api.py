import datetime

from odoo.tests import tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestCommunityApi(CommunityCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls.env["city.alarm.device"].create(
            {
                "code": "T-SM-0001",
                "name": "烟感",
                "type": "smoke",
                "building_id": cls.building_a.id,
                "item_id": cls.item_alarm.id,
            }
        )
        cls.gateway_key = cls.api_key(cls.gateway)
        cls.worker_key = cls.api_key(cls.worker_a)

    def alarm(self, event_id="a1", **extra):
        moment = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)).isoformat()
        return {"event_id": event_id, "device": self.device.code, "condition": "smoke", "occurred_at": moment, **extra}

    def test_alarm_batch_and_replay(self):
        status, body = self.api(
            "POST", "/community/alarms", {"events": [self.alarm("a1"), self.alarm("a2")]}, key=self.gateway_key
        )
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["accepted"], 2)
        self.assertEqual(len(self.device.request_ids), 1)
        reference = body["data"]["results"][0]["request"]
        self.assertEqual(reference, self.device.request_ids.name)
        # the same batch again: all duplicates, nothing new
        status, body = self.api(
            "POST", "/community/alarms", {"events": [self.alarm("a1"), self.alarm("a2")]}, key=self.gateway_key
        )
        self.assertEqual(status, 200)
        self.assertEqual((body["data"]["accepted"], body["data"]["duplicates"]), (0, 2))
        # a single replayed event answers 409
        status, body = self.api("POST", "/community/alarms", self.alarm("a1"), key=self.gateway_key)
        self.assertEqual(status, 409)
        self.assertEqual(body["error"]["code"], "duplicate")
        self.assertEqual(body["error"]["details"]["request"], reference)
        self.assertEqual(self.device.request_ids.alarm_count, 2)

    def test_alarm_errors(self):
        status, body = self.api(
            "POST", "/community/alarms", {"events": [self.alarm(device="NOPE")]}, key=self.gateway_key
        )
        self.assertEqual(status, 422)
        self.assertEqual(body["error"]["details"]["error"], "unknown_device")
        status, body = self.api("POST", "/community/alarms", data="{not json", key=self.gateway_key)
        self.assertEqual((status, body["error"]["code"]), (400, "malformed"))
        status, body = self.api("POST", "/community/alarms", {"events": [{"event_id": 1}]}, key=self.gateway_key)
        self.assertEqual((status, body["error"]["code"]), (400, "malformed"))
        status, body = self.api(
            "POST", "/community/alarms", {"events": [self.alarm(occurred_at="yesterday")]}, key=self.gateway_key
        )
        self.assertEqual(status, 400)
        status, body = self.api(
            "POST",
            "/community/alarms",
            {"events": [self.alarm(occurred_at="2026-01-01T10:00:00")]},
            key=self.gateway_key,
        )
        self.assertEqual(status, 422, "a time without offset is ambiguous")
        # a worker's key is not a gateway; no key at all is 401
        status, body = self.api("POST", "/community/alarms", {"events": [self.alarm()]}, key=self.worker_key)
        self.assertEqual(status, 403)
        status, body = self.api("POST", "/community/alarms", {"events": [self.alarm()]})
        self.assertEqual(status, 401)
        # a batch with one bad event stores nothing
        status, body = self.api(
            "POST",
            "/community/alarms",
            {"events": [self.alarm("ok1"), self.alarm("bad", device="NOPE")]},
            key=self.gateway_key,
        )
        self.assertEqual(status, 422)
        self.assertFalse(self.env["city.alarm.event"].search([("event_uid", "=", "ok1")]))

    def test_request_submission_and_status(self):
        payload = {
            "client_ref": "12345-0001",
            "item_code": self.item_lamp.code,
            "description": "路灯不亮",
            "resident_id_number": self.id_a,
        }
        status, body = self.api("POST", "/community/requests", payload, key=self.worker_key)
        self.assertEqual(status, 201, body)
        data = body["data"]
        self.assertEqual(data["state"], "submitted")
        self.assertEqual(data["channel"], "api")
        self.assertEqual(data["division_code"], self.grid_a.code)
        # replay with the same client_ref
        status, body = self.api("POST", "/community/requests", payload, key=self.worker_key)
        self.assertEqual((status, body["error"]["code"]), (409, "duplicate"))
        self.assertEqual(body["error"]["details"]["reference"], data["reference"])
        self.assertEqual(self.env["city.request"].search_count([("client_ref", "=", "12345-0001")]), 1)
        status, body = self.api("GET", f"/community/requests/{data['reference']}", key=self.worker_key)
        self.assertEqual((status, body["data"]["reference"]), (200, data["reference"]))
        # worker B does not see community A's request
        status, body = self.api("GET", f"/community/requests/{data['reference']}", key=self.api_key(self.worker_b))
        self.assertEqual(status, 404)

    def test_request_errors(self):
        key = self.worker_key
        status, body = self.api("POST", "/community/requests", {"item_code": "T-CG-001"}, key=key)
        self.assertEqual((status, body["error"]["code"]), (400, "malformed"))
        status, body = self.api(
            "POST",
            "/community/requests",
            {"client_ref": "x1", "item_code": "NOPE-1", "description": "x", "division_code": self.grid_a.code},
            key=key,
        )
        self.assertEqual(status, 404)
        status, body = self.api(
            "POST",
            "/community/requests",
            {
                "client_ref": "x2",
                "item_code": self.item.code,
                "description": "x",
                "division_code": self.grid_a.code,
                "answers": {"领取银行": "花旗银行"},
            },
            key=key,
        )
        self.assertEqual((status, body["error"]["code"]), (422, "validation_error"))
        status, body = self.api(
            "POST",
            "/community/requests",
            {
                "client_ref": "x3",
                "item_code": self.item_lamp.code,
                "description": "x",
                "resident_id_number": self.id_a[:-1] + ("1" if self.id_a[-1] != "1" else "2"),
            },
            key=key,
        )
        self.assertEqual(status, 422)
        status, body = self.api(
            "POST",
            "/community/requests",
            {
                "client_ref": "x4",
                "item_code": self.item_lamp.code,
                "description": "x",
                "division_code": self.grid_a.code,
            },
            key=self.gateway_key,
        )
        self.assertEqual(status, 403)

    def test_openapi_lists_the_community_endpoints(self):
        from openapi_spec_validator import validate

        status, document = self.api("GET", "/openapi.json")
        self.assertEqual(status, 200)
        validate(document)
        for path in ("/community/requests", "/community/requests/{reference}", "/community/alarms"):
            self.assertIn(path, document["paths"])
