"""Public pages of the trading platform (no login): notices, and the check of a bid receipt."""

from odoo import http
from odoo.http import request

from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.city_trading_procedure import STATES

STATE_CLASSES = {
    "published": "text-bg-success",
    "clarification": "text-bg-success",
    "bidding": "text-bg-success",
    "suspended": "text-bg-warning",
}
NOTICE_FIELDS = ["reference", "name", "type_id", "buyer_name", "state", "published_at", "bid_deadline"]


class TradingPublic(http.Controller):
    _notices_per_page = 20

    @staticmethod
    def _notice_domain(trading_type=None, state=None):
        domain = [("is_public", "=", True)]
        if trading_type:
            domain.append(("type_code", "=", trading_type))
        if state and state in dict(STATES) and state != "draft":
            domain.append(("state", "=", state))
        return domain

    @http.route(
        ["/trading/notices", "/trading/notices/page/<int:page>"],
        type="http",
        auth="public",
        website=True,
        sitemap=True,
        readonly=True,
    )
    def trading_notices(self, page=1, state=None, **kw):
        trading_type = kw.get("type")
        # The public and portal users read only published procedures (record rule on is_public).
        Procedure = request.env["city.trading.procedure"]
        domain = self._notice_domain(trading_type, state)
        total = Procedure.search_count(domain)
        pager = portal_pager(
            url="/trading/notices",
            url_args={key: value for key, value in {"type": trading_type, "state": state}.items() if value},
            total=total,
            page=page,
            step=self._notices_per_page,
        )
        # One query for the page's columns (no lazy loads in the template), the type names from the
        # small catalogue, the times converted here.
        procedures = Procedure.search_fetch(domain, NOTICE_FIELDS, limit=self._notices_per_page, offset=pager["offset"])
        types = request.env["city.trading.type"].search_fetch([], ["name", "code"])
        type_names = {trading_type.id: trading_type.name for trading_type in types}
        state_labels = selection_labels(Procedure, "state")
        local = Procedure._local
        rows = [
            {
                "id": procedure.id,
                "reference": procedure.reference,
                "name": procedure.name,
                "type": type_names.get(procedure.type_id.id, ""),
                "buyer": procedure.buyer_name,
                "state": procedure.state,
                "state_class": STATE_CLASSES.get(procedure.state, "text-bg-secondary"),
                "published_at": local(procedure.published_at),
                "bid_deadline": local(procedure.bid_deadline),
            }
            for procedure in procedures
        ]
        values = {
            "rows": rows,
            "pager": pager,
            "types": types,
            "states": [item for item in state_labels.items() if item[0] != "draft"],
            "state_labels": state_labels,
            "current_type": trading_type,
            "current_state": state,
            "total": total,
        }
        return request.render("city_resource_trading.public_notices", values)

    @http.route(["/trading/notices/<int:procedure_id>"], type="http", auth="public", website=True, readonly=True)
    def trading_notice(self, procedure_id, **kw):
        procedure = request.env["city.trading.procedure"].search(
            [("id", "=", procedure_id), ("is_public", "=", True)], limit=1
        )
        if not procedure:
            return request.not_found()
        Procedure = request.env["city.trading.procedure"]
        values = {
            "procedure": procedure,
            "amendments": procedure.amendment_ids.filtered(lambda amendment: amendment.state == "published"),
            "questions": procedure.question_ids.filtered("is_public"),
            "opening_rows": procedure._opening_rows(),
            "candidates": procedure._publicity_candidates(),
            "state_labels": selection_labels(Procedure, "state"),
        }
        return request.render("city_resource_trading.public_notice", values)

    @http.route(["/trading/receipt/verify"], type="http", auth="public", website=True, readonly=True)
    def trading_receipt_verify(self, reference=None, signature=None, **kw):
        result = None
        bid_values = {}
        if reference and signature:
            # Knowing the reference and the signature is the access check: the page only says whether
            # the platform signed that receipt and shows its digests, never the price or the files.
            bid_sudo = (
                request.env["city.trading.bid"]
                .sudo()
                .search([("reference", "=", reference.strip()), ("state", "!=", "draft")], limit=1)
            )
            result = bool(bid_sudo) and bid_sudo.verify_receipt(signature)
            if result:
                bid_values = {
                    "reference": bid_sudo.reference,
                    "procedure": bid_sudo.procedure_id.reference,
                    "submitted_at": bid_sudo.procedure_id._local(bid_sudo.submitted_at),
                    "price_sha256": bid_sudo.price_sha256,
                    "files": [(file.filename, file.sha256) for file in bid_sudo.file_ids],
                }
        values = {"reference": reference, "signature": signature, "result": result, "bid": bid_values}
        return request.render("city_resource_trading.public_receipt_verify", values)

    @http.route(["/city_trading/bid_file/<int:file_id>"], type="http", auth="user", readonly=True)
    def trading_bid_file(self, file_id, **kw):
        """An opened bid file, decrypted for the officers who read the bid (after the opening only)."""
        file = request.env["city.trading.bid.file"].browse(file_id).exists()
        if not file:
            return request.not_found()
        content = file._plaintext()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/octet-stream"),
                ("Content-Disposition", http.content_disposition(file.filename)),
            ],
        )
