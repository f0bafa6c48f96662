from odoo import api, models


class CityApiOpenapi(models.AbstractModel):
    _inherit = "city.api.openapi"

    @api.model
    def _openapi_paths(self):
        paths = super()._openapi_paths()
        ocid = {
            "name": "ocid",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "Open Contracting ID: the platform's OCDS prefix, a hyphen and the procedure reference.",
        }
        for kind, summary, description in (
            (
                "releases",
                "OCDS 1.1 release package of a trading procedure",
                "Releases in date order: tender (the notice), tenderUpdate (the opening: tenderers), award "
                "(candidates' publicity, pending), awardUpdate (award active) and contract. Nothing sealed "
                "(tenderers, prices) before the opening.",
            ),
            (
                "records",
                "OCDS 1.1 record package of a trading procedure",
                "One record: the linked releases and the compiled release.",
            ),
        ):
            paths[f"/trading/ocds/{kind}/{{ocid}}"] = {
                "get": {
                    "tags": ["trading"],
                    "summary": summary,
                    "description": description,
                    "security": [],
                    "parameters": [ocid],
                    "responses": {
                        "200": {
                            "description": f"An OCDS 1.1 {kind[:-1]} package.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **self._openapi_error_responses("404"),
                    },
                }
            }
        return paths
