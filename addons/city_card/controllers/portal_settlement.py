"""Business portal of the one-card: a merchant's settlements and their PDF statements.

Portal users whose commercial partner is a merchant's organisation read that merchant's
settlements (record rule ``city_card_settlement_rule_portal``); nothing else is shown.
"""

from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.labels import selection_labels


class CardSettlementPortal(CityBasePortal):
    _card_settlements_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "card_settlement_count" in counters:
            Settlement = request.env["city.card.settlement"]
            values["card_settlement_count"] = Settlement.search_count([]) if Settlement.has_access("read") else 0
        return values

    def _card_settlement_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest"), "order": "date desc, id desc"},
            "date_asc": {"label": env._("Oldest"), "order": "date asc, id asc"},
            "net": {"label": env._("Net amount"), "order": "net_amount desc, id desc"},
        }

    @http.route(
        ["/my/card-settlements", "/my/card-settlements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_card_settlements(self, page=1, sortby=None, **kw):
        env = request.env
        Settlement = env["city.card.settlement"]
        if not Settlement.has_access("read"):
            return request.redirect("/my")
        settlements, values = self._city_list_page(
            Settlement,
            "/my/card-settlements",
            page,
            sortby,
            self._card_settlement_sortings(),
            "date",
            per_page=self._card_settlements_per_page,
            history="my_card_settlements_history",
        )
        values.update(
            {
                "page_name": "card_settlements",
                "settlements": settlements,
                "state_labels": selection_labels(Settlement, "state"),
            }
        )
        return request.render("city_card.portal_my_card_settlements", values)

    @http.route(["/my/card-settlements/<int:settlement_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_card_settlement(self, settlement_id, access_token=None, report_type=None, download=False, **kw):
        try:
            settlement_sudo = self._document_check_access(
                "city.card.settlement", settlement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=settlement_sudo,
                report_type=report_type,
                report_ref="city_card.city_card_settlement_action_report",
                download=download,
            )
        # no token is created here (a read-only request): the link carries the one that was given
        query = {"report_type": "pdf", **({"access_token": access_token} if access_token else {})}
        pdf_url = f"{settlement_sudo.access_url}?{urlencode(query)}"
        values = self._get_page_view_values(
            settlement_sudo,
            access_token,
            {
                "page_name": "card_settlement",
                "settlement": settlement_sudo,
                "summary": settlement_sudo._statement_summary(),
                "pdf_url": pdf_url,
                "state_labels": selection_labels(settlement_sudo, "state"),
            },
            "my_card_settlements_history",
            False,
            **kw,
        )
        return request.render("city_card.portal_my_card_settlement", values)
