from odoo import api, models

EVENT_TYPES = ["sos", "fall", "location", "geofence_exit", "vitals", "low_battery", "heartbeat"]


class CityApiOpenapi(models.AbstractModel):
    _inherit = "city.api.openapi"

    @api.model
    def _openapi_schemas(self):
        schemas = super()._openapi_schemas()
        schemas.update(
            {
                "CareEvent": {
                    "type": "object",
                    "required": ["event_id", "imei", "type", "occurred_at"],
                    "properties": {
                        "event_id": {
                            "type": "string",
                            "maxLength": 64,
                            "description": "Unique per device; sending it again is reported as a duplicate.",
                        },
                        "imei": {"type": "string", "description": "15-digit IMEI of a registered device in use."},
                        "type": {"type": "string", "enum": EVENT_TYPES},
                        "occurred_at": {
                            "type": "string",
                            "format": "date-time",
                            "description": "With a time zone offset; at most 30 days old, not in the future.",
                        },
                        "location": {
                            "type": "object",
                            "required": ["lat", "lng"],
                            "properties": {
                                "lat": {"type": "number"},
                                "lng": {"type": "number"},
                                "accuracy": {"type": "integer", "description": "Metres."},
                            },
                        },
                        "heart_rate": {"type": "integer", "minimum": 20, "maximum": 250},
                        "blood_pressure": {
                            "type": "object",
                            "properties": {
                                "systolic": {"type": "integer", "minimum": 40, "maximum": 300},
                                "diastolic": {"type": "integer", "minimum": 20, "maximum": 200},
                            },
                        },
                        "spo2": {"type": "integer", "minimum": 50, "maximum": 100},
                        "battery": {"type": "integer", "minimum": 0, "maximum": 100},
                    },
                },
                "CareEventBatch": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {
                        "events": {
                            "type": "array",
                            "maxItems": 1000,
                            "items": {"$ref": "#/components/schemas/CareEvent"},
                        }
                    },
                },
                "CareEventResult": {
                    "type": "object",
                    "properties": {
                        "event_id": {"type": "string"},
                        "status": {"type": "string", "enum": ["accepted", "duplicate"]},
                        "alarm": {
                            "type": "string",
                            "nullable": True,
                            "description": "Reference of the alarm raised or joined.",
                        },
                    },
                },
            }
        )
        return schemas

    @api.model
    def _openapi_paths(self):
        paths = super()._openapi_paths()
        paths["/care/events"] = {
            "post": {
                "tags": ["care"],
                "summary": "Post wearable events, one or a batch of up to 1000 (all or nothing)",
                "description": "SOS and fall events open alarms; location reports are checked against the safe "
                "zones and vital signs against the person's thresholds; every event counts as a heartbeat. "
                "Events of one burst join the open alarm. Errors: 400 malformed, 401 unauthorized, "
                "403 forbidden, 413 payload_too_large, 422 unknown_device / device_not_in_use / "
                "validation_error (details name the index and field), 429 rate_limited.",
                "security": [{"apiKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/CareEvent"},
                                    {"$ref": "#/components/schemas/CareEventBatch"},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "201": {"description": "At least one event was new."},
                    "200": {"description": "Every event was a duplicate (replay)."},
                    **self._openapi_error_responses("400", "401", "403", "413", "422", "429"),
                },
            }
        }
        return paths
