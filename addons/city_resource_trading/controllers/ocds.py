"""Open data of the trading platform: OCDS 1.1 release and record packages per procedure (public).

``GET /api/city/v1/trading/ocds/releases/<ocid>`` returns the release package of a published
procedure (tender, tender update at the opening, award, award update, contract); ``GET
/api/city/v1/trading/ocds/records/<ocid>`` the record package with the compiled release. Nothing
sealed (tenderers, prices) appears before the opening. Unknown or unpublished OCIDs answer 404
``not_found``.
"""

from odoo import http
from odoo.http import request

from odoo.addons.city_base.controllers.api import API_PREFIX, ApiError, CityApiBase

# public, read-only open data: no session, no CSRF token
ROUTE = {"type": "http", "auth": "public", "methods": ["GET"], "csrf": False, "save_session": False, "readonly": True}


class TradingOcdsApi(CityApiBase):
    @staticmethod
    def _trading_procedure_for(ocid):
        procedure = request.env["city.trading.procedure"]._from_ocid(ocid)
        if not procedure:
            raise ApiError(404, "not_found", request.env._("No published procedure has this OCID."))
        return procedure

    @http.route(f"{API_PREFIX}/trading/ocds/releases/<string:ocid>", **ROUTE)
    def trading_ocds_releases(self, ocid):
        def handler(_payload):
            # Found through the public user's record rules; the package reads bids and partners as sudo.
            procedure_sudo = self._trading_procedure_for(ocid).sudo()
            return procedure_sudo._ocds_release_package(request.httprequest.base_url)

        return self._api_call(handler, authenticate=False)

    @http.route(f"{API_PREFIX}/trading/ocds/records/<string:ocid>", **ROUTE)
    def trading_ocds_records(self, ocid):
        def handler(_payload):
            procedure_sudo = self._trading_procedure_for(ocid).sudo()
            host = request.httprequest.host_url.rstrip("/")
            releases_uri = f"{host}{API_PREFIX}/trading/ocds/releases/{ocid}"
            return procedure_sudo._ocds_record_package(request.httprequest.base_url, releases_uri)

        return self._api_call(handler, authenticate=False)
