"""Traceability endpoints of the city data interface (``/api/city/v1/trace/...``).

``POST /trace/events`` captures an EPCIS 2.0 JSON(-LD) document (the subset documented in
``tools/epcis_json.py`` and in the OpenAPI description). Who records:

* an enterprise portal user's key records for its own enterprise (the user's commercial partner);
  a ``sender`` (or ``enterprise_uscc``) naming another enterprise is refused with 403;
* a traceability officer's key records for the enterprise the document names in ``sender``
  (``urn:city:uscc:<USCC>`` or ``https://<host>/417/<GLN>``) or ``enterprise_uscc`` (the bare code);
* any other key is refused with 403.

Batches are all or nothing: when any event is invalid the answer is 422 ``validation_error``
with ``details.events``, one entry per invalid event (``index``, ``status`` "error", ``code``,
``message``, ``field``), and nothing is stored. Otherwise the answer is 200 with one result per
event, in order (``index``, ``status`` "created" or "duplicate", ``event_hash``); an event
captured before (same hash) is a duplicate and stores nothing. At most
``city_trace.api_max_events`` events (system parameter, default 1000) per document (413 beyond).

``GET /trace/events?lot=<Digital Link>`` (or ``?gtin=<GTIN>&lot=<batch>``, ``limit`` up to 1000,
``offset``) returns the events naming a batch that the key's user may read (an enterprise its own
events, officers and supervisors all) as an EPCIS 2.0 document, in time order; sending that
document back is a no-op (every event a duplicate).
"""

import datetime

from odoo import http
from odoo.http import request

from odoo.addons.city_base.controllers.api import API_PREFIX, ApiError, CityApiBase

from ..tools import epcis, epcis_json, gs1

DEFAULT_MAX_EVENTS = 1000
# JSON path of the logical fields of a draft, for the ``field`` of a per-event error.
FIELD_PATHS = {
    "location": "bizLocation.id",
    "source": "sourceList",
    "destination": "destinationList",
}


class TraceApi(CityApiBase):
    @staticmethod
    def _trace_max_events():
        value = request.env["ir.config_parameter"].sudo().get_param("city_trace.api_max_events")
        try:
            return max(1, int(value or DEFAULT_MAX_EVENTS))
        except ValueError:
            return DEFAULT_MAX_EVENTS

    @staticmethod
    def _trace_party(sender):
        """The enterprise that records the document's events, as a draft party; 403 when the key may not."""
        env = request.env
        user = env.user
        if user.has_group("city_trace.group_city_trace_user"):
            if not sender:
                raise ApiError(
                    400,
                    "malformed",
                    env._("Name the enterprise that records the events: sender or enterprise_uscc."),
                    {"field": "sender"},
                )
            return sender
        own = user.commercial_partner_id
        if not (user.has_group("city_base.group_city_base_business") and own.trace_enterprise):
            raise ApiError(403, "forbidden", env._("This key may not record trace events."))
        if sender and sender not in (("uscc", own.uscc), ("gln", own.gln)):
            raise ApiError(
                403,
                "forbidden",
                env._("You can only record events of your own enterprise, not of %(party)s.", party=sender[1]),
                {"field": "sender"},
            )
        return ("id", own.id)

    @staticmethod
    def _trace_error(error):
        """The per-event error entry of a DraftError, its field as a JSON path in the document."""
        event_path = f"epcisBody.eventList[{error.index}]"
        field = error.obj["ref"] if error.obj is not None else FIELD_PATHS.get(error.field, error.field)
        if error.field == "party":
            field = "sender"
        elif not field:
            field = event_path
        elif not field.startswith("epcisBody"):
            field = f"{event_path}.{field}"
        return {
            "index": error.index,
            "status": "error",
            "event_hash": None,
            "code": error.code,
            "message": error.message(request.env),
            "field": field,
        }

    def _trace_invalid(self, errors, total):
        env = request.env
        return ApiError(
            422,
            "validation_error",
            env._("%(count)s of %(total)s events are invalid; nothing was stored.", count=len(errors), total=total),
            {"events": [self._trace_error(error) for error in errors]},
        )

    def _trace_drafts(self, payload):
        env = request.env
        try:
            sender, events = epcis_json.parse_document(payload)
        except epcis_json.DraftError as error:
            raise ApiError(400, "malformed", error.message(env), {"field": error.field}) from error
        limit = self._trace_max_events()
        if len(events) > limit:
            raise ApiError(
                413,
                "payload_too_large",
                env._("At most %(max)s events per document.", max=limit),
                {"limit": limit},
            )
        party = self._trace_party(sender)
        now = datetime.datetime.utcnow()
        drafts, errors = [], []
        for index, event in enumerate(events):
            try:
                draft = epcis_json.parse_event(event, index, now)
            except epcis_json.DraftError as error:
                error.index = index
                errors.append(error)
                continue
            draft["party"] = party
            drafts.append(draft)
        if errors:
            # report the problems of the other events too (unknown batches...), in one answer
            errors += epcis_json.DraftCapture(env, channel="api").check(drafts)
            raise self._trace_invalid(sorted(errors, key=lambda error: error.index), len(events))
        return drafts

    @http.route(
        f"{API_PREFIX}/trace/events", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def trace_events_capture(self):
        def handler(payload):
            drafts = self._trace_drafts(payload)
            try:
                results = epcis_json.DraftCapture(request.env, channel="api").capture(drafts)
            except epcis_json.CaptureError as error:
                raise self._trace_invalid(error.errors, len(drafts)) from error
            events = [
                {
                    "index": index,
                    "status": result["status"],
                    "event_hash": result["event"].sudo().hash_uri,
                    "event_id": draft["client_event_id"] or (draft["declaration"] or {}).get("target"),
                    "code": None,
                    "message": None,
                }
                for index, (draft, result) in enumerate(zip(drafts, results, strict=True))
            ]
            created = sum(1 for event in events if event["status"] == "created")
            return {"data": {"created": created, "duplicates": len(events) - created, "events": events}}

        return self._api_call(handler, body=True)

    # ------------------------------------------------------------------
    # Query: the events of a batch
    # ------------------------------------------------------------------
    @staticmethod
    def _trace_lot(params):
        env = request.env
        value = (params.get("lot") or "").strip()
        if not value:
            raise ApiError(400, "malformed", env._("Send the batch: lot=<Digital Link>."), {"field": "lot"})
        try:
            if "/01/" in value or value.startswith("01/"):
                link = gs1.parse_digital_link(value)
            else:
                link = gs1.parse_digital_link(f"/01/{(params.get('gtin') or '').strip()}/10/{value}")
        except gs1.DigitalLinkError as error:
            raise ApiError(
                400,
                "malformed",
                env._("%(value)s does not name a batch (a GS1 Digital Link /01/<GTIN>/10/<batch>).", value=value),
                {"field": "lot", "error": error.code},
            ) from error
        if not link["lot"]:
            raise ApiError(400, "malformed", env._("The Digital Link names no batch (10)."), {"field": "lot"})
        lot_sudo = (
            env["city.trace.lot"]
            .sudo()
            .search([("product_id.gtin", "=", link["gtin"]), ("name", "=", link["lot"])], limit=1)
        )
        if not lot_sudo:
            raise ApiError(404, "not_found", env._("No batch %(lot)s is registered.", lot=value), {"field": "lot"})
        return lot_sudo

    @http.route(
        f"{API_PREFIX}/trace/events", type="http", auth="public", methods=["GET"], csrf=False, save_session=False
    )
    def trace_events_query(self, **params):
        def handler(_payload):
            env = request.env
            try:
                limit = int(params.get("limit", 100))
                offset = int(params.get("offset", 0))
            except ValueError as error:
                raise ApiError(400, "malformed", env._("limit and offset must be integers.")) from error
            if not 1 <= limit <= DEFAULT_MAX_EVENTS or offset < 0:
                raise ApiError(400, "malformed", env._("limit must be 1 to 1000 and offset at least 0."))
            Event = env["city.trace.event"]
            Event.check_access("read")
            # the events naming the batch (through its serial items too, which an enterprise may not
            # read), then those of them the user may read
            lot_sudo = self._trace_lot(params)
            domain = [("id", "in", Event.sudo()._search(lot_sudo._events_domain()))]
            events = Event.search(domain, order="event_time, id", limit=limit, offset=offset)
            host = env["city.trace.product"].sudo()._digital_link_domain()
            events_sudo = events.sudo()
            return {
                "data": {
                    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                    "type": "EPCISDocument",
                    "schemaVersion": "2.0",
                    "creationDate": epcis.utc_iso(datetime.datetime.utcnow()),
                    "epcisBody": {"eventList": [epcis_json.event_json(event, host) for event in events_sudo]},
                },
                "total": Event.search_count(domain),
            }

        return self._api_call(handler)
