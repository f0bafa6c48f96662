"""Business portal of elderly care: a provider's monthly statements, confirmed or disputed by its staff.

Portal users of the provider group whose commercial partner is the provider's organisation read that provider's
statements (record rule ``city_elderly_statement_rule_provider``); they confirm or dispute a statement that was
sent to them, and download it as PDF.
"""

from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.labels import selection_labels


class ElderlyStatementPortal(CityBasePortal):
    _elderly_statements_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "elderly_statement_count" in counters:
            Statement = request.env["city.elderly.statement"]
            values["elderly_statement_count"] = Statement.search_count([]) if Statement.has_access("read") else 0
        return values

    def _elderly_statement_sortings(self):
        env = request.env
        return {
            "month": {"label": env._("Newest"), "order": "month desc, id desc"},
            "month_asc": {"label": env._("Oldest"), "order": "month asc, id asc"},
            "amount": {"label": env._("Amount"), "order": "amount_fen desc, id desc"},
        }

    @http.route(
        ["/my/elderly/statements", "/my/elderly/statements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_elderly_statements(self, page=1, sortby=None, **kw):
        env = request.env
        Statement = env["city.elderly.statement"]
        if not Statement.has_access("read"):
            return request.redirect("/my")
        statements, values = self._city_list_page(
            Statement,
            "/my/elderly/statements",
            page,
            sortby,
            self._elderly_statement_sortings(),
            "month",
            per_page=self._elderly_statements_per_page,
            history="my_elderly_statements_history",
        )
        values.update(
            {
                "page_name": "elderly_statements",
                "statements": statements,
                "state_labels": selection_labels(Statement, "state"),
            }
        )
        return request.render("city_elderly_care.portal_my_elderly_statements", values)

    @http.route(["/my/elderly/statements/<int:statement_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_elderly_statement(self, statement_id, access_token=None, report_type=None, download=False, **kw):
        try:
            statement_sudo = self._document_check_access(
                "city.elderly.statement", statement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=statement_sudo,
                report_type=report_type,
                report_ref="city_elderly_care.city_elderly_statement_action_report",
                download=download,
            )
        env = request.env
        query = {"report_type": "pdf", **({"access_token": access_token} if access_token else {})}
        user = env.user
        can_answer = (
            statement_sudo.state == "sent"
            and user.has_group("city_elderly_care.group_city_elderly_care_provider")
            and statement_sudo.provider_id.partner_id == user.commercial_partner_id
        )
        values = self._get_page_view_values(
            statement_sudo,
            access_token,
            {
                "page_name": "elderly_statement",
                "statement": statement_sudo,
                "pdf_url": f"{statement_sudo.access_url}?{urlencode(query)}",
                "can_answer": can_answer,
                "error": kw.get("error"),
                "message": kw.get("message"),
                "state_labels": selection_labels(statement_sudo, "state"),
            },
            "my_elderly_statements_history",
            False,
            **kw,
        )
        return request.render("city_elderly_care.portal_my_elderly_statement", values)

    def _elderly_statement_answer(self, statement_id, method, *args):
        """Run the provider's answer as the portal user (the model checks who may answer)."""
        statement = request.env["city.elderly.statement"].browse(statement_id)
        url = f"/my/elderly/statements/{statement_id}"
        try:
            getattr(statement, method)(*args)
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            return request.redirect(f"{url}?{urlencode({'error': error.args[0]})}")
        return request.redirect(f"{url}?{urlencode({'message': method})}")

    @http.route(
        ["/my/elderly/statements/<int:statement_id>/confirm"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_elderly_statement_confirm(self, statement_id, **kw):
        return self._elderly_statement_answer(statement_id, "action_confirm")

    @http.route(
        ["/my/elderly/statements/<int:statement_id>/dispute"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_elderly_statement_dispute(self, statement_id, reason=None, **kw):
        return self._elderly_statement_answer(statement_id, "action_dispute", reason or "")
