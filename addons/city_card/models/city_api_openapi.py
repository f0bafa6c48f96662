from odoo import api, models

# Error codes of the card endpoints (beyond the shared ones), for the Error schema and the docs.
CARD_ERROR_CODES = {
    "malformed": "400: a field is missing or of the wrong type",
    "card_invalid": "400: not a well-formed card number",
    "amount_invalid": "400 or 422: not a positive whole number of fen, over the payment limit, a fare at a "
    "merchant that is not transit, a hold of more than 7 days",
    "merchant_inactive": "403: the terminal's merchant is suspended",
    "card_unknown": "404: no card with this number",
    "not_found": "404: no such operation of the terminal's merchant",
    "card_not_active": "409: the card is not active (lost, frozen: hotlisted; closed)",
    "card_expired": "409: the card is past its validity",
    "function_disabled": "409: the merchant's function (transit, library, ...) is not enabled on the card",
    "hold_not_pending": "409: the hold was captured, voided or expired already",
    "hold_expired": "409: the hold is past its expiry",
    "not_refundable": "409: only payments and captures are refunded",
    "refund_exceeds": "409: more than what is left to refund",
    "idempotency_conflict": "409: the idempotency key was used for a different request",
    "insufficient_funds": "422: the purses do not hold enough; nothing was posted",
    "capture_exceeds": "422: more than the held amount",
    "balance_limit": "422: the cash purse would hold more than its limit",
}
IDEMPOTENCY_KEY = {
    "type": "string",
    "minLength": 1,
    "maxLength": 128,
    "description": "Unique per request of this terminal: a retry with the same key and body returns the "
    "original answer (200, replayed), with another body 409 idempotency_conflict.",
}


class CityApiOpenapi(models.AbstractModel):
    _inherit = "city.api.openapi"

    @api.model
    def _openapi_document(self, server_url="/api/city/v1"):
        document = super()._openapi_document(server_url=server_url)
        document["components"]["securitySchemes"].setdefault(
            "terminalKey",
            {
                "type": "http",
                "scheme": "bearer",
                "description": "Card terminal key `<terminal code>.<secret>`, issued once per terminal",
            },
        )
        return document

    @api.model
    def _openapi_paths(self):
        paths = super()._openapi_paths()
        paths.update(self._openapi_card_paths())
        paths.update(self._openapi_card_batch_paths())
        return paths

    @api.model
    def _openapi_schemas(self):
        schemas = super()._openapi_schemas()
        codes = schemas["Error"]["properties"]["error"]["properties"]["code"]
        codes["enum"] = sorted(set(codes["enum"]) | set(CARD_ERROR_CODES))
        balance = {
            "type": "object",
            "description": "The card's balances after the operation, in fen (subsidy: unexpired only).",
            "properties": {"cash": {"type": "integer"}, "subsidy": {"type": "integer"}, "total": {"type": "integer"}},
        }
        brief = {
            "operation_id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["payment", "hold", "capture", "void", "refund"]},
            "amount": {"type": "integer", "minimum": 1, "description": "Fen."},
            "posted_at": {"type": "string", "example": "2026-11-24 08:15:02", "description": "UTC."},
        }
        schemas.update(
            {
                "CardOperationResult": {
                    "type": "object",
                    "required": ["operation_id", "kind", "amount"],
                    "properties": {
                        **brief,
                        "operation_id": {
                            "type": "integer",
                            "nullable": True,
                            "description": "Null for a free ride (nothing posted).",
                        },
                        "card": {"type": "string", "pattern": "^[0-9]{19}$"},
                        "balance": balance,
                        "hold_state": {"type": "string", "enum": ["pending", "captured", "voided", "expired"]},
                        "hold_expires_at": {"type": "string", "description": "Holds: UTC."},
                        "original_id": {"type": "integer", "description": "The hold or payment this closes."},
                        "free_ride": {"type": "boolean", "description": "Transit fare of 0 for this card type."},
                    },
                },
                "CardOperationAnswer": {
                    "type": "object",
                    "required": ["data", "replayed"],
                    "properties": {
                        "data": {"$ref": "#/components/schemas/CardOperationResult"},
                        "replayed": {
                            "type": "boolean",
                            "description": "True when the idempotency key was used before with the same "
                            "request: data is the original answer and nothing new was posted.",
                        },
                    },
                },
                "CardOperation": {
                    "type": "object",
                    "properties": {
                        **brief,
                        "card": {"type": "string"},
                        "merchant": {"type": "string", "description": "Merchant code."},
                        "terminal": {"type": "string", "nullable": True, "description": "Terminal ID."},
                        "original_id": {"type": "integer", "nullable": True},
                        "hold_state": {"type": "string", "enum": ["pending", "captured", "voided", "expired"]},
                        "hold_expires_at": {"type": "string"},
                        "refunded_amount": {"type": "integer", "description": "Payments and captures: fen."},
                        "refundable_amount": {"type": "integer", "description": "Payments and captures: fen."},
                        "related": {
                            "type": "array",
                            "description": "The captures, voids and refunds of this operation.",
                            "items": {"type": "object", "properties": brief},
                        },
                    },
                },
                "CardHotlistDelta": {
                    "type": "object",
                    "required": ["version", "since", "full", "more", "entries"],
                    "properties": {
                        "version": {
                            "type": "integer",
                            "description": "The version the terminal holds once it applied the entries.",
                        },
                        "since": {"type": "integer"},
                        "full": {"type": "boolean", "description": "since was 0: the whole list of blocked cards."},
                        "more": {"type": "boolean", "description": "Ask again from version for the next page."},
                        "entries": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "version": {"type": "integer"},
                                    "card": {"type": "string"},
                                    "action": {"type": "string", "enum": ["block", "unblock"]},
                                    "reason": {
                                        "type": "string",
                                        "enum": ["lost", "frozen", "replaced", "cancelled", "active"],
                                    },
                                },
                            },
                        },
                    },
                },
            }
        )
        return schemas

    @api.model
    def _openapi_card_paths(self):
        """The terminal API: online payments (one or two phases) and the hotlist."""
        errors = self._openapi_error_responses
        security = [{"terminalKey": []}]

        def answer(description):
            return {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CardOperationAnswer"}}},
            }

        def body(properties, required=("idempotency_key",)):
            return {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": list(required),
                            "properties": {"idempotency_key": IDEMPOTENCY_KEY, **properties},
                        }
                    }
                },
            }

        def codes(*names):
            return "Error codes: " + "; ".join(f"`{name}` ({CARD_ERROR_CODES[name]})" for name in names) + "."

        operation_id = [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}, "description": "Operation."}
        ]
        written = {
            "201": answer("Posted"),
            "200": answer("Replayed: this idempotency key was used with the same request"),
        }
        partial = {"type": "integer", "minimum": 1, "description": "Fen; all of it when left out."}
        return {
            "/card/payments": {
                "post": {
                    "summary": "Pay from a card, or hold an amount (two-phase)",
                    "description": "With `capture` true (the default) the card pays at once (authorise and "
                    "capture in one call); with `capture` false the amount is held for `hold_minutes` (default "
                    "30, at most 7 days) until it is captured or voided, or it expires and goes back to the card. "
                    "Subsidy purses pay first where the merchant accepts them, then the cash purse. Transit "
                    "terminals may send `full_fare` instead of `amount`: the card type pays its share (a share of "
                    "0 answers 200 with `free_ride` and posts nothing). "
                    + codes(
                        "malformed",
                        "card_invalid",
                        "card_unknown",
                        "amount_invalid",
                        "card_not_active",
                        "card_expired",
                        "function_disabled",
                        "merchant_inactive",
                        "insufficient_funds",
                        "idempotency_conflict",
                    ),
                    "operationId": "createCardPayment",
                    "tags": ["card"],
                    "security": security,
                    "requestBody": body(
                        {
                            "card": {"type": "string", "pattern": "^[0-9]{19}$", "description": "Card number."},
                            "amount": {"type": "integer", "minimum": 1, "description": "Fen (or full_fare)."},
                            "full_fare": {
                                "type": "integer",
                                "minimum": 1,
                                "description": "Transit merchants: the full fare in fen (or amount).",
                            },
                            "capture": {"type": "boolean", "default": True},
                            "hold_minutes": {"type": "integer", "minimum": 1, "maximum": 10080, "default": 30},
                        },
                        required=("card", "idempotency_key"),
                    ),
                    "responses": {
                        **written,
                        **errors("400", "401", "403", "404", "409", "413", "422"),
                    },
                }
            },
            "/card/payments/{id}": {
                "get": {
                    "summary": "Read an operation of the terminal's merchant",
                    "description": "Any operation of the terminal's merchant (payment, hold, capture, void, "
                    "refund), with the operations that captured, voided or refunded it. Another merchant's "
                    "operation answers 404 `not_found`.",
                    "operationId": "getCardPayment",
                    "tags": ["card"],
                    "security": security,
                    "parameters": operation_id,
                    "responses": {
                        "200": {
                            "description": "The operation",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"data": {"$ref": "#/components/schemas/CardOperation"}},
                                    }
                                }
                            },
                        },
                        **errors("401", "404"),
                    },
                }
            },
            "/card/payments/{id}/capture": {
                "post": {
                    "summary": "Capture a pending hold, all of it or less",
                    "description": "What is not captured goes back to the purses it was held from. "
                    + codes("hold_not_pending", "hold_expired", "capture_exceeds", "idempotency_conflict"),
                    "operationId": "captureCardPayment",
                    "tags": ["card"],
                    "security": security,
                    "parameters": operation_id,
                    "requestBody": body({"amount": partial}),
                    "responses": {**written, **errors("400", "401", "403", "404", "409", "422")},
                }
            },
            "/card/payments/{id}/void": {
                "post": {
                    "summary": "Void a pending hold (the whole amount goes back to the card)",
                    "description": codes("hold_not_pending", "idempotency_conflict"),
                    "operationId": "voidCardPayment",
                    "tags": ["card"],
                    "security": security,
                    "parameters": operation_id,
                    "requestBody": body({}),
                    "responses": {**written, **errors("400", "401", "404", "409")},
                }
            },
            "/card/payments/{id}/refund": {
                "post": {
                    "summary": "Refund a payment or a captured hold, all or part",
                    "description": "The money goes back to the purses the payment took it from (cash first). "
                    "Several partial refunds may follow each other up to the amount paid. "
                    + codes("not_refundable", "refund_exceeds", "card_not_active", "idempotency_conflict"),
                    "operationId": "refundCardPayment",
                    "tags": ["card"],
                    "security": security,
                    "parameters": operation_id,
                    "requestBody": body({"amount": partial}),
                    "responses": {**written, **errors("400", "401", "404", "409")},
                }
            },
            "/card/hotlist": {
                "get": {
                    "summary": "Hotlist changes since the terminal's version",
                    "description": "The last change of each card after version `since` (0: every blocked "
                    "card), in version order. A terminal applies the entries and keeps `version`; with `more` "
                    "it asks again from `version`. The server records the version each terminal fetched.",
                    "operationId": "getCardHotlist",
                    "tags": ["card"],
                    "security": security,
                    "parameters": [
                        {"name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10000},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The changes",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"data": {"$ref": "#/components/schemas/CardHotlistDelta"}},
                                    }
                                }
                            },
                        },
                        **errors("400", "401"),
                    },
                }
            },
        }

    @api.model
    def _openapi_card_batch_paths(self):
        errors = self._openapi_error_responses
        record = {
            "type": "object",
            "required": ["serial", "card", "amount", "tapped_at", "counter", "mac"],
            "properties": {
                "serial": {
                    "type": "string",
                    "maxLength": 64,
                    "description": "The terminal's record number, unique per terminal (an integer is accepted).",
                },
                "card": {"type": "string", "pattern": "^[0-9]{19}$", "description": "Card number (Luhn check digit)."},
                "amount": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Fen charged (transit: the fare of the card type; 0 for a free ride).",
                },
                "tapped_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with offset."},
                "counter": {"type": "integer", "minimum": 1, "description": "The card's transaction counter."},
                "mac": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{16}$",
                    "description": "HMAC-SHA256 (first 16 hex digits) with the card's diversified key over "
                    "`card|amount|tapped_at|terminal code|serial|counter`.",
                },
            },
        }
        result = {
            "type": "object",
            "required": ["status"],
            "properties": {
                "serial": {"type": "string", "nullable": True},
                "status": {"type": "string", "enum": ["posted", "exception", "rejected", "duplicate"]},
                "code": {
                    "type": "string",
                    "nullable": True,
                    "description": "Why: free_ride (posted); card_hotlisted, card_not_active, card_expired, "
                    "function_disabled, merchant_inactive, amount_limit, insufficient_funds (exception queue); "
                    "malformed, amount_invalid, card_invalid, card_unknown, mac_invalid, counter_regression "
                    "(rejected). A duplicate carries its first outcome's code and original_status.",
                },
                "original_status": {
                    "type": "string",
                    "enum": ["posted", "exception", "rejected", "retried", "written_off"],
                    "description": "Duplicates only: what became of the record first uploaded with this serial.",
                },
                "operation_id": {"type": "integer", "nullable": True},
                "field": {"type": "string", "description": "Rejected records: the field at fault."},
            },
        }
        answer = {
            "type": "object",
            "properties": {
                "data": {
                    "type": "object",
                    "properties": {
                        "batch_id": {"type": "string"},
                        "terminal": {"type": "string"},
                        "received_at": {"type": "string"},
                        "records": {"type": "integer"},
                        "posted": {"type": "integer"},
                        "exceptions": {"type": "integer"},
                        "rejected": {"type": "integer"},
                        "duplicates": {"type": "integer"},
                        "posted_amount": {"type": "integer", "description": "Fen."},
                        "replayed": {
                            "type": "boolean",
                            "description": "True when this batch was uploaded before: the stored answer is returned.",
                        },
                        "results": {"type": "array", "items": result},
                    },
                }
            },
        }
        return {
            "/card/terminal-batches": {
                "post": {
                    "summary": "Upload a terminal's offline tap records (one batch, up to 1000 records)",
                    "description": "Every record's MAC is verified with the card's key; a serial the terminal "
                    "used before is answered as duplicate with its first outcome; a card counter not above the "
                    "last accepted one is rejected. Valid records are posted in one transaction; a record for a "
                    "blocked card or without funds goes to the exception queue. Uploading the same batch again "
                    "returns the stored answer; the same batch_id with different records is refused (409).",
                    "tags": ["card"],
                    "security": [{"terminalKey": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["batch_id", "records"],
                                    "properties": {
                                        "batch_id": {"type": "string", "maxLength": 64},
                                        "records": {"type": "array", "minItems": 1, "maxItems": 1000, "items": record},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One result per record, in the order sent",
                            "content": {"application/json": {"schema": answer}},
                        },
                        **errors("400", "401", "409", "413"),
                    },
                }
            }
        }
