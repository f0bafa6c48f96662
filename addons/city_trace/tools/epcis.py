"""EPCIS 2.0 / CBV 2.0 vocabularies and the event hash of the traceability store.

Pure Python, no Odoo import. The event hash follows the principles of the EPCIS 2.0 event
hash identifier (CBV 2.0 section 8.9): it is a SHA-256 over a canonical form of what the
event says (type, action, time, places, business step and disposition, what was observed,
documents, parties), independent of field order, of the order of lists and of the sender's
own ``eventID``, and is written as ``ni:///sha-256;<hex>?ver=CBV2.0``. Two captures of the
same event therefore have the same hash, which makes re-sending an event a no-op.
"""

import datetime
import hashlib
import json

EVENT_TYPES = [
    ("object", "Object Event"),
    ("aggregation", "Aggregation Event"),
    ("transformation", "Transformation Event"),
    ("transaction", "Transaction Event"),
]
EPCIS_EVENT_TYPES = {
    "ObjectEvent": "object",
    "AggregationEvent": "aggregation",
    "TransformationEvent": "transformation",
    "TransactionEvent": "transaction",
}
ACTIONS = [("ADD", "Add"), ("OBSERVE", "Observe"), ("DELETE", "Delete")]
# CBV 2.0 business steps used by the city's supply chains (bare words, as EPCIS 2.0 JSON-LD writes them).
BIZ_STEPS = [
    ("commissioning", "Commissioning"),
    ("inspecting", "Inspecting"),
    ("packing", "Packing"),
    ("unpacking", "Unpacking"),
    ("shipping", "Shipping"),
    ("transporting", "Transporting"),
    ("receiving", "Receiving"),
    ("storing", "Storing"),
    ("retail_selling", "Retail Selling"),
    ("destroying", "Destroying"),
    ("decommissioning", "Decommissioning"),
    ("other", "Other"),
]
DISPOSITIONS = [
    ("active", "Active"),
    ("in_progress", "In Progress"),
    ("in_transit", "In Transit"),
    ("sellable_accessible", "Sellable, Accessible"),
    ("conformant", "Conformant"),
    ("non_conformant", "Non-Conformant"),
    ("recalled", "Recalled"),
    ("expired", "Expired"),
    ("damaged", "Damaged"),
    ("destroyed", "Destroyed"),
    ("retail_sold", "Retail Sold"),
    ("inactive", "Inactive"),
]
BIZ_TRANSACTION_TYPES = [
    ("po", "Purchase Order"),
    ("desadv", "Despatch Advice"),
    ("recadv", "Receiving Advice"),
    ("inv", "Invoice"),
    ("prodorder", "Production Order"),
    ("testprd", "Test Report"),
]
ERROR_REASONS = [
    ("did_not_occur", "Did Not Occur"),
    ("incorrect_data", "Incorrect Data"),
]
# Default disposition of each business step when the sender gives none (CBV usage).
DEFAULT_DISPOSITION = {
    "commissioning": "active",
    "inspecting": "conformant",
    "packing": "in_progress",
    "unpacking": "in_progress",
    "shipping": "in_transit",
    "transporting": "in_transit",
    "receiving": "in_progress",
    "storing": "sellable_accessible",
    "retail_selling": "retail_sold",
    "destroying": "destroyed",
    "decommissioning": "inactive",
}
BIZ_STEP_CODES = {code for code, _label in BIZ_STEPS}
DISPOSITION_CODES = {code for code, _label in DISPOSITIONS}
CBV_PREFIXES = (
    "urn:epcglobal:cbv:bizstep:",
    "urn:epcglobal:cbv:disp:",
    "https://ref.gs1.org/cbv/BizStep-",
    "https://ref.gs1.org/cbv/Disp-",
    "https://ref.gs1.org/cbv/BTT-",
    "urn:epcglobal:cbv:btt:",
    "https://ref.gs1.org/cbv/ER-",
    "urn:epcglobal:cbv:er:",
)


def cbv_code(value):
    """The bare CBV code of a vocabulary value in any of its spellings (URN, GS1 web URI or bare word)."""
    if not isinstance(value, str):
        return None
    for prefix in CBV_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def utc_iso(moment):
    """A naive UTC datetime as the ISO form with milliseconds the hash uses."""
    if isinstance(moment, datetime.datetime):
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return str(moment)


def event_hash(content):
    """The hash id of an event from its canonical ``content`` dictionary (see :func:`canonical_content`)."""
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    return digest


def hash_uri(digest):
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def canonical_content(
    *,
    event_type,
    action,
    event_time,
    event_tz,
    biz_step,
    disposition,
    party,
    location,
    source,
    destination,
    transaction,
    lines,
    error=None,
):
    """The canonical form hashed for one event. Every identifier is a string; lists are sorted.

    ``lines`` is a list of ``(role, identifier, quantity)``; ``error`` is ``(reason, target_hash,
    corrective_hashes)`` for an error declaration.
    """
    content = {
        "type": event_type,
        "action": action or None,
        "eventTime": utc_iso(event_time),
        "eventTimeZoneOffset": event_tz,
        "bizStep": biz_step or None,
        "disposition": disposition or None,
        "party": party,
        "bizLocation": location or None,
        "source": source or None,
        "destination": destination or None,
        "bizTransaction": transaction or None,
        "objects": sorted(
            [role, identifier, None if quantity is None else float(quantity)] for role, identifier, quantity in lines
        ),
    }
    if error:
        reason, target, corrective = error
        content["errorDeclaration"] = {"reason": reason, "declares": target, "corrective": sorted(corrective)}
    return content


def chain_link(previous_hash, sequence, digest):
    """Hash of one link of an enterprise's event chain: the previous link, the position and the event hash."""
    return hashlib.sha256(f"{previous_hash or ''}|{sequence}|{digest}".encode()).hexdigest()
