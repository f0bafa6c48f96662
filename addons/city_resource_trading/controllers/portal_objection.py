"""Bidder portal pages for objections (异议) and complaints (投诉) during the candidates' publicity."""

from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.city_base.controllers.portal import CityBasePortal


class TradingChallengePortal(CityBasePortal):
    _challenge_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        for key, model in (
            ("trading_objection_count", "city.trading.objection"),
            ("trading_complaint_count", "city.trading.complaint"),
        ):
            if key in counters:
                Model = request.env[model]
                values[key] = Model.search_count([]) if Model.has_access("read") else 0
        return values

    def _challenge_list(self, model, url, page_name, template, page, sortby):
        Model = request.env[model]
        if not Model.has_access("read"):
            return request.redirect("/my")
        sortings = {
            "date": {"label": request.env._("Newest"), "order": "submitted_at desc, id desc"},
            "state": {"label": request.env._("Status"), "order": "state, submitted_at desc"},
        }
        records, values = self._city_list_page(
            Model, url, page, sortby, sortings, "date", per_page=self._challenge_per_page
        )
        values.update({"page_name": page_name, "records": records})
        return request.render(template, values)

    @http.route(
        ["/my/trading/objections", "/my/trading/objections/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_trading_objections(self, page=1, sortby=None, **kw):
        return self._challenge_list(
            "city.trading.objection",
            "/my/trading/objections",
            "trading_objections",
            "city_resource_trading.portal_my_trading_objections",
            page,
            sortby,
        )

    @http.route(
        ["/my/trading/complaints", "/my/trading/complaints/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_trading_complaints(self, page=1, sortby=None, **kw):
        return self._challenge_list(
            "city.trading.complaint",
            "/my/trading/complaints",
            "trading_complaints",
            "city_resource_trading.portal_my_trading_complaints",
            page,
            sortby,
        )

    @http.route(["/my/trading/objections/<int:objection_id>"], type="http", auth="public", website=True)
    def portal_my_trading_objection(self, objection_id, access_token=None, message=None, error=None, **kw):
        try:
            objection_sudo = self._document_check_access("city.trading.objection", objection_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {
            "page_name": "trading_objection",
            "objection": objection_sudo,
            "message": message,
            "error": error,
            "may_complain": objection_sudo.state == "answered"
            and objection_sudo.bidder_id == request.env.user.commercial_partner_id
            and not objection_sudo.complaint_ids.filtered(lambda c: c.state in ("submitted", "accepted")),
        }
        values = self._get_page_view_values(
            objection_sudo, access_token, values, "my_trading_objections_history", False
        )
        return request.render("city_resource_trading.portal_my_trading_objection", values)

    @http.route(["/my/trading/complaints/<int:complaint_id>"], type="http", auth="public", website=True)
    def portal_my_trading_complaint(self, complaint_id, access_token=None, **kw):
        try:
            complaint_sudo = self._document_check_access("city.trading.complaint", complaint_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {"page_name": "trading_complaint", "complaint": complaint_sudo}
        values = self._get_page_view_values(
            complaint_sudo, access_token, values, "my_trading_complaints_history", False
        )
        return request.render("city_resource_trading.portal_my_trading_complaint", values)

    @http.route(["/my/trading/objections/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_trading_objection_form(self, procedure_id=None, error=None, **kw):
        try:
            procedure = request.env["city.trading.procedure"].browse(int(procedure_id or 0)).exists()
            procedure.check_access("read")
        except (AccessError, MissingError, ValueError):
            return request.redirect("/my")
        if not procedure:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "trading_objection_new", "procedure": procedure, "error": error})
        return request.render("city_resource_trading.portal_trading_objection_form", values)

    @http.route(["/my/trading/objections/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_objection_submit(self, procedure_id=None, text=None, **post):
        try:
            procedure = request.env["city.trading.procedure"].browse(int(procedure_id or 0)).exists()
            objection = request.env["city.trading.objection"]._file(procedure, text)
        except (AccessError, MissingError, UserError, ValueError) as error:
            query = urlencode({"procedure_id": procedure_id or "", "error": str(error.args[0] if error.args else "")})
            return request.redirect(f"/my/trading/objections/new?{query}")
        return request.redirect(objection.access_url)

    @http.route(
        ["/my/trading/objections/<int:objection_id>/close"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_trading_objection_close(self, objection_id, **post):
        objection = request.env["city.trading.objection"].browse(objection_id)
        try:
            objection.action_close()
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect(f"{objection.access_url}?{urlencode({'error': error.args[0]})}")
        return request.redirect(objection.access_url)

    @http.route(
        ["/my/trading/objections/<int:objection_id>/complaint"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_trading_complaint_submit(self, objection_id, text=None, **post):
        objection = request.env["city.trading.objection"].browse(objection_id)
        try:
            complaint = request.env["city.trading.complaint"]._file(objection, text)
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect(f"/my/trading/objections/{objection_id}?{urlencode({'error': error.args[0]})}")
        return request.redirect(complaint.access_url)
