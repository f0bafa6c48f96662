from odoo import api, models


class CityApiOpenapi(models.AbstractModel):
    """The OpenAPI 3 document of the city data interface (/api/city/v1/openapi.json).

    Addons that add endpoints inherit this model and extend ``_openapi_paths`` and
    ``_openapi_schemas`` with ``super()``; the error envelope and security scheme are shared.
    """

    _name = "city.api.openapi"
    _description = "City API Description"

    ERROR_CODES = {
        "400": ("malformed", "The request body is not valid JSON or misses required fields."),
        "401": ("unauthorized", "Missing, invalid or expired API key."),
        "403": ("forbidden", "The key's user may not do this."),
        "404": ("not_found", "No such resource, or not visible to the key's user."),
        "409": ("duplicate", "The resource or request already exists (replayed or duplicate)."),
        "413": ("payload_too_large", "The request body is over the size limit."),
        "422": ("validation_error", "The data breaks a business rule."),
        "429": ("rate_limited", "Too many requests; retry after the number of seconds in Retry-After."),
    }

    @api.model
    def _openapi_error_responses(self, *statuses):
        return {
            status: {
                "description": f"{self.ERROR_CODES[status][0]}: {self.ERROR_CODES[status][1]}",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for status in statuses
        }

    @api.model
    def _openapi_schemas(self):
        return {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {
                                "type": "string",
                                "enum": sorted({code for code, _d in self.ERROR_CODES.values()}),
                            },
                            "message": {"type": "string", "description": "Human-readable, in the user's language."},
                            "details": {"type": "object", "additionalProperties": True},
                        },
                    }
                },
            },
            "Division": {
                "type": "object",
                "required": ["code", "name", "type", "level"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[0-9]{12}([0-9]{3})?$"},
                    "name": {"type": "string"},
                    "type": {"type": "string", "enum": ["city", "district", "street", "community", "grid"]},
                    "level": {"type": "integer", "minimum": 0, "maximum": 4},
                    "parent_code": {"type": "string", "nullable": True},
                    "complete_name": {"type": "string"},
                },
            },
            "IdCheckRequest": {
                "type": "object",
                "required": ["id_number"],
                "properties": {"id_number": {"type": "string", "example": "11010519491231002X"}},
            },
            "IdCheckResult": {
                "type": "object",
                "required": ["valid"],
                "properties": {
                    "valid": {"type": "boolean"},
                    "error": {
                        "type": "string",
                        "nullable": True,
                        "enum": ["length", "format", "province", "birth_date", "check", None],
                    },
                    "message": {"type": "string", "nullable": True},
                    "birth_date": {"type": "string", "format": "date", "nullable": True},
                    "gender": {"type": "string", "enum": ["male", "female", None], "nullable": True},
                    "region_code": {"type": "string", "nullable": True},
                },
            },
            "Resident": {
                "type": "object",
                "required": ["id", "name", "is_resident"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "is_resident": {"type": "boolean"},
                    "resident_id": {
                        "type": "string",
                        "description": "Masked (220202********1234) unless the user may view personal data.",
                    },
                    "birth_date": {"type": "string", "format": "date", "nullable": True},
                    "gender": {"type": "string", "nullable": True},
                    "age": {"type": "integer"},
                    "division_code": {"type": "string", "nullable": True},
                    "division": {"type": "string", "nullable": True},
                    "building": {"type": "string", "nullable": True},
                    "household": {"type": "string", "nullable": True},
                },
            },
        }

    @api.model
    def _openapi_paths(self):
        errors = self._openapi_error_responses
        json_body = {"application/json": {"schema": {"$ref": "#/components/schemas/IdCheckRequest"}}}

        def ok(schema, description="OK"):
            return {"description": description, "content": {"application/json": {"schema": schema}}}

        return {
            "/ping": {
                "get": {
                    "summary": "Liveness check (no authentication)",
                    "operationId": "ping",
                    "security": [],
                    "responses": {"200": ok({"type": "object", "properties": {"data": {"type": "object"}}})},
                }
            },
            "/divisions": {
                "get": {
                    "summary": "List administrative divisions",
                    "operationId": "listDivisions",
                    "parameters": [
                        {"name": "parent_code", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "type",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["city", "district", "street", "community", "grid"]},
                        },
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    ],
                    "responses": {
                        "200": ok(
                            {
                                "type": "object",
                                "properties": {
                                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Division"}},
                                    "total": {"type": "integer"},
                                },
                            }
                        ),
                        **errors("400", "401", "404", "429"),
                    },
                }
            },
            "/divisions/{code}": {
                "get": {
                    "summary": "Read one division by its code",
                    "operationId": "getDivision",
                    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": ok(
                            {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Division"}}}
                        ),
                        **errors("401", "404", "429"),
                    },
                }
            },
            "/residents/id-check": {
                "post": {
                    "summary": "Validate a resident ID number (GB 11643)",
                    "operationId": "checkResidentId",
                    "requestBody": {"required": True, "content": json_body},
                    "responses": {
                        "200": ok(
                            {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/IdCheckResult"}}}
                        ),
                        **errors("400", "401", "413", "429"),
                    },
                }
            },
            "/residents/lookup": {
                "post": {
                    "summary": "Find a resident by full ID number (within the user's divisions)",
                    "operationId": "lookupResident",
                    "requestBody": {"required": True, "content": json_body},
                    "responses": {
                        "200": ok(
                            {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Resident"}}}
                        ),
                        **errors("400", "401", "403", "404", "413", "422", "429"),
                    },
                }
            },
        }

    @api.model
    def _openapi_document(self, server_url="/api/city/v1"):
        return {
            "openapi": "3.0.3",
            "info": {
                "title": "City Standard Data Interface",
                "version": "1.0.0",
                "description": "JSON endpoints of Smart City Services. Authenticate with an Odoo user API key: "
                "`Authorization: Bearer <key>`. Errors share one envelope with stable codes.",
            },
            "servers": [{"url": server_url}],
            "security": [{"apiKey": []}],
            "paths": self._openapi_paths(),
            "components": {
                "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "Odoo user API key"}},
                "schemas": self._openapi_schemas(),
            },
        }
