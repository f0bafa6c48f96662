import json
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from .common import CityHttpCase, make_resident_id


@tagged("post_install", "-at_install")
class TestCityApi(CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_a = cls.api_key(cls.worker_a)
        cls.key_privacy = cls.api_key(cls.privacy)

    def assertError(self, result, status, code):
        got_status, body = result
        self.assertEqual(got_status, status, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertTrue(body["error"]["message"])
        return body

    def test_ping_and_openapi(self):
        self.assertEqual(self.api("GET", "/ping"), (200, {"data": {"status": "ok", "api": "city", "version": "v1"}}))
        status, document = self.api("GET", "/openapi.json")
        self.assertEqual(status, 200)
        from openapi_spec_validator import validate

        validate(document)
        for path in ("/divisions", "/divisions/{code}", "/residents/id-check", "/residents/lookup"):
            self.assertIn(path, document["paths"])

    def test_authentication(self):
        self.assertError(self.api("GET", "/divisions"), 401, "unauthorized")
        self.assertError(self.api("GET", "/divisions", key="not-a-key"), 401, "unauthorized")
        self.assertError(
            self.api("GET", "/divisions", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401, "unauthorized"
        )
        self.worker_a.active = False
        self.assertError(self.api("GET", "/divisions", key=self.key_a), 401, "unauthorized")

    def test_divisions(self):
        status, body = self.api("GET", "/divisions?parent_code=220204901000", key=self.key_a)
        self.assertEqual(status, 200)
        self.assertEqual([d["code"] for d in body["data"]], ["220204901001", "220204901002"])
        self.assertEqual(body["total"], 2)
        status, body = self.api("GET", "/divisions/220204901001001", key=self.key_a)
        self.assertEqual(body["data"]["type"], "grid")
        self.assertEqual(body["data"]["parent_code"], "220204901001")
        self.assertError(self.api("GET", "/divisions/999999999999", key=self.key_a), 404, "not_found")
        self.assertError(self.api("GET", "/divisions?parent_code=1", key=self.key_a), 404, "not_found")
        self.assertError(self.api("GET", "/divisions?limit=abc", key=self.key_a), 400, "malformed")
        self.assertError(self.api("GET", "/divisions?limit=5000", key=self.key_a), 400, "malformed")

    def test_id_check(self):
        status, body = self.api("POST", "/residents/id-check", {"id_number": "11010519491231002x"}, key=self.key_a)
        self.assertEqual(status, 200)
        self.assertEqual(
            body["data"],
            {
                "valid": True,
                "error": None,
                "message": None,
                "birth_date": "1949-12-31",
                "gender": "female",
                "region_code": "110105",
            },
        )
        status, body = self.api("POST", "/residents/id-check", {"id_number": "110105194912310021"}, key=self.key_a)
        self.assertEqual((status, body["data"]["valid"], body["data"]["error"]), (200, False, "check"))
        self.assertError(self.api("POST", "/residents/id-check", {"number": "x"}, key=self.key_a), 400, "malformed")
        self.assertError(self.api("POST", "/residents/id-check", {"id_number": 12}, key=self.key_a), 400, "malformed")

    def test_lookup_respects_scope_and_masking(self):
        status, body = self.api("POST", "/residents/lookup", {"id_number": self.id_a}, key=self.key_a)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["data"]["id"], self.resident_a.id)
        self.assertEqual(body["data"]["resident_id"], self.resident_a.resident_id_masked)
        self.assertEqual(body["data"]["division_code"], "220204901001001")
        # another community's resident does not exist for this key
        self.assertError(
            self.api("POST", "/residents/lookup", {"id_number": self.id_b}, key=self.key_a), 404, "not_found"
        )
        # the personal-data viewer gets the full number
        status, body = self.api("POST", "/residents/lookup", {"id_number": self.id_a}, key=self.key_privacy)
        self.assertEqual(body["data"]["resident_id"], self.id_a)
        unknown = make_resident_id("220204", "20000101", "999")
        self.assertError(
            self.api("POST", "/residents/lookup", {"id_number": unknown}, key=self.key_a), 404, "not_found"
        )
        body = self.assertError(
            self.api("POST", "/residents/lookup", {"id_number": self.id_a[:17] + "0"}, key=self.key_a),
            422,
            "validation_error",
        )
        self.assertEqual(body["error"]["details"]["error"], "check")

    def test_malformed_bodies(self):
        self.assertError(self.api("POST", "/residents/lookup", data="{not json", key=self.key_a), 400, "malformed")
        self.assertError(self.api("POST", "/residents/lookup", data="[1, 2]", key=self.key_a), 400, "malformed")
        self.assertError(self.api("POST", "/residents/lookup", data="", key=self.key_a), 400, "malformed")
        self.assertError(self.api("POST", "/residents/lookup", data=b"\xff\xfe", key=self.key_a), 400, "malformed")

    def test_size_limit(self):
        with patch.dict(config.options, {"city_api_max_body_bytes": 100}):
            body = self.assertError(
                self.api("POST", "/residents/lookup", {"id_number": self.id_a, "pad": "x" * 200}, key=self.key_a),
                413,
                "payload_too_large",
            )
        self.assertEqual(body["error"]["details"]["limit"], 100)

    def test_rate_limit(self):
        with patch.dict(config.options, {"city_api_rate_limit_per_minute": 2}):
            self.assertEqual(self.api("GET", "/divisions/220200000000", key=self.key_a)[0], 200)
            self.assertEqual(self.api("GET", "/divisions/220200000000", key=self.key_a)[0], 200)
            response = self.opener.get(
                self.base_url() + "/api/city/v1/divisions/220200000000",
                headers={"Authorization": f"Bearer {self.key_a}"},
                timeout=30,
            )
            self.assertEqual(response.status_code, 429)
            self.assertEqual(response.json()["error"]["code"], "rate_limited")
            self.assertTrue(1 <= int(response.headers["Retry-After"]) <= 60)
            # another user has its own budget
            self.assertEqual(self.api("GET", "/divisions/220200000000", key=self.key_privacy)[0], 200)

    def test_unknown_endpoint_and_language(self):
        self.assertError(self.api("GET", "/nothing-here"), 404, "not_found")
        self.env["res.lang"]._activate_lang("zh_CN")
        status, body = self.api("GET", "/divisions", key="bad", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        self.assertEqual(status, 401)
        self.assertEqual(body["error"]["code"], "unauthorized")
        # the envelope is valid JSON with a stable shape whatever the language
        self.assertEqual(set(json.loads(json.dumps(body))["error"]), {"code", "message", "details"})
