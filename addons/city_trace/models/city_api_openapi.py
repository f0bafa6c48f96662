from odoo import api, models

from ..tools import epcis, epcis_json

CAPTURE_DESCRIPTION = """Capture trace events sent as one EPCIS 2.0 JSON(-LD) document (read as plain JSON with \
the standard `@context`; the subset below).

**Who records.** An enterprise portal user's key records for its own enterprise; a `sender` naming another \
enterprise is refused (403). A traceability officer's key must name the enterprise: `sender` \
(`urn:city:uscc:<USCC>` or `https://<host>/417/<GLN>`) or `enterprise_uscc` (the bare code). Other keys: 403.

**Events.** `type` ObjectEvent, AggregationEvent, TransformationEvent or TransactionEvent; `eventTime` \
(ISO 8601 with offset, at most 10 minutes ahead) and `eventTimeZoneOffset` (`+08:00`, else taken from \
`eventTime`); `action` ADD/OBSERVE/DELETE (none for a transformation); `bizStep` and `disposition` as CBV 2.0 \
codes, bare, as URN or as `https://ref.gs1.org/cbv/` URI; `bizLocation.id` (else `readPoint.id`), optional: a \
registered location's GLN as `https://<host>/414/<GLN>` or `urn:epc:id:sgln:`. What: `epcList`, `childEPCs`, \
`inputEPCList`, `outputEPCList` and `parentID` hold serial items `https://<host>/01/<GTIN>/21/<serial>` and \
logistic units `https://<host>/00/<SSCC>` (`parentID`: an SSCC; EPC URNs sgtin/sscc accepted); \
`quantityList`, `childQuantityList`, `inputQuantityList`, `outputQuantityList` hold batches: `{"epcClass": \
"https://<host>/01/<GTIN>/10/<batch>", "quantity": 20, "uom": "KGM"}` (quantity > 0 optional; uom, UN/CEFACT \
KGM TNE LTR H87 EA C62 BX BG BO, must be the product's unit). `sourceList`/`destinationList`: `owning_party` \
or `possessing_party` entries naming one enterprise (`urn:city:uscc:<USCC>` or `.../417/<GLN>`). \
`bizTransactionList`: at most one `{type, bizTransaction}` (po, desadv, recadv, inv, prodorder, testprd). \
`eventID` is kept as the sender's event id. `errorDeclaration` `{declarationTime (required), reason (did_not_occur | \
incorrect_data), correctiveEventIDs}` declares an error in the enterprise's event whose id is the event's \
`eventID` (the sender's id or the hash id `ni:///sha-256;<hex>?ver=CBV2.0`); corrective events may be in the \
same document. Other fields (ilmd, sensors, extensions) are ignored.

**Lots.** Batches must be registered, except that a commissioning ObjectEvent with action ADD, or the output \
of a TransformationEvent, naming an unknown batch of one of the recording enterprise's own products with a \
quantity creates the batch (production date = the event's local date). Serial items, logistic units, \
locations and enterprises must be registered. An enterprise key names only batches its enterprise produced or \
has received (a receiving event may name any batch): `not_in_custody` otherwise.

**Batch semantics.** All or nothing: one invalid event answers 422 `validation_error` with `details.events` \
(the invalid events: index, code, message, field) and stores nothing. Otherwise 200 with one result per \
event in order, `created` or `duplicate` (the same event, by its hash, was captured before: nothing stored), \
with the event's hash id. At most `city_trace.api_max_events` events (default 1000) per document: 413 beyond; \
the request body limit of the API applies too. Per-event error codes: {codes}."""


class CityApiOpenapi(models.AbstractModel):
    _inherit = "city.api.openapi"

    @api.model
    def _openapi_schemas(self):
        schemas = super()._openapi_schemas()
        identifier = {"type": "string", "description": "GS1 Digital Link URI or EPC URN."}
        quantity = {
            "type": "object",
            "required": ["epcClass"],
            "properties": {
                "epcClass": {"type": "string", "example": "https://id.gs1.org/01/06901234567892/10/20261120A"},
                "quantity": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
                "uom": {"type": "string", "enum": sorted(epcis_json.UOM_CODES)},
            },
        }
        party_list = {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"type": "string", "example": "owning_party"},
                    "source": {"type": "string", "example": "urn:city:uscc:91220204MA0TR00021"},
                    "destination": {"type": "string", "example": "https://id.gs1.org/417/6901234000017"},
                },
            },
        }
        location = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
        schemas.update(
            {
                "EpcisEvent": {
                    "type": "object",
                    "required": ["type"],
                    "additionalProperties": True,
                    "properties": {
                        "type": {"type": "string", "enum": sorted(epcis.EPCIS_EVENT_TYPES)},
                        "eventID": {"type": "string", "maxLength": epcis_json.MAX_TEXT},
                        "eventTime": {"type": "string", "format": "date-time"},
                        "eventTimeZoneOffset": {"type": "string", "pattern": "^[+-][0-9]{2}:[0-9]{2}$"},
                        "action": {"type": "string", "enum": [code for code, _label in epcis.ACTIONS]},
                        "bizStep": {"type": "string", "example": "shipping"},
                        "disposition": {"type": "string", "example": "in_transit"},
                        "readPoint": location,
                        "bizLocation": location,
                        "epcList": {"type": "array", "items": identifier},
                        "quantityList": {"type": "array", "items": quantity},
                        "parentID": {"type": "string", "description": "SSCC as https://<host>/00/<SSCC>."},
                        "childEPCs": {"type": "array", "items": identifier},
                        "childQuantityList": {"type": "array", "items": quantity},
                        "inputEPCList": {"type": "array", "items": identifier},
                        "inputQuantityList": {"type": "array", "items": quantity},
                        "outputEPCList": {"type": "array", "items": identifier},
                        "outputQuantityList": {"type": "array", "items": quantity},
                        "sourceList": party_list,
                        "destinationList": party_list,
                        "bizTransactionList": {
                            "type": "array",
                            "maxItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["bizTransaction"],
                                "properties": {
                                    "type": {"type": "string", "example": "desadv"},
                                    "bizTransaction": {"type": "string", "maxLength": epcis_json.MAX_TEXT},
                                },
                            },
                        },
                        "errorDeclaration": {
                            "type": "object",
                            "required": ["declarationTime"],
                            "properties": {
                                "declarationTime": {"type": "string", "format": "date-time"},
                                "reason": {"type": "string", "example": "incorrect_data"},
                                "correctiveEventIDs": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
                "EpcisDocument": {
                    "type": "object",
                    "required": ["type", "epcisBody"],
                    "properties": {
                        "@context": {
                            "description": "The EPCIS 2.0 JSON-LD context (not expanded).",
                            "oneOf": [{"type": "string"}, {"type": "array", "items": {}}],
                        },
                        "type": {"type": "string", "enum": ["EPCISDocument"]},
                        "schemaVersion": {"type": "string", "example": "2.0"},
                        "creationDate": {"type": "string", "format": "date-time"},
                        "sender": {
                            "type": "string",
                            "description": "The recording enterprise: urn:city:uscc:<USCC> or https://<host>/417/<GLN>.",
                        },
                        "enterprise_uscc": {"type": "string", "description": "The recording enterprise's USCC."},
                        "epcisBody": {
                            "type": "object",
                            "required": ["eventList"],
                            "properties": {
                                "eventList": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {"$ref": "#/components/schemas/EpcisEvent"},
                                }
                            },
                        },
                    },
                },
                "TraceEventResult": {
                    "type": "object",
                    "required": ["index", "status"],
                    "properties": {
                        "index": {"type": "integer", "minimum": 0},
                        "status": {"type": "string", "enum": ["created", "duplicate", "error"]},
                        "event_hash": {
                            "type": "string",
                            "nullable": True,
                            "example": "ni:///sha-256;3f1a...?ver=CBV2.0",
                        },
                        "event_id": {"type": "string", "nullable": True, "description": "The event's eventID."},
                        "code": {"type": "string", "nullable": True, "enum": [*sorted(epcis_json.ERRORS), None]},
                        "message": {"type": "string", "nullable": True},
                        "field": {"type": "string", "nullable": True, "description": "JSON path of the problem."},
                    },
                },
                "TraceCaptureResult": {
                    "type": "object",
                    "required": ["created", "duplicates", "events"],
                    "properties": {
                        "created": {"type": "integer"},
                        "duplicates": {"type": "integer"},
                        "events": {"type": "array", "items": {"$ref": "#/components/schemas/TraceEventResult"}},
                    },
                },
            }
        )
        return schemas

    @api.model
    def _openapi_paths(self):
        paths = super()._openapi_paths()
        errors = self._openapi_error_responses
        paths["/trace/events"] = {
            "post": {
                "summary": "Capture trace events (an EPCIS 2.0 JSON document, batches of up to 1000 events)",
                "description": CAPTURE_DESCRIPTION.replace(
                    "{codes}", ", ".join(f"`{code}`" for code in sorted(epcis_json.ERRORS))
                ),
                "operationId": "captureTraceEvents",
                "tags": ["trace"],
                "security": [{"apiKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/EpcisDocument"}},
                        "application/ld+json": {"schema": {"$ref": "#/components/schemas/EpcisDocument"}},
                    },
                },
                "responses": {
                    "200": {
                        "description": "Every event captured or recognised as a duplicate",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"data": {"$ref": "#/components/schemas/TraceCaptureResult"}},
                                }
                            }
                        },
                    },
                    **errors("400", "401", "403", "413", "422", "429"),
                },
            },
            "get": {
                "summary": "The events naming a batch, as an EPCIS 2.0 document",
                "description": "Events the key's user may read (an enterprise its own, officers and supervisors "
                "all), oldest first, identifiers as GS1 Digital Links; `eventID` is the hash id (for an error "
                "declaration: the declared event's). Posting the document back stores nothing (duplicates).",
                "operationId": "listTraceEvents",
                "tags": ["trace"],
                "security": [{"apiKey": []}],
                "parameters": [
                    {
                        "name": "lot",
                        "in": "query",
                        "required": True,
                        "description": "The batch's Digital Link (https://<host>/01/<GTIN>/10/<batch>), or the "
                        "batch number with `gtin`.",
                        "schema": {"type": "string"},
                    },
                    {"name": "gtin", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                ],
                "responses": {
                    "200": {
                        "description": "The events",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {"$ref": "#/components/schemas/EpcisDocument"},
                                        "total": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    **errors("400", "401", "403", "404", "429"),
                },
            },
        }
        return paths
