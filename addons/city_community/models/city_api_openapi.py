from odoo import api, models


class CityApiOpenapi(models.AbstractModel):
    _inherit = "city.api.openapi"

    @api.model
    def _openapi_schemas(self):
        schemas = super()._openapi_schemas()
        schemas.update(
            {
                "CommunityRequestCreate": {
                    "type": "object",
                    "required": ["client_ref", "item_code", "description"],
                    "properties": {
                        "client_ref": {
                            "type": "string",
                            "maxLength": 64,
                            "description": "Idempotency key: the same key again answers 409 duplicate.",
                        },
                        "item_code": {"type": "string", "example": "SQ-MZ-001"},
                        "description": {"type": "string", "maxLength": 5000},
                        "resident_id_number": {"type": "string", "description": "18-character resident ID."},
                        "caller_name": {"type": "string"},
                        "caller_phone": {"type": "string"},
                        "anonymous": {"type": "boolean"},
                        "division_code": {
                            "type": "string",
                            "description": "Grid or community code; taken from the resident's home when absent.",
                        },
                        "answers": {
                            "type": "object",
                            "additionalProperties": True,
                            "description": "Answers to the item's questions, keyed by question text.",
                        },
                    },
                },
                "CommunityRequest": {
                    "type": "object",
                    "required": ["reference", "state", "item_code", "channel"],
                    "properties": {
                        "reference": {"type": "string"},
                        "state": {"type": "string"},
                        "item_code": {"type": "string"},
                        "channel": {"type": "string"},
                        "division_code": {"type": "string"},
                        "department": {"type": "string", "nullable": True},
                        "submitted_at": {"type": "string", "format": "date-time", "nullable": True},
                        "deadline": {"type": "string", "format": "date-time", "nullable": True},
                        "replied_at": {"type": "string", "format": "date-time", "nullable": True},
                        "reply": {"type": "string", "nullable": True},
                        "satisfaction": {"type": "string", "nullable": True},
                    },
                },
                "AlarmEvent": {
                    "type": "object",
                    "required": ["event_id", "device", "condition", "occurred_at"],
                    "properties": {
                        "event_id": {"type": "string", "maxLength": 64, "description": "Unique per device."},
                        "device": {"type": "string", "description": "Registered device code."},
                        "condition": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$", "example": "leak"},
                        "occurred_at": {"type": "string", "format": "date-time"},
                        "value": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
                "AlarmBatch": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "events": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 1000,
                            "items": {"$ref": "#/components/schemas/AlarmEvent"},
                        }
                    },
                },
                "AlarmResult": {
                    "type": "object",
                    "properties": {
                        "accepted": {"type": "integer"},
                        "duplicates": {"type": "integer"},
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "event_id": {"type": "string"},
                                    "status": {"type": "string", "enum": ["accepted", "duplicate"]},
                                    "request": {"type": "string", "nullable": True},
                                },
                            },
                        },
                    },
                },
            }
        )
        return schemas

    @api.model
    def _openapi_paths(self):
        paths = super()._openapi_paths()
        errors = self._openapi_error_responses

        def body(schema):
            return {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
            }

        def ok(schema, status="200", description="OK"):
            return {
                status: {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"data": {"$ref": f"#/components/schemas/{schema}"}},
                            }
                        }
                    },
                }
            }

        paths["/community/requests"] = {
            "post": {
                "summary": "Submit a community service request (12345 platform, partner systems)",
                "tags": ["community"],
                "security": [{"apiKey": []}],
                "requestBody": body("CommunityRequestCreate"),
                "responses": {
                    **ok("CommunityRequest", "201", "Created and submitted"),
                    **errors("400", "401", "403", "404", "409", "413", "422", "429"),
                },
            }
        }
        paths["/community/requests/{reference}"] = {
            "get": {
                "summary": "Status of a request",
                "tags": ["community"],
                "security": [{"apiKey": []}],
                "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {**ok("CommunityRequest"), **errors("401", "403", "404", "429")},
            }
        }
        paths["/community/alarms"] = {
            "post": {
                "summary": "Ingest sensor alarm events, one or a batch of up to 1000",
                "description": "A replayed event is reported as duplicate and changes nothing; alarms of one "
                "device and condition within the device's burst window join one request.",
                "tags": ["community"],
                "security": [{"apiKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/AlarmBatch"},
                                    {"$ref": "#/components/schemas/AlarmEvent"},
                                ]
                            }
                        }
                    },
                },
                "responses": {**ok("AlarmResult"), **errors("400", "401", "403", "409", "413", "422", "429")},
            }
        }
        return paths
