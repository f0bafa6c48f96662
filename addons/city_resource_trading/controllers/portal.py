"""The bidder portal: register, download, ask, submit, withdraw and replace bids, answer the opening."""

from urllib.parse import urlencode

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.city_trading_procedure import ASKING_STATES, BIDDING_STATES


class TradingPortal(CustomerPortal):
    _trading_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "trading_count" in counters:
            Registration = request.env["city.trading.registration"]
            values["trading_count"] = Registration.search_count([]) if Registration.has_access("read") else 0
        return values

    @staticmethod
    def _trading_is_bidder():
        return request.env.user.has_group("city_base.group_city_base_business")

    @http.route(["/my/trading", "/my/trading/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_trading(self, page=1, filterby="open", **kw):
        Procedure = request.env["city.trading.procedure"]
        registered = request.env["city.trading.registration"].search([]).procedure_id
        filters = {
            "open": {
                "label": request.env._("Open for Bids"),
                "domain": [("is_public", "=", True), ("state", "in", BIDDING_STATES)],
            },
            "mine": {"label": request.env._("Registered"), "domain": [("id", "in", registered.ids)]},
        }
        filterby = filterby if filterby in filters else "open"
        domain = filters[filterby]["domain"]
        total = Procedure.search_count(domain)
        pager = portal_pager(
            url="/my/trading",
            url_args={"filterby": filterby},
            total=total,
            page=page,
            step=self._trading_per_page,
        )
        procedures = Procedure.search(
            domain, order="bid_deadline, id", limit=self._trading_per_page, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "trading",
                "procedures": procedures,
                "registered": registered,
                "pager": pager,
                "default_url": "/my/trading",
                "searchbar_filters": filters,
                "filterby": filterby,
                "state_labels": selection_labels(Procedure, "state"),
            }
        )
        return request.render("city_resource_trading.portal_my_trading", values)

    @http.route(["/my/trading/<int:procedure_id>"], type="http", auth="public", website=True)
    def portal_my_trading_procedure(self, procedure_id, access_token=None, message=None, error=None, **kw):
        try:
            procedure_sudo = self._document_check_access("city.trading.procedure", procedure_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        procedure = procedure_sudo.with_env(request.env)
        registration = procedure._registration_for() if self._trading_is_bidder() else False
        Bid = request.env["city.trading.bid"]
        bids = (
            Bid.search(
                [("procedure_id", "=", procedure.id), ("state", "!=", "draft")], order="submitted_at desc, id desc"
            )
            if Bid.has_access("read")
            else Bid
        )
        now = fields.Datetime.now()
        open_for_bids = procedure.state in BIDDING_STATES and procedure.bid_deadline and now < procedure.bid_deadline
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "trading_procedure",
                "procedure": procedure_sudo,
                "registration": registration,
                "bids": bids,
                "current_bid": bids.filtered(lambda bid: bid.state == "submitted")[:1],
                "can_register": self._trading_is_bidder() and not registration and open_for_bids,
                "can_ask": bool(registration)
                and procedure.state in ASKING_STATES
                and now < procedure.clarification_deadline,
                "can_bid": bool(registration) and open_for_bids,
                "questions": procedure.question_ids.filtered("is_public"),
                "amendments": procedure.amendment_ids.filtered(lambda amendment: amendment.state == "published"),
                "opening_rows": procedure._opening_rows() if bids else [],
                "candidates": procedure_sudo._publicity_candidates(),
                # Participants object to the candidates during the publicity.
                "can_object": bool(bids) and procedure.state == "publicity",
                "state_labels": selection_labels(procedure, "state"),
                "message": message,
                "error": error,
                "local": procedure._local,
            }
        )
        values = self._get_page_view_values(procedure_sudo, access_token, values, "my_trading_history", False)
        return request.render("city_resource_trading.portal_my_trading_procedure", values)

    def _trading_procedure(self, procedure_id):
        procedure = request.env["city.trading.procedure"].browse(procedure_id).exists()
        procedure.check_access("read")
        return procedure

    def _trading_done(self, procedure_id, message=None, error=None):
        url = f"/my/trading/{procedure_id}"
        if error:
            return request.redirect(f"{url}?{urlencode({'error': error})}")
        return request.redirect(f"{url}?{urlencode({'message': message or 'ok'})}")

    @http.route(["/my/trading/<int:procedure_id>/register"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_register(self, procedure_id, **post):
        try:
            self._trading_procedure(procedure_id)._register_bidder()
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return self._trading_done(procedure_id, error=str(error))
        return self._trading_done(procedure_id, request.env._("Your organisation is registered."))

    @http.route(["/my/trading/document/<int:document_id>"], type="http", auth="user", website=True)
    def portal_trading_document(self, document_id, **kw):
        document = request.env["city.trading.document"].browse(document_id).exists()
        if not document:
            return request.not_found()
        try:
            filename, content = document._download(request.httprequest.remote_addr)
        except AccessError:
            return request.redirect(f"/my/trading/{document.procedure_id.id}")
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/octet-stream"),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )

    @http.route(["/my/trading/<int:procedure_id>/ask"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_ask(self, procedure_id, question=None, **post):
        try:
            self._trading_procedure(procedure_id)._ask_question(question)
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return self._trading_done(procedure_id, error=str(error))
        return self._trading_done(
            procedure_id, request.env._("Your question was sent; the answer will be published to all bidders.")
        )

    @http.route(["/my/trading/<int:procedure_id>/bid"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_bid(self, procedure_id, price=None, contact_phone=None, contact_email=None, **post):
        files = [
            (upload.filename, upload.read())
            for upload in request.httprequest.files.getlist("bid_files")
            if upload and upload.filename
        ]
        replace = None
        if post.get("replace_bid_id"):
            replace = request.env["city.trading.bid"].browse(int(post["replace_bid_id"])).exists()
        try:
            procedure = self._trading_procedure(procedure_id)
            bid = procedure._submit_bid(
                price,
                files,
                contact_phone=(contact_phone or "").strip() or None,
                contact_email=(contact_email or "").strip() or None,
                upload_ip=request.httprequest.remote_addr,
                replace=replace,
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return self._trading_done(procedure_id, error=str(error))
        return self._trading_done(
            procedure_id,
            request.env._("Bid %(reference)s received and sealed; download your receipt.", reference=bid.reference),
        )

    def _trading_bid_action(self, bid_id, method, *args):
        bid = request.env["city.trading.bid"].browse(bid_id).exists()
        if not bid:
            return request.redirect("/my")
        try:
            procedure_id = bid.procedure_id.id
            getattr(bid, method)(*args)
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return self._trading_done(procedure_id, error=str(error))
        return self._trading_done(procedure_id, request.env._("Done."))

    @http.route(["/my/trading/bid/<int:bid_id>/withdraw"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_bid_withdraw(self, bid_id, **post):
        return self._trading_bid_action(bid_id, "action_withdraw")

    @http.route(["/my/trading/bid/<int:bid_id>/reconfirm"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_bid_reconfirm(self, bid_id, **post):
        return self._trading_bid_action(bid_id, "action_reconfirm")

    @http.route(["/my/trading/bid/<int:bid_id>/confirm"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_bid_confirm(self, bid_id, **post):
        return self._trading_bid_action(bid_id, "action_confirm_opening")

    @http.route(["/my/trading/bid/<int:bid_id>/object"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trading_bid_object(self, bid_id, objection=None, **post):
        return self._trading_bid_action(bid_id, "action_object_opening", objection)

    @http.route(["/my/trading/bid/<int:bid_id>/receipt"], type="http", auth="user", website=True)
    def portal_trading_bid_receipt(self, bid_id, report_type="pdf", download=False, **kw):
        try:
            bid_sudo = self._document_check_access("city.trading.bid", bid_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._show_report(
            model=bid_sudo,
            report_type=report_type,
            report_ref="city_resource_trading.city_trading_bid_action_report_receipt",
            download=download,
        )
