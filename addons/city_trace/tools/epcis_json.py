"""EPCIS 2.0 JSON(-LD) capture documents and the capture of event *drafts*.

Two layers:

* :func:`parse_document` turns an EPCIS 2.0 JSON or JSON-LD document into *drafts*, pure Python
  (no database): the event fields in the trace store's vocabulary with their objects still named
  by GS1 keys (GTIN + batch, GTIN + serial, SSCC, GLN, USCC). The file import builds the same
  drafts from spreadsheet rows.
* :class:`DraftCapture` resolves the keys of a batch of drafts in a few set-based lookups (products
  by GTIN, lots by (product, batch), serial items, logistic units, locations, parties, declared
  events), creates the lots a draft commissions, and records everything with
  ``city.trace.event._capture``, all or nothing.

Supported subset of EPCIS 2.0 (JSON-LD with the standard ``@context``, read as plain JSON: the
compact names below, no other vocabulary expansion)::

    {"@context": [...], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "...",
     "sender": "urn:city:uscc:<USCC>" | "https://id.gs1.org/417/<GLN>",   (or "enterprise_uscc")
     "epcisBody": {"eventList": [event, ...]}}

* ``type``: ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent.
* ``eventTime`` (ISO 8601 with its offset, stored in UTC) and ``eventTimeZoneOffset`` (``+08:00``;
  taken from ``eventTime`` when absent); at most 10 minutes in the future.
* ``action`` ADD / OBSERVE / DELETE (none for a TransformationEvent).
* ``bizStep`` and ``disposition``: CBV 2.0 codes of ``tools/epcis.py``, bare (``shipping``), as URN
  (``urn:epcglobal:cbv:bizstep:shipping``) or web URI (``https://ref.gs1.org/cbv/BizStep-shipping``).
* ``bizLocation.id`` (else ``readPoint.id``), optional: a GLN as ``https://<host>/414/<GLN>`` (a
  ``/254/`` extension is ignored) or ``urn:epc:id:sgln:<prefix>.<ref>.<ext>``; it names a
  registered ``city.trace.location`` by its GLN.
* What: ``epcList``, ``childEPCs``, ``inputEPCList``, ``outputEPCList`` and ``parentID`` hold instances:
  serial items ``https://<host>/01/<GTIN>[/10/<batch>]/21/<serial>`` (or ``urn:epc:id:sgtin:``) and
  logistic units ``https://<host>/00/<SSCC>`` (or ``urn:epc:id:sscc:``); ``parentID`` is an SSCC.
  ``quantityList``, ``childQuantityList``, ``inputQuantityList`` and ``outputQuantityList`` hold lots:
  ``{"epcClass": "https://<host>/01/<GTIN>/10/<batch>" (or urn:epc:class:lgtin:), "quantity": 20,
  "uom": "KGM"}``; ``quantity`` > 0 is optional, ``uom`` (UN/CEFACT: KGM, TNE, LTR, H87/EA/C62,
  BX, BG, BO) must be the product's unit when given.
* ``sourceList`` / ``destinationList``: entries of type ``owning_party`` or ``possessing_party``
  (bare, URN or web URI) naming one traceability enterprise as ``urn:city:uscc:<USCC>``,
  ``https://<host>/417/<GLN>`` or ``urn:epc:id:pgln:``; every entry of a list must name the same
  enterprise.
* ``bizTransactionList``: at most one ``{"type": "po" | "desadv" | "recadv" | "inv" | "prodorder" |
  "testprd" (any spelling), "bizTransaction": "<document number or URI>"}``.
* ``eventID``: kept as the sender's event id (``client_event_id``).
* ``errorDeclaration`` ``{"declarationTime", "reason": "did_not_occur" | "incorrect_data",
  "correctiveEventIDs": [...]}``: the event declares an error in the enterprise's event whose id is
  its ``eventID``, either the sender's own event id or the hash id ``ni:///sha-256;<hex>?ver=CBV2.0``
  (the same forms for the corrective events, which may be events of the same document). The
  declaration is stored at ``declarationTime`` (required); the copy of the declared event's fields
  is not re-read.
* Anything else (``ilmd``, ``sensorElementList``, ``certificationInfo``, extensions) is ignored.

Lots: a lot must exist, except that the lots an enterprise *makes* are created by the event that
makes them: an ObjectEvent with action ADD and business step ``commissioning``, or the output of a
TransformationEvent, naming an unknown batch of one of the enterprise's own products (brand owner)
with a quantity creates the lot (producer = the enterprise, production date = the event's local
date, quantity = the event's quantity, expiry from the product's shelf life). Serial items,
logistic units, locations and enterprises must exist. An enterprise user names only batches its
enterprise produced or has received (``city.trace.event._capture_check_custody``; a receiving
event may name any batch).

Errors carry stable codes (:data:`ERRORS`, also listed in the OpenAPI description).
"""

import datetime
import re
from collections import defaultdict
from urllib.parse import unquote, urlsplit

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools.translate import LazyTranslate

from odoo.addons.city_base.tools import validators

from . import epcis, gs1

_lt = LazyTranslate(__name__)

FUTURE_TOLERANCE = datetime.timedelta(minutes=10)
TZ_RE = re.compile(r"^[+-](0\d|1[0-4]):[0-5]\d$")
MAX_TEXT = 128
PARTY_TYPES = {"owning_party", "possessing_party"}
SDT_PREFIXES = ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-")
USCC_URN = "urn:city:uscc:"
# UN/CEFACT Recommendation 20 unit codes of EPCIS quantities -> the product units of city_trace.
UOM_CODES = {
    "KGM": "kg",
    "TNE": "ton",
    "LTR": "litre",
    "H87": "piece",
    "EA": "piece",
    "C62": "piece",
    "BX": "box",
    "BG": "bag",
    "BO": "bottle",
}
# The object lists of each event type: (JSON key, role, holds lots (quantity list) or instances).
OBJECT_LISTS = {
    "object": (("epcList", "epc", False), ("quantityList", "epc", True)),
    "transaction": (("epcList", "epc", False), ("quantityList", "epc", True)),
    "aggregation": (("childEPCs", "child", False), ("childQuantityList", "child", True)),
    "transformation": (
        ("inputEPCList", "input", False),
        ("inputQuantityList", "input", True),
        ("outputEPCList", "output", False),
        ("outputQuantityList", "output", True),
    ),
}

# Stable error codes of a draft (the API's per-event ``code``) and their messages.
ERRORS = {
    "malformed": _lt("%(field)s is missing or not in the expected form."),
    "unsupported_event_type": _lt(
        "Event type %(value)s is not supported: use ObjectEvent, AggregationEvent, TransformationEvent or "
        "TransactionEvent."
    ),
    "invalid_time": _lt("%(value)s is not an ISO 8601 date and time with its time zone offset."),
    "future_time": _lt("The event time %(value)s is in the future."),
    "invalid_timezone": _lt("The time zone offset must look like +08:00, not %(value)s."),
    "invalid_action": _lt("The action must be ADD, OBSERVE or DELETE (none for a transformation), not %(value)s."),
    "unknown_biz_step": _lt("%(value)s is not a supported business step."),
    "unknown_disposition": _lt("%(value)s is not a supported disposition."),
    "unknown_transaction_type": _lt("%(value)s is not a supported business document type."),
    "multiple_transactions": _lt("An event can name one business document only."),
    "invalid_identifier": _lt("%(value)s is not a supported identifier here."),
    "invalid_gtin": _lt("%(value)s: the GTIN has a wrong length or check digit."),
    "invalid_digital_link": _lt(
        "%(value)s is not a valid GS1 Digital Link (unknown or repeated qualifier, qualifiers out of the "
        "order /22/10/21, or an invalid batch or serial number)."
    ),
    "invalid_sscc": _lt("%(value)s: the SSCC has a wrong length or check digit."),
    "invalid_gln": _lt("%(value)s: the GLN has a wrong length or check digit."),
    "invalid_uscc": _lt("%(value)s is not a valid unified social credit code."),
    "class_in_epc_list": _lt("%(value)s names a batch, not an item: send it in a quantity list."),
    "lot_required": _lt("%(value)s names no batch (10): quantities are recorded per batch."),
    "invalid_parent": _lt("The parent %(value)s must be a logistic unit (SSCC)."),
    "invalid_quantity": _lt("The quantity must be a positive number, not %(value)s."),
    "quantity_required": _lt("Batch %(value)s is created by this event: give its quantity."),
    "uom_mismatch": _lt("%(value)s: the product is counted in %(unit)s."),
    "invalid_party_type": _lt("%(value)s is not supported: use owning_party or possessing_party."),
    "ambiguous_party": _lt("All entries of %(field)s must name the same enterprise."),
    "missing_objects": _lt("The event does not name any batch, serial item or logistic unit."),
    "missing_parent": _lt("An aggregation event needs one parent logistic unit (parentID)."),
    "missing_inputs_outputs": _lt("A transformation event needs at least one input and one output."),
    "missing_transaction": _lt("A transaction event needs its business document (bizTransactionList)."),
    "unknown_product": _lt("No product is registered with the GTIN %(value)s."),
    "unknown_lot": _lt("Batch %(lot)s of the product %(value)s is not registered."),
    "unknown_serial": _lt("Serial item %(serial)s of the product %(value)s is not registered."),
    "unknown_sscc": _lt("No logistic unit is registered with the SSCC %(value)s."),
    "unknown_party": _lt("No traceability enterprise is registered as %(value)s."),
    "unknown_location": _lt("No location is registered with the GLN %(value)s."),
    "forbidden_enterprise": _lt("You can only record events of your own enterprise, not of %(value)s."),
    "event_id_required": _lt("An error declaration needs the eventID of the event it declares erroneous."),
    "unknown_error_reason": _lt("%(value)s is not a supported error reason: did_not_occur or incorrect_data."),
    "unknown_event": _lt("The enterprise has no event with the id %(value)s."),
    "already_declared": _lt("The event %(value)s has already been declared erroneous."),
    # the event model refused the event: the message is the model's own (translated) message
    "invalid_event": None,
    "not_in_custody": None,  # a batch the enterprise neither produced nor received
}


class DraftError(Exception):
    """A problem of one draft: a stable ``code``, the ``field`` (a JSON path, or a logical field and
    the draft object ``obj`` it concerns) and the message parameters."""

    def __init__(self, code, field=None, obj=None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.obj = obj
        self.params = params
        self.index = None

    def message(self, env):
        """The message in the language of ``env``."""
        params = {"field": self.field or "", "value": "", **self.params}
        if ERRORS[self.code] is None:
            return str(params["value"])
        return ERRORS[self.code]._translate(env.lang or "en_US") % {key: str(value) for key, value in params.items()}


class CaptureError(Exception):
    """Raised by :meth:`DraftCapture.capture` with every :class:`DraftError` (``index`` set) found."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} invalid events")
        self.errors = errors


# ----------------------------------------------------------------------
# Pure parsing of identifiers, times and vocabularies
# ----------------------------------------------------------------------
def _path_parts(value):
    path = urlsplit(value).path if "://" in value else value.split("?")[0]
    return [unquote(part) for part in path.strip("/").split("/") if part]


def _urn_digits(company_prefix, reference, field, value):
    """The GS1 key body of an EPC URN: indicator/extension digit + company prefix + rest, with its check digit."""
    body = reference[:1] + company_prefix + reference[1:]
    if not body.isdigit():
        raise DraftError("invalid_identifier", field, value=value)
    return body + gs1.check_digit(body)


def _urn_fields(value, prefix, count, field):
    parts = value[len(prefix) :].split(".")
    if len(parts) != count or not all(parts):
        raise DraftError("invalid_identifier", field, value=value)
    return [unquote(part) for part in parts]


def _object_keys(value, field):
    """The GS1 keys written in an EPC URN or a Digital Link, not checked yet."""
    result = {"gtin": None, "lot": None, "serial": None, "sscc": None}
    if value.startswith("urn:epc:id:sgtin:"):
        prefix, item, serial = _urn_fields(value, "urn:epc:id:sgtin:", 3, field)
        result.update(gtin=_urn_digits(prefix, item, field, value), serial=serial)
    elif value.startswith("urn:epc:class:lgtin:"):
        prefix, item, lot = _urn_fields(value, "urn:epc:class:lgtin:", 3, field)
        result.update(gtin=_urn_digits(prefix, item, field, value), lot=lot)
    elif value.startswith("urn:epc:id:sscc:"):
        prefix, serial_ref = _urn_fields(value, "urn:epc:id:sscc:", 2, field)
        result["sscc"] = _urn_digits(prefix, serial_ref, field, value)
    elif value.startswith("urn:"):
        raise DraftError("invalid_identifier", field, value=value)
    else:
        parts = _path_parts(value)
        key = next((part for part in parts if part in ("00", "01")), None)
        if key == "00":
            sscc = parts[parts.index("00") + 1] if parts.index("00") + 1 < len(parts) else ""
            result["sscc"] = sscc
        elif key == "01":
            try:
                link = gs1.parse_digital_link(value)
            except gs1.DigitalLinkError as error:
                code = "invalid_gtin" if error.code == "gtin" else "invalid_digital_link"
                raise DraftError(code, field, value=value) from error
            result.update(gtin=link["gtin"], lot=link["lot"], serial=link["serial"])
        else:
            raise DraftError("invalid_identifier", field, value=value)
    return result


def parse_object(value, field, lot_expected):
    """An object identifier as ``{"gtin", "lot", "serial", "sscc"}`` (GS1 keys); raise a DraftError.

    ``lot_expected``: the value comes from a quantity list (a batch) rather than an EPC list (an instance).
    """
    if not isinstance(value, str) or not value.strip():
        raise DraftError("malformed", field)
    value = value.strip()
    result = _object_keys(value, field)
    if result["sscc"] is not None:
        if not gs1.is_valid_sscc(result["sscc"]):
            raise DraftError("invalid_sscc", field, value=value)
        if lot_expected:
            raise DraftError("lot_required", field, value=value)
        return result
    result["gtin"] = gs1.gtin14(result["gtin"])
    if not gs1.is_valid_gtin(result["gtin"]):
        raise DraftError("invalid_gtin", field, value=value)
    for key in ("lot", "serial"):
        if result[key] is not None and not gs1.is_valid_ai_text(result[key]):
            raise DraftError("invalid_digital_link", field, value=value)
    if lot_expected and (not result["lot"] or result["serial"]):
        raise DraftError("lot_required", field, value=value)
    if not lot_expected and not result["serial"]:
        raise DraftError("class_in_epc_list" if result["lot"] else "invalid_identifier", field, value=value)
    return result


def parse_gln(value, field, key="414"):
    """A GLN from ``https://<host>/414/<GLN>`` (``key`` 417 for a party) or an SGLN / PGLN URN."""
    if not isinstance(value, str) or not value.strip():
        raise DraftError("malformed", field)
    value = value.strip()
    urn = "urn:epc:id:sgln:" if key == "414" else "urn:epc:id:pgln:"
    if value.startswith(urn):
        parts = _urn_fields(value, urn, 3 if key == "414" else 2, field)
        body = parts[0] + parts[1]
        if not body.isdigit() or len(body) != 12:
            raise DraftError("invalid_gln", field, value=value)
        return body + gs1.check_digit(body)
    parts = _path_parts(value) if not value.startswith("urn:") else []
    if key not in parts or parts.index(key) + 1 >= len(parts):
        raise DraftError("invalid_identifier", field, value=value)
    gln = parts[parts.index(key) + 1]
    if not gs1.is_valid_gln(gln):
        raise DraftError("invalid_gln", field, value=value)
    return gln


def parse_party(value, field):
    """An enterprise as ``("uscc", code)`` or ``("gln", gln)``."""
    if isinstance(value, str) and value.strip().lower().startswith(USCC_URN):
        code = validators.normalize_uscc(value.strip()[len(USCC_URN) :])
        if validators.uscc_error(code):
            raise DraftError("invalid_uscc", field, value=value)
        return ("uscc", code)
    return ("gln", parse_gln(value, field, key="417"))


def parse_uscc(value, field):
    code = validators.normalize_uscc(value if isinstance(value, str) else "")
    if validators.uscc_error(code):
        raise DraftError("invalid_uscc", field, value=value)
    return ("uscc", code)


def parse_time(value, field, now):
    """An ISO 8601 time with offset as (naive UTC datetime, "+hh:mm")."""
    if not isinstance(value, str):
        raise DraftError("invalid_time", field, value=value)
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise DraftError("invalid_time", field, value=value) from error
    if moment.tzinfo is None:
        raise DraftError("invalid_time", field, value=value)
    offset = moment.utcoffset()
    utc = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    check_not_future(utc, field, now, value)
    return utc, format_offset(offset)


def check_not_future(utc, field, now, value=None):
    if utc > (now or datetime.datetime.utcnow()) + FUTURE_TOLERANCE:
        raise DraftError("future_time", field, value=value or utc.isoformat(sep=" ") + " UTC")


def format_offset(offset):
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_offset(value, field):
    if not isinstance(value, str) or not TZ_RE.match(value):
        raise DraftError("invalid_timezone", field, value=value)
    return value


def vocabulary(value, codes, error, field):
    """The bare CBV code of ``value`` if it is one of ``codes``; None for an empty value."""
    if value in (None, ""):
        return None
    code = epcis.cbv_code(value) if isinstance(value, str) else None
    if code not in codes:
        raise DraftError(error, field, value=value)
    return code


def check_shape(draft):
    """Raise a DraftError when a draft lacks the objects or document its event type needs."""
    roles = defaultdict(int)
    for obj in draft["objects"]:
        roles[obj["role"]] += 1
    event_type = draft["event_type"]
    if event_type == "transformation":
        if not roles["input"] or not roles["output"]:
            raise DraftError("missing_inputs_outputs", "objects")
    elif event_type == "aggregation":
        if roles["parent"] != 1:
            raise DraftError("missing_parent", "parentID")
        if not roles["child"] and draft["action"] != "OBSERVE":
            raise DraftError("missing_objects", "childEPCs")
    elif not roles["epc"]:
        raise DraftError("missing_objects", "epcList")
    if event_type == "transaction" and not draft.get("biz_transaction_ref"):
        raise DraftError("missing_transaction", "bizTransactionList")


def new_draft(index, ref=None):
    """An empty draft: the fields of one event before its GS1 keys are resolved to records."""
    return {
        "index": index,
        "ref": ref,
        "party": None,  # ("id", partner_id) | ("uscc", code) | ("gln", gln)
        "event_type": None,
        "action": None,
        "biz_step": None,
        "disposition": None,
        "event_time": None,
        "event_tz": "+08:00",
        "location": None,  # GLN
        "source": [],  # parties that must all be the same enterprise
        "destination": [],
        "biz_transaction_type": None,
        "biz_transaction_ref": None,
        "client_event_id": None,
        "declaration": None,  # {"target", "reason", "corrective": [...]}
        # {"role", "gtin", "lot", "serial", "sscc", "quantity", "uom", "ref"}
        "objects": [],
    }


# ----------------------------------------------------------------------
# EPCIS 2.0 JSON documents
# ----------------------------------------------------------------------
def parse_document(document):
    """Check the document envelope; return ``(sender party or None, events)`` or raise a DraftError
    (``field`` = the JSON path) for a document that is not an EPCIS 2.0 document."""
    if document.get("type") != "EPCISDocument":
        raise DraftError("malformed", "type")
    version = document.get("schemaVersion")
    if version is not None and not (isinstance(version, str) and version.startswith("2.")):
        raise DraftError("malformed", "schemaVersion")
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        raise DraftError("malformed", "epcisBody.eventList")
    party = None
    if document.get("sender") not in (None, ""):
        party = parse_party(document["sender"], "sender")
    if document.get("enterprise_uscc") not in (None, ""):
        other = parse_uscc(document["enterprise_uscc"], "enterprise_uscc")
        if party and party != other:
            raise DraftError("ambiguous_party", "sender")
        party = party or other
    return party, events


def parse_event(event, index, now=None):
    """One event of an EPCIS document as a draft; raise a DraftError with the JSON path of the problem."""
    path = f"epcisBody.eventList[{index}]"
    if not isinstance(event, dict):
        raise DraftError("malformed", path)
    draft = new_draft(index, ref=path)
    event_type = epcis.EPCIS_EVENT_TYPES.get(event.get("type"))
    if not event_type:
        raise DraftError("unsupported_event_type", "type", value=event.get("type"))
    draft["event_type"] = event_type
    action = event.get("action")
    if (event_type == "transformation") != (action is None) or (
        action is not None and action not in dict(epcis.ACTIONS)
    ):
        raise DraftError("invalid_action", "action", value=action)
    draft["action"] = action
    event_id = event.get("eventID")
    if event_id is not None:
        if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > MAX_TEXT:
            raise DraftError("malformed", "eventID")
        draft["client_event_id"] = event_id.strip()
    if event.get("errorDeclaration") is not None:
        return _parse_declaration(event, draft, now)
    draft["event_time"], offset = parse_time(event.get("eventTime"), "eventTime", now)
    draft["event_tz"] = parse_offset(event.get("eventTimeZoneOffset") or offset, "eventTimeZoneOffset")
    draft["biz_step"] = vocabulary(event.get("bizStep"), epcis.BIZ_STEP_CODES, "unknown_biz_step", "bizStep")
    draft["disposition"] = vocabulary(
        event.get("disposition"), epcis.DISPOSITION_CODES, "unknown_disposition", "disposition"
    )
    for key in ("bizLocation", "readPoint"):
        place = event.get(key)
        if place is not None:
            if not isinstance(place, dict):
                raise DraftError("malformed", key)
            draft["location"] = parse_gln(place.get("id"), f"{key}.id")
            break
    draft["source"] = _parse_parties(event.get("sourceList"), "sourceList", "source")
    draft["destination"] = _parse_parties(event.get("destinationList"), "destinationList", "destination")
    _parse_transactions(event.get("bizTransactionList"), draft)
    _parse_objects(event, draft)
    check_shape(draft)
    return draft


def _parse_declaration(event, draft, now):
    declaration = event["errorDeclaration"]
    if not isinstance(declaration, dict):
        raise DraftError("malformed", "errorDeclaration")
    if not draft["client_event_id"]:
        raise DraftError("event_id_required", "eventID")
    # required: a declaration sent again must be the same event (its hash includes this time)
    draft["event_time"], offset = parse_time(
        declaration.get("declarationTime"), "errorDeclaration.declarationTime", now
    )
    draft["event_tz"] = parse_offset(event.get("eventTimeZoneOffset") or offset, "eventTimeZoneOffset")
    reason = vocabulary(
        declaration.get("reason"), dict(epcis.ERROR_REASONS), "unknown_error_reason", "errorDeclaration.reason"
    )
    corrective = declaration.get("correctiveEventIDs") or []
    if not isinstance(corrective, list) or not all(isinstance(ref, str) and ref.strip() for ref in corrective):
        raise DraftError("malformed", "errorDeclaration.correctiveEventIDs")
    draft["declaration"] = {
        "target": draft.pop("client_event_id"),
        "reason": reason or "incorrect_data",
        "corrective": [ref.strip() for ref in corrective],
    }
    draft["client_event_id"] = None
    return draft


def _parse_parties(entries, key, name):
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise DraftError("malformed", key)
    parties = []
    for position, entry in enumerate(entries):
        field = f"{key}[{position}]"
        if not isinstance(entry, dict):
            raise DraftError("malformed", field)
        kind = entry.get("type")
        for prefix in SDT_PREFIXES:
            if isinstance(kind, str) and kind.startswith(prefix):
                kind = kind[len(prefix) :]
        if kind not in PARTY_TYPES:
            raise DraftError("invalid_party_type", f"{field}.type", value=entry.get("type"))
        party = parse_party(entry.get(name), f"{field}.{name}")
        if party not in parties:
            parties.append(party)
    return parties


def _parse_transactions(entries, draft):
    if entries is None:
        return
    if not isinstance(entries, list):
        raise DraftError("malformed", "bizTransactionList")
    if len(entries) > 1:
        raise DraftError("multiple_transactions", "bizTransactionList")
    for entry in entries:
        if not isinstance(entry, dict):
            raise DraftError("malformed", "bizTransactionList[0]")
        reference = entry.get("bizTransaction")
        if not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_TEXT:
            raise DraftError("malformed", "bizTransactionList[0].bizTransaction")
        draft["biz_transaction_type"] = vocabulary(
            entry.get("type"),
            dict(epcis.BIZ_TRANSACTION_TYPES),
            "unknown_transaction_type",
            "bizTransactionList[0].type",
        )
        draft["biz_transaction_ref"] = reference.strip()


def _parse_objects(event, draft):
    objects = draft["objects"]
    parent = event.get("parentID")
    if parent is not None:
        if draft["event_type"] not in ("aggregation", "transaction"):
            raise DraftError("malformed", "parentID")
        if not _is_sscc_link(parent):
            raise DraftError("invalid_parent", "parentID", value=parent)
        objects.append(_object("parent", parse_object(parent, "parentID", lot_expected=False), "parentID"))
    for key, role, lots in OBJECT_LISTS[draft["event_type"]]:
        entries = event.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise DraftError("malformed", key)
        for position, entry in enumerate(entries):
            field = f"{key}[{position}]"
            if not lots:
                objects.append(_object(role, parse_object(entry, field, lot_expected=False), field))
                continue
            if not isinstance(entry, dict):
                raise DraftError("malformed", field)
            obj = _object(role, parse_object(entry.get("epcClass"), f"{field}.epcClass", lot_expected=True), field)
            obj["quantity"] = _quantity(entry.get("quantity"), f"{field}.quantity")
            uom = entry.get("uom")
            if uom is not None:
                if uom not in UOM_CODES:
                    raise DraftError("uom_mismatch", f"{field}.uom", value=uom, unit="?")
                obj["uom"] = UOM_CODES[uom]
            objects.append(obj)


def _is_sscc_link(value):
    if not isinstance(value, str):
        return False
    if value.startswith("urn:epc:id:sscc:"):
        return True
    return not value.startswith("urn:") and next((p for p in _path_parts(value) if p in ("00", "01")), None) == "00"


def _object(role, keys, ref):
    return {"role": role, **keys, "quantity": None, "uom": None, "ref": ref}


def _quantity(value, field):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value > 1e12:
        raise DraftError("invalid_quantity", field, value=value)
    return float(value)


# ----------------------------------------------------------------------
# Resolution and capture (the one place with database lookups)
# ----------------------------------------------------------------------
class DraftCapture:
    """Resolve the GS1 keys of drafts to records in a few batched lookups and capture them.

    ``env`` is the capturing user's environment: lookups run as superuser (an enterprise names lots
    and partners it cannot read), the capture itself as the user, so that an enterprise user records
    for its own enterprise only. Every problem is collected per draft; :meth:`capture` records all
    drafts or nothing.
    """

    def __init__(self, env, channel="api"):
        self.env = env
        self.channel = channel
        self.officer = env.su or env.user.has_group("city_trace.group_city_trace_user")
        self.own = env.user.commercial_partner_id
        self.found = {}
        self.new_lots = {}

    # -- lookups -----------------------------------------------------------
    def _lookup(self, drafts):
        sudo = self.env(su=True)
        objects = [obj for draft in drafts for obj in draft["objects"]]
        gtins = {obj["gtin"] for obj in objects if obj["gtin"]}
        products = {
            product.gtin: product
            for product in sudo["city.trace.product"]
            .with_context(active_test=False)
            .search_fetch([("gtin", "in", list(gtins))], ["gtin", "partner_id", "uom"])
        }
        product_ids = [product.id for product in products.values()]
        lot_names = {obj["lot"] for obj in objects if obj["lot"] and not obj["serial"]}
        lots = {}
        if lot_names and product_ids:
            for lot in sudo["city.trace.lot"].search_fetch(
                [("product_id", "in", product_ids), ("name", "in", list(lot_names))], ["product_id", "name"]
            ):
                lots[lot.product_id.id, lot.name] = lot.id
        serial_names = {obj["serial"] for obj in objects if obj["serial"]}
        serials = {}
        if serial_names and product_ids:
            for serial in sudo["city.trace.serial"].search_fetch(
                [("product_id", "in", product_ids), ("name", "in", list(serial_names))],
                ["product_id", "name", "lot_id"],
            ):
                serials[serial.product_id.id, serial.name] = (serial.id, serial.lot_id.name)
        ssccs = {obj["sscc"] for obj in objects if obj["sscc"]}
        units = {
            unit.sscc: unit.id
            for unit in sudo["city.trace.logistic.unit"].search_fetch([("sscc", "in", list(ssccs))], ["sscc"])
        }
        glns = {draft["location"] for draft in drafts if draft["location"]}
        locations = {
            location.gln: location.id
            for location in sudo["city.trace.location"].search_fetch([("gln", "in", list(glns))], ["gln"])
        }
        return {
            "products": products,
            "lots": lots,
            "serials": serials,
            "units": units,
            "locations": locations,
            "parties": self._lookup_parties(drafts),
        }

    def _lookup_parties(self, drafts):
        refs = defaultdict(set)
        for draft in drafts:
            for party in [draft["party"], *draft["source"], *draft["destination"]]:
                if party:
                    refs[party[0]].add(party[1])
        domains = [[(kind, "in", list(values))] for kind, values in refs.items() if values]
        found = {}
        if domains:
            partners = self.env(su=True)["res.partner"].search_fetch(
                expression.AND([[("trace_enterprise", "=", True)], expression.OR(domains)]),
                ["uscc", "gln", "parent_id"],
            )
            for partner in partners:
                found["id", partner.id] = partner.id
                if partner.uscc and not partner.parent_id:
                    found["uscc", partner.uscc] = partner.id
                if partner.gln:
                    # a GLN two enterprises claim names neither of them
                    found["gln", partner.gln] = partner.id if ("gln", partner.gln) not in found else None
        return found

    # -- mapping -------------------------------------------------------------
    def _party_id(self, party, field, found):
        partner_id = found.get(tuple(party))
        if not partner_id:
            raise DraftError("unknown_party", field, value=party[1])
        return partner_id

    def _enterprise(self, draft, found):
        if not draft["party"]:
            raise DraftError("malformed", "party")
        partner_id = self._party_id(draft["party"], "party", found)
        if not self.officer and partner_id != self.own.id:
            raise DraftError("forbidden_enterprise", "party", value=draft["party"][1])
        return partner_id

    @staticmethod
    def _creates_lot(draft, obj):
        """Whether this object of this draft makes its lot (commissioning, transformation output)."""
        if draft["event_type"] == "transformation":
            return obj["role"] == "output"
        return (
            draft["event_type"] == "object"
            and draft["action"] == "ADD"
            and draft["biz_step"] == "commissioning"
            and obj["role"] == "epc"
        )

    def _line(self, draft, obj, partner_id, found, new_lots):
        """The ``_capture`` line of one object; a lot to create is registered in ``new_lots``."""
        if obj["sscc"]:
            unit_id = found["units"].get(obj["sscc"])
            if not unit_id:
                raise DraftError("unknown_sscc", "sscc", obj, value=obj["sscc"])
            return {"role": obj["role"], "unit_id": unit_id, "quantity": obj["quantity"]}
        product = found["products"].get(obj["gtin"])
        if not product:
            raise DraftError("unknown_product", "gtin", obj, value=obj["gtin"])
        if obj["uom"] and obj["uom"] != product.uom:
            raise DraftError("uom_mismatch", "uom", obj, value=obj["gtin"], unit=product.uom)
        if obj["serial"]:
            serial = found["serials"].get((product.id, obj["serial"]))
            if not serial or (obj["lot"] and serial[1] != obj["lot"]):
                raise DraftError("unknown_serial", "serial", obj, value=obj["gtin"], serial=obj["serial"])
            return {"role": obj["role"], "serial_id": serial[0], "quantity": obj["quantity"]}
        key = (product.id, obj["lot"])
        line = {"role": obj["role"], "lot_id": found["lots"].get(key), "quantity": obj["quantity"], "key": key}
        if line["lot_id"] or key in new_lots:
            return line
        if self._creates_lot(draft, obj) and product.partner_id.id == partner_id:
            if not obj["quantity"]:
                raise DraftError("quantity_required", "quantity", obj, value=obj["lot"])
            new_lots[key] = {"draft": draft, "partner_id": partner_id, "quantity": obj["quantity"]}
            return line
        raise DraftError("unknown_lot", "lot", obj, value=obj["gtin"], lot=obj["lot"])

    def _vals(self, draft, found, new_lots):
        partner_id = self._enterprise(draft, found["parties"])
        vals = {
            key: draft[key]
            for key in (
                "event_type",
                "action",
                "biz_step",
                "disposition",
                "event_time",
                "event_tz",
                "biz_transaction_type",
                "biz_transaction_ref",
                "client_event_id",
            )
        }
        vals["partner_id"] = partner_id
        if draft["location"]:
            vals["location_id"] = found["locations"].get(draft["location"])
            if not vals["location_id"]:
                raise DraftError("unknown_location", "location", value=draft["location"])
        for key, field in (("source", "source_partner_id"), ("destination", "dest_partner_id")):
            partner_ids = {self._party_id(party, key, found["parties"]) for party in draft[key]}
            if len(partner_ids) > 1:
                raise DraftError("ambiguous_party", key)
            if partner_ids:
                vals[field] = partner_ids.pop()
        vals["lines"] = [self._line(draft, obj, partner_id, found, new_lots) for obj in draft["objects"]]
        return vals

    def _create_lots(self, new_lots, vals_by_draft):
        """Create the lots the drafts commission, in one batch, and fill in their ids."""
        if not new_lots:
            return
        keys = list(new_lots)
        values = []
        for product_id, name in keys:
            info = new_lots[product_id, name]
            draft = info["draft"]
            local = draft["event_time"] + offset_delta(draft["event_tz"])
            location_id = vals_by_draft[draft["index"]].get("location_id")
            values.append(
                {
                    "name": name,
                    "product_id": product_id,
                    "partner_id": info["partner_id"],
                    "production_date": local.date(),
                    "quantity": info["quantity"],
                    "location_id": location_id or False,
                }
            )
        lots_sudo = self.env(su=True)["city.trace.lot"].with_context(tracking_disable=True).create(values)
        created = dict(zip(keys, lots_sudo.ids, strict=True))
        for vals in vals_by_draft.values():
            for line in vals["lines"]:
                if line.get("key") in created and not line.get("lot_id"):
                    line["lot_id"] = created[line["key"]]

    # -- declarations ----------------------------------------------------------
    def _event_ids(self, refs_by_partner, document_ids):
        """``{(partner_id, ref): (event id, declared)}`` of events named by the sender's id or hash id."""
        Event = self.env(su=True)["city.trace.event"]
        found = {}
        for partner_id, refs in refs_by_partner.items():
            hashes = {ref: _hash_of(ref) for ref in refs if _hash_of(ref)}
            client_refs = [ref for ref in refs if ref not in hashes]
            domain = [("partner_id", "=", partner_id), ("declares_error_of_id", "=", False)]
            if client_refs:
                for event in Event.search_fetch(
                    [*domain, ("client_event_id", "in", client_refs)], ["client_event_id", "is_erroneous"], order="id"
                ):
                    found[partner_id, event.client_event_id] = (event.id, event.is_erroneous)
            if hashes:
                by_hash = {digest: ref for ref, digest in hashes.items()}
                for event in Event.search_fetch(
                    [*domain, ("event_hash", "in", list(by_hash))], ["event_hash", "is_erroneous"]
                ):
                    found[partner_id, by_hash[event.event_hash]] = (event.id, event.is_erroneous)
        for key, event_id in document_ids.items():
            found.setdefault(key, (event_id, False))
        return found

    def _declaration_vals(self, drafts, found, document_ids):
        """The vals of the error declarations among the drafts (after the other drafts are captured)."""
        parties = found["parties"]
        refs = defaultdict(set)
        partner_of = {}
        errors = []
        for draft in drafts:
            try:
                partner_of[draft["index"]] = self._enterprise(draft, parties)
            except DraftError as error:
                error.index = draft["index"]
                errors.append(error)
                continue
            declaration = draft["declaration"]
            refs[partner_of[draft["index"]]].update([declaration["target"], *declaration["corrective"]])
        events = self._event_ids(refs, document_ids)
        result = {}
        for draft in drafts:
            if draft["index"] not in partner_of:
                continue
            try:
                result[draft["index"]] = self._declaration(draft, partner_of[draft["index"]], events)
            except DraftError as error:
                error.index = draft["index"]
                errors.append(error)
        return result, errors

    @staticmethod
    def _declaration(draft, partner_id, events):
        declaration = draft["declaration"]
        ids = []
        for ref, field in [
            (declaration["target"], "eventID"),
            *((ref, "errorDeclaration.correctiveEventIDs") for ref in declaration["corrective"]),
        ]:
            if (partner_id, ref) not in events:
                raise DraftError("unknown_event", field, value=ref)
            ids.append(events[partner_id, ref][0])
        return {
            "event_type": draft["event_type"],
            "action": draft["action"],
            "event_time": draft["event_time"],
            "event_tz": draft["event_tz"],
            "partner_id": partner_id,
            "declares_error_of_id": ids[0],
            "error_reason": declaration["reason"],
            "corrective_event_ids": ids[1:],
            "lines": [],
            "_declared": events[partner_id, declaration["target"]][1],
            "_target": declaration["target"],
        }

    def _split_declaration_duplicates(self, vals_by_index):
        """Declarations already captured (a replayed document) are duplicates, not a second declaration."""
        Event = self.env["city.trace.event"].sudo()
        duplicates = {}
        if not vals_by_index:
            return duplicates
        vals_list = list(vals_by_index.values())
        names = Event._capture_identifiers(vals_list)
        ids = {vals["declares_error_of_id"] for vals in vals_list} | {
            i for vals in vals_list for i in vals["corrective_event_ids"]
        }
        hashes_of = {event.id: event.event_hash for event in Event.browse(ids)}
        digests = {index: Event._capture_hash(vals, names, hashes_of) for index, vals in vals_by_index.items()}
        existing = {
            event.event_hash: event
            for event in Event.search_fetch([("event_hash", "in", list(digests.values()))], ["event_hash"])
        }
        for index, digest in digests.items():
            if digest in existing:
                duplicates[index] = existing[digest]
        return duplicates

    # -- capture -------------------------------------------------------------
    def resolve(self, drafts):
        """``({draft index: vals}, errors)`` for the drafts that are not error declarations; creates
        nothing (lots to create are left in ``self.new_lots``)."""
        found = self._lookup(drafts)
        self.found = found
        self.new_lots = {}
        vals_by_draft, errors = {}, []
        # drafts that make lots first: another draft may name a lot made by a later one of the batch
        making = [draft for draft in drafts if any(self._creates_lot(draft, obj) for obj in draft["objects"])]
        making_ids = {id(draft) for draft in making}
        for draft in making + [draft for draft in drafts if id(draft) not in making_ids]:
            if draft["declaration"]:
                continue
            try:
                vals_by_draft[draft["index"]] = self._vals(draft, found, self.new_lots)
            except DraftError as error:
                error.index = draft["index"]
                errors.append(error)
        return vals_by_draft, errors

    def check(self, drafts):
        """Every problem of the drafts that are not error declarations; nothing is created."""
        vals_by_draft, errors = self.resolve(drafts)
        return sorted(errors + self._validate(vals_by_draft), key=lambda error: error.index)

    def _validate(self, vals_by_draft):
        """The event model's own checks, per draft, so that a problem names its event."""
        Event = self.env["city.trace.event"]
        errors = []
        custody = {}
        for index, vals in vals_by_draft.items():
            # a batch to be created by the event is not in the database yet: -1 stands for it
            check = dict(vals, lines=[dict(line, lot_id=line.get("lot_id") or -1) for line in vals["lines"]])
            try:
                Event._capture_validate(check)
            except (ValidationError, UserError) as error:
                errors.append(_indexed(DraftError("invalid_event", value=error.args[0]), index))
                continue
            # a batch the enterprise makes is in its custody by definition
            lines = [line for line in vals["lines"] if line.get("lot_id") or "key" not in line]
            custody[index] = dict(vals, lines=lines)
        try:
            Event._capture_check_custody(list(custody.values()))
        except AccessError:
            # the failing path only: find the events naming batches the enterprise never held
            for index, vals in custody.items():
                try:
                    Event._capture_check_custody([vals])
                except AccessError as error:
                    errors.append(_indexed(DraftError("not_in_custody", value=error.args[0]), index))
        return errors

    def prepare(self, drafts):
        """``{draft index: vals}`` ready for ``_capture``, for the drafts that are not error declarations.

        Raises :class:`CaptureError` with every problem found; otherwise creates the lots the drafts
        make (run it in a transaction that is rolled back when the capture fails).
        """
        vals_by_draft, errors = self.resolve(drafts)
        errors += self._validate(vals_by_draft)
        if errors:
            raise CaptureError(sorted(errors, key=lambda error: error.index))
        self._create_lots(self.new_lots, vals_by_draft)
        for vals in vals_by_draft.values():
            for line in vals["lines"]:
                line.pop("key", None)
        return vals_by_draft

    def capture(self, drafts):
        """Capture every draft or none: return one ``{"status": "created" | "duplicate", "event"}`` per
        draft, in order, or raise :class:`CaptureError` with every problem found (nothing kept)."""
        with self.env.cr.savepoint():
            vals_by_draft = self.prepare(drafts)
            Event = self.env["city.trace.event"]
            order = [draft["index"] for draft in drafts if draft["index"] in vals_by_draft]
            results = dict(zip(order, Event._capture([vals_by_draft[i] for i in order], self.channel), strict=True))
            declarations = [draft for draft in drafts if draft["declaration"]]
            if declarations:
                # corrective (or declared) events may be events of the same batch, captured just now
                document_ids = {
                    (vals_by_draft[index]["partner_id"], vals_by_draft[index]["client_event_id"]): result["event"].id
                    for index, result in results.items()
                    if vals_by_draft[index]["client_event_id"]
                }
                results.update(self._capture_declarations(declarations, document_ids))
        return [results[draft["index"]] for draft in drafts]

    def _capture_declarations(self, declarations, document_ids):
        vals_by_index, errors = self._declaration_vals(declarations, self.found, document_ids)
        if errors:
            raise CaptureError(sorted(errors, key=lambda error: error.index))
        duplicates = self._split_declaration_duplicates(vals_by_index)
        out = {index: {"status": "duplicate", "event": event} for index, event in duplicates.items()}
        errors = [
            _indexed(DraftError("already_declared", "eventID", value=vals["_target"]), index)
            for index, vals in vals_by_index.items()
            if index not in duplicates and vals["_declared"]
        ]
        if errors:
            raise CaptureError(errors)
        pending = [index for index in vals_by_index if index not in duplicates]
        for vals in vals_by_index.values():
            vals.pop("_declared")
            vals.pop("_target")
        Event = self.env["city.trace.event"]
        out.update(zip(pending, Event._capture([vals_by_index[i] for i in pending], self.channel), strict=True))
        return out


def _indexed(error, index):
    error.index = index
    return error


def _hash_of(ref):
    """The hex digest of a hash event id ``ni:///sha-256;<hex>?ver=CBV2.0`` (None for another id)."""
    if not ref.startswith("ni:///sha-256;"):
        return None
    digest = ref[len("ni:///sha-256;") :].split("?")[0].lower()
    return digest if re.fullmatch(r"[0-9a-f]{64}", digest) else None


def offset_delta(offset):
    """The timedelta of a ``+hh:mm`` offset."""
    sign = -1 if offset.startswith("-") else 1
    return sign * datetime.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))


# ----------------------------------------------------------------------
# Stored events as EPCIS 2.0 JSON (the inverse of parse_event for the supported subset)
# ----------------------------------------------------------------------
EPCIS_TYPE_NAMES = {code: name for name, code in epcis.EPCIS_EVENT_TYPES.items()}
UOM_OF_UNIT = {"kg": "KGM", "ton": "TNE", "litre": "LTR", "piece": "H87", "box": "BX", "bag": "BG", "bottle": "BO"}
# role -> (list of instances, list of quantities)
ROLE_LISTS = {
    "epc": ("epcList", "quantityList"),
    "child": ("childEPCs", "childQuantityList"),
    "input": ("inputEPCList", "inputQuantityList"),
    "output": ("outputEPCList", "outputQuantityList"),
}


def event_json(event, host):
    """A stored ``city.trace.event`` (read with the rights to read all it names) as an EPCIS 2.0
    JSON event, identifiers as GS1 Digital Links on ``host``; capturing it again is a duplicate."""
    data = {
        "type": EPCIS_TYPE_NAMES[event.event_type],
        "eventID": event.hash_uri,
        "eventTime": epcis.utc_iso(event.event_time),
        "eventTimeZoneOffset": event.event_tz,
        "recordTime": epcis.utc_iso(event.record_time),
    }
    if event.action:
        data["action"] = event.action
    if event.declares_error_of_id:
        data["eventID"] = event.declares_error_of_id.hash_uri
        data["errorDeclaration"] = {
            "declarationTime": data["eventTime"],
            "reason": event.error_reason or "incorrect_data",
            "correctiveEventIDs": event.corrective_event_ids.mapped("hash_uri"),
        }
        return data
    for key, value in (("bizStep", event.biz_step), ("disposition", event.disposition)):
        if value:
            data[key] = value
    if event.location_id.gln:
        data["bizLocation"] = {"id": f"https://{host}/414/{event.location_id.gln}"}
    for key, name, partner in (
        ("sourceList", "source", event.source_partner_id),
        ("destinationList", "destination", event.dest_partner_id),
    ):
        if partner:
            data[key] = [{"type": "owning_party", name: f"{USCC_URN}{partner.uscc}"}]
    if event.biz_transaction_ref:
        transaction = {"bizTransaction": event.biz_transaction_ref}
        if event.biz_transaction_type:
            transaction["type"] = event.biz_transaction_type
        data["bizTransactionList"] = [transaction]
    for line in event.line_ids:
        _line_json(data, line, host)
    return data


def _line_json(data, line, host):
    if line.unit_id:
        uri = f"https://{host}/00/{line.unit_id.sscc}"
    elif line.serial_id:
        serial = line.serial_id
        uri = gs1.build_digital_link(host, serial.product_id.gtin, lot=serial.lot_id.name, serial=serial.name)
    else:
        uri = None
    if line.role == "parent":
        data["parentID"] = uri
        return
    instances, quantities = ROLE_LISTS[line.role]
    if uri:
        data.setdefault(instances, []).append(uri)
        return
    lot = line.lot_id
    entry = {"epcClass": gs1.build_digital_link(host, lot.product_id.gtin, lot=lot.name)}
    if line.quantity:
        entry.update(quantity=line.quantity, uom=UOM_OF_UNIT[lot.product_id.uom])
    data.setdefault(quantities, []).append(entry)
