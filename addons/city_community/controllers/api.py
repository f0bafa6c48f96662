import re

from odoo import fields, http
from odoo.http import request
from odoo.tools import html2plaintext

from odoo.addons.city_base.controllers.api import API_PREFIX, ApiError, CityApiBase, api_moment
from odoo.addons.city_base.tools import validators

MAX_BATCH = 1000
CONDITION_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _text(payload, key, required=False, max_length=500, label=None):
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise ApiError(
                400, "malformed", request.env._("%(field)s is required.", field=label or key), {"field": key}
            )
        return None
    if not isinstance(value, str):
        raise ApiError(
            400, "malformed", request.env._("%(field)s must be a string.", field=label or key), {"field": key}
        )
    value = value.strip()
    if len(value) > max_length:
        raise ApiError(
            422, "validation_error", request.env._("%(field)s is too long.", field=label or key), {"field": key}
        )
    return value


class CommunityApi(CityApiBase):
    @staticmethod
    def _request_data(record):
        return {
            "reference": record.name,
            "state": record.state,
            "item_code": record.item_id.code,
            "channel": record.channel,
            "division_code": record.division_id.code,
            "department": record.department_id.name or None,
            "submitted_at": fields.Datetime.to_string(record.submit_date) or None,
            "deadline": fields.Datetime.to_string(record.deadline) or None,
            "replied_at": fields.Datetime.to_string(record.reply_date) or None,
            "reply": html2plaintext(record.reply) if record.reply else None,
            "satisfaction": record.satisfaction or None,
        }

    @http.route(
        f"{API_PREFIX}/community/requests", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def community_request_create(self):
        def handler(payload):
            env = request.env
            if not env.user.has_group("city_base.group_city_base_worker"):
                raise ApiError(403, "forbidden", env._("This key may not submit community requests."))
            client_ref = _text(payload, "client_ref", required=True, max_length=64)
            Request = env["city.request"]
            existing = Request.sudo().search([("create_uid", "=", env.uid), ("client_ref", "=", client_ref)], limit=1)
            if existing:
                raise ApiError(
                    409,
                    "duplicate",
                    env._("A request with this client_ref exists already."),
                    {"reference": existing.name},
                )
            code = _text(payload, "item_code", required=True, max_length=32)
            item = env["city.service.item"].search([("code", "=", code)], limit=1)
            if not item:
                raise ApiError(
                    404, "not_found", env._("No service item with code %(code)s.", code=code), {"field": "item_code"}
                )
            values = {
                "client_ref": client_ref,
                "item_id": item.id,
                "channel": "api",
                "description": _text(payload, "description", required=True, max_length=5000),
                "caller_name": _text(payload, "caller_name", max_length=100),
                "caller_phone": _text(payload, "caller_phone", max_length=32),
            }
            number = _text(payload, "resident_id_number", max_length=32)
            if number:
                number = validators.normalize_resident_id(number)
                values["partner_id"] = self._api_resident(number, "resident_id_number").id
            division_code = _text(payload, "division_code", max_length=15)
            if division_code:
                values["division_id"] = self._api_division(division_code, "division_code").id
            elif not values.get("partner_id"):
                raise ApiError(
                    400, "malformed", env._("Send division_code or resident_id_number."), {"field": "division_code"}
                )
            answers = payload.get("answers") or {}
            if not isinstance(answers, dict):
                raise ApiError(400, "malformed", env._("answers must be an object."), {"field": "answers"})
            values["answer_ids"] = Request._answer_commands(item, answers)
            record = Request.create(values)
            record.action_submit()
            return 201, {"data": self._request_data(record)}

        return self._api_call(handler, body=True)

    @http.route(
        f"{API_PREFIX}/community/requests/<string:reference>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def community_request_read(self, reference):
        def handler(_payload):
            record = request.env["city.request"].search([("name", "=", reference)], limit=1)
            if not record:
                raise ApiError(404, "not_found", request.env._("No request %(ref)s is visible to you.", ref=reference))
            return {"data": self._request_data(record)}

        return self._api_call(handler)

    @http.route(
        f"{API_PREFIX}/community/alarms", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def community_alarms(self):
        def handler(payload):
            env = request.env
            if not env.user.has_group("city_community.group_city_community_gateway"):
                raise ApiError(403, "forbidden", env._("This key may not send alarms."))
            single = "events" not in payload
            events = [payload] if single else payload["events"]
            if not isinstance(events, list) or not events:
                raise ApiError(400, "malformed", env._("events must be a non-empty list."), {"field": "events"})
            if len(events) > MAX_BATCH:
                raise ApiError(
                    413,
                    "payload_too_large",
                    env._("At most %(max)s events per batch.", max=MAX_BATCH),
                    {"limit": MAX_BATCH},
                )
            clean = []
            for index, event in enumerate(events):
                if not isinstance(event, dict):
                    raise ApiError(400, "malformed", env._("Every event must be an object."), {"index": index})
                item = {}
                for key in ("event_id", "device", "condition"):
                    value = event.get(key)
                    if not isinstance(value, str) or not value.strip() or len(value) > 64:
                        raise ApiError(
                            400,
                            "malformed",
                            env._("%(field)s must be a string of 1 to 64 characters.", field=key),
                            {"index": index, "field": key},
                        )
                    item[key] = value.strip()
                if not CONDITION_RE.match(item["condition"]):
                    raise ApiError(
                        422,
                        "validation_error",
                        env._("condition must be lower-case letters, digits and underscores."),
                        {"index": index, "field": "condition"},
                    )
                item["occurred_at"] = api_moment(event.get("occurred_at"), index)
                item["value"] = event.get("value")
                item["message"] = event.get("message")
                clean.append(item)
            codes = {item["device"] for item in clean}
            devices_sudo = env["city.alarm.device"].sudo().search([("code", "in", list(codes))])
            known = {device.code: device for device in devices_sudo}
            unknown = sorted(codes - set(known))
            if unknown:
                raise ApiError(
                    422,
                    "validation_error",
                    env._("Unknown or inactive device: %(codes)s", codes=", ".join(unknown[:10])),
                    {"error": "unknown_device", "devices": unknown[:100]},
                )
            results = env["city.alarm.event"].sudo()._ingest(known, clean)
            accepted = sum(1 for result in results if result["status"] == "accepted")
            if single and not accepted:
                raise ApiError(
                    409,
                    "duplicate",
                    env._("This event was received before."),
                    {"event_id": clean[0]["event_id"], "request": results[0]["request"]},
                )
            return {"data": {"accepted": accepted, "duplicates": len(results) - accepted, "results": results}}

        return self._api_call(handler, body=True)
