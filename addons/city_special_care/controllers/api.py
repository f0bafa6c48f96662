import math

from odoo import http
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.city_base.controllers.api import API_PREFIX, ApiError, CityApiBase, api_moment

from ..tools.imei import imei_error, normalize_imei

MAX_BATCH = 1000
MAX_EVENT_AGE_DAYS = 30
KINDS = ("sos", "fall", "location", "geofence_exit", "vitals", "low_battery", "heartbeat")
# Plausible physical ranges; values outside are refused as device faults, not raised as alarms.
RANGES = {
    "heart_rate": (20, 250),
    "systolic": (40, 300),
    "diastolic": (20, 200),
    "spo2": (50, 100),
    "battery": (0, 100),
    "accuracy": (0, 100000),
}
GATEWAY_GROUP = "city_special_care.group_city_special_care_gateway"


def _malformed(message, index, field=None):
    details = {"index": index}
    if field:
        details["field"] = field
    return ApiError(400, "malformed", message, details)


def _number(event, key, index, integer=True):
    value = event.get(key)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise _malformed(request.env._("%(field)s must be a number.", field=key), index, key)
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise _malformed(request.env._("%(field)s must be a whole number.", field=key), index, key)
        value = int(value)
        low, high = RANGES[key]
        if not low <= value <= high:
            raise ApiError(
                422,
                "validation_error",
                request.env._(
                    "%(field)s %(value)s is outside %(low)s–%(high)s.", field=key, value=value, low=low, high=high
                ),
                {"index": index, "field": key},
            )
    return value


class CareApi(CityApiBase):
    @http.route(
        f"{API_PREFIX}/care/events",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,  # auth="none" routes default to a read-only cursor (a replica when configured)
    )
    def care_events(self):
        """One event (a JSON object with ``event_id``) or a batch ``{"events": [...]}`` of up to 1000."""

        def handler(payload):
            if not request.env.user.has_group(GATEWAY_GROUP) and not request.env.user.has_group(
                "city_special_care.group_city_special_care_manager"
            ):
                raise ApiError(403, "forbidden", request.env._("This API key may not post device events."))
            single = "events" not in payload
            raw_events = [payload] if single else payload["events"]
            if not isinstance(raw_events, list) or not raw_events:
                raise ApiError(400, "malformed", request.env._("events must be a non-empty list."), {"field": "events"})
            if len(raw_events) > MAX_BATCH:
                raise ApiError(
                    413,
                    "payload_too_large",
                    request.env._("At most %(max)s events per request.", max=MAX_BATCH),
                    {"limit": MAX_BATCH},
                )
            events = [self._care_event(event, index) for index, event in enumerate(raw_events)]
            devices = self._care_devices(events)
            env = request.env(su=True)
            results = env["city.care.event"].with_context(city_care_event_capture=True)._ingest(devices, events)
            accepted = sum(1 for result in results if result["status"] == "accepted")
            status = 201 if accepted else 200
            if single:
                return status, {"data": results[0]}
            return status, {
                "data": results,
                "accepted": accepted,
                "duplicates": len(results) - accepted,
            }

        return self._api_call(handler, body=True)

    @staticmethod
    def _care_event(event, index):
        if not isinstance(event, dict):
            raise _malformed(request.env._("Each event must be a JSON object."), index)
        event_id = event.get("event_id")
        if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 64:
            raise _malformed(
                request.env._("event_id must be a string of 1 to 64 characters, unique per device."), index, "event_id"
            )
        imei = event.get("imei")
        if not isinstance(imei, str):
            raise _malformed(request.env._("imei must be a string."), index, "imei")
        imei = normalize_imei(imei)
        if imei_error(imei):
            raise ApiError(
                422,
                "validation_error",
                request.env._("imei %(imei)s is not a valid IMEI.", imei=imei),
                {"index": index, "field": "imei"},
            )
        kind = event.get("type")
        if kind not in KINDS:
            raise _malformed(request.env._("type must be one of %(kinds)s.", kinds=", ".join(KINDS)), index, "type")
        result = {
            "event_id": event_id.strip(),
            "imei": imei,
            "kind": kind,
            "occurred_at": api_moment(event.get("occurred_at"), index, max_age_days=MAX_EVENT_AGE_DAYS),
            "latitude": None,
            "longitude": None,
        }
        location = event.get("location")
        if location is not None:
            if not isinstance(location, dict):
                raise _malformed(request.env._("location must be an object."), index, "location")
            lat = _number(location, "lat", index, integer=False)
            lng = _number(location, "lng", index, integer=False)
            if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ApiError(
                    422,
                    "validation_error",
                    request.env._("location needs lat (-90..90) and lng (-180..180)."),
                    {"index": index, "field": "location"},
                )
            result.update(
                latitude=round(lat, 7), longitude=round(lng, 7), accuracy=_number(location, "accuracy", index)
            )
        elif kind == "location":
            raise _malformed(request.env._("A location report needs a location."), index, "location")
        pressure = event.get("blood_pressure")
        if pressure is not None:
            if not isinstance(pressure, dict):
                raise _malformed(request.env._("blood_pressure must be an object."), index, "blood_pressure")
            result["systolic"] = _number(pressure, "systolic", index)
            result["diastolic"] = _number(pressure, "diastolic", index)
        result["heart_rate"] = _number(event, "heart_rate", index)
        result["spo2"] = _number(event, "spo2", index)
        result["battery"] = _number(event, "battery", index)
        if kind == "vitals" and all(result.get(key) is None for key in ("heart_rate", "systolic", "diastolic", "spo2")):
            raise _malformed(request.env._("A vital-signs event needs at least one reading."), index)
        return result

    @staticmethod
    def _care_devices(events):
        """``{imei: (device_id, recipient_id, low_battery_percent)}``; 422 for unknown or unused devices."""
        imeis = sorted({event["imei"] for event in events})
        request.env.cr.execute(
            SQL(
                """
                SELECT d.imei, d.id, d.recipient_id, d.state, m.low_battery_percent
                  FROM city_care_device d JOIN city_care_device_model m ON m.id = d.model_id
                 WHERE d.imei = ANY(%s)
                """,
                imeis,
            )
        )
        found = {
            imei: (device_id, recipient_id, state, low)
            for imei, device_id, recipient_id, state, low in request.env.cr.fetchall()
        }
        for index, event in enumerate(events):
            device = found.get(event["imei"])
            if not device:
                raise ApiError(
                    422,
                    "unknown_device",
                    request.env._("No device with IMEI %(imei)s is registered.", imei=event["imei"]),
                    {"index": index, "field": "imei"},
                )
            if device[2] != "active":
                raise ApiError(
                    422,
                    "device_not_in_use",
                    request.env._("The device %(imei)s is not in use (in stock or retired).", imei=event["imei"]),
                    {"index": index, "field": "imei"},
                )
        return {imei: (device_id, recipient_id, low) for imei, (device_id, recipient_id, _state, low) in found.items()}
