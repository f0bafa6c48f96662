"""Enterprise portal of recalls: the notifications of the user's enterprise, confirmed with the returned quantity.

Enterprise users read their own notification lines (record rule on ``city.trace.recall.line``:
partner = the user's commercial partner) and never write them: the confirmation is recorded on
the sudo line by :meth:`city.trace.recall.line._portal_confirm` once the controller checked the
line belongs to the user's enterprise.
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.labels import selection_labels

MAX_NOTE = 2000


class RecallPortal(CityBasePortal):
    _recall_items_per_page = 20

    @staticmethod
    def _recall_domain():
        return [("partner_id", "=", request.env.user.commercial_partner_id.id)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "trace_recall_count" in counters:
            Line = request.env["city.trace.recall.line"]
            values["trace_recall_count"] = Line.search_count(self._recall_domain()) if Line.has_access("read") else 0
        return values

    @http.route(["/my/recalls", "/my/recalls/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_recalls(self, page=1, sortby=None, filterby=None, **kw):
        env = request.env
        Line = env["city.trace.recall.line"]
        if not Line.has_access("read"):
            return request.redirect("/my")
        searchbar_sortings = {
            "date": {"label": env._("Newest"), "order": "notified_date desc, id desc"},
            "state": {"label": env._("Status"), "order": "state, notified_date desc"},
        }
        searchbar_filters = {
            "all": {"label": env._("All"), "domain": []},
            "pending": {"label": env._("To confirm"), "domain": [("state", "=", "notified")]},
            "confirmed": {"label": env._("Confirmed"), "domain": [("state", "=", "confirmed")]},
            "closed": {"label": env._("Closed"), "domain": [("state", "=", "closed")]},
        }
        filterby = filterby if filterby in searchbar_filters else "all"
        lines, values = self._city_list_page(
            Line,
            "/my/recalls",
            page,
            sortby,
            searchbar_sortings,
            "date",
            domain=self._recall_domain() + searchbar_filters[filterby]["domain"],
            per_page=self._recall_items_per_page,
            history="my_recalls_history",
            url_args={"filterby": filterby},
        )
        values.update(
            {
                "page_name": "city_trace_recalls",
                # read through the rules above; the recalls' lots may belong to other enterprises
                "lines": lines.sudo(),
                "searchbar_filters": searchbar_filters,
                "filterby": filterby,
                "hazard_labels": self._recall_hazard_labels(),
                "state_labels": selection_labels(Line, "state"),
            }
        )
        return request.render("city_trace.portal_my_recalls", values)

    @staticmethod
    def _recall_hazard_labels():
        return selection_labels(request.env["city.trace.recall"], "hazard_level")

    def _recall_page(self, line_sudo, access_token=None, error=None, form=None, **kw):
        values = self._get_page_view_values(
            line_sudo,
            access_token,
            {
                "page_name": "city_trace_recall",
                "line": line_sudo,
                "recall": line_sudo.recall_id,
                "can_confirm": self._recall_can_confirm(line_sudo),
                "error": error,
                "form": form or {},
                "hazard_labels": self._recall_hazard_labels(),
                "state_labels": selection_labels(line_sudo, "state"),
            },
            "my_recalls_history",
            False,
            **kw,
        )
        return request.render("city_trace.portal_my_recall", values)

    @staticmethod
    def _recall_can_confirm(line_sudo):
        """Only users of the line's enterprise confirm, while the recall is open and the line not closed."""
        user = request.env.user
        return (
            not user._is_public()
            and user.commercial_partner_id == line_sudo.partner_id
            and line_sudo.recall_id.state == "open"
            and line_sudo.state != "closed"
        )

    @http.route(["/my/recalls/<int:line_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_recall(self, line_id, access_token=None, **kw):
        try:
            line_sudo = self._document_check_access("city.trace.recall.line", line_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._recall_page(line_sudo, access_token, **kw)

    @http.route(["/my/recalls/<int:line_id>/confirm"], type="http", auth="user", website=True, methods=["POST"])
    def portal_my_recall_confirm(self, line_id, access_token=None, **post):
        env = request.env
        try:
            line_sudo = self._document_check_access("city.trace.recall.line", line_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if env.user.commercial_partner_id != line_sudo.partner_id:
            return request.redirect("/my")
        # the confirmation is recorded as the user (author, confirmed by), with the rights of sudo
        line_sudo = line_sudo.with_user(env.user).sudo()
        try:
            raw = (post.get("quantity_returned") or "").strip().replace(",", "")
            try:
                quantity = float(raw)
            except ValueError as error:
                raise ValidationError(env._("Give the returned quantity as a number (0 or more).")) from error
            note = (post.get("note") or "").strip()
            if len(note) > MAX_NOTE:
                raise ValidationError(env._("The note is too long (%(max)s characters at most).", max=MAX_NOTE))
            with env.cr.savepoint():
                line_sudo._portal_confirm(quantity, note or None)
        except (UserError, ValidationError) as error:
            return self._recall_page(line_sudo, access_token, error=error.args[0], form=post)
        return request.redirect(f"/my/recalls/{line_sudo.id}?confirmed=1")
