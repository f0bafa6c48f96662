from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CityBasePortal(CustomerPortal):
    @staticmethod
    def _city_is_resident():
        """The logged-in user is a resident portal user whose partner is a registered resident."""
        user = request.env.user
        return user.has_group("city_base.group_city_base_resident") and user.partner_id.is_resident

    def _city_list_page(
        self,
        model,
        url,
        page,
        sortby,
        sortings,
        default_sort,
        domain=(),
        per_page=20,
        history=None,
        url_args=None,
        fields=None,
    ):
        """One page of a sorted ``/my/...`` list, as ``(records, values)``.

        ``sortings`` are the search bar's ``{key: {"label", "order"}}``; an unknown ``sortby`` falls back
        to ``default_sort``. The pager keeps ``sortby`` and then ``url_args`` in its links. ``fields`` are
        read with the page in the same query; ``history`` is the session key of the page's ids, which the
        detail pages use for their previous and next links. ``values`` are the portal layout values with
        ``pager``, ``searchbar_sortings``, ``sortby`` and ``default_url``: the route adds its own and renders.
        """
        sortby = sortby if sortby in sortings else default_sort
        domain = list(domain)
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby, **(url_args or {})},
            total=model.search_count(domain),
            page=page,
            step=per_page,
        )
        order = sortings[sortby]["order"]
        if fields:
            records = model.search_fetch(domain, fields, order=order, limit=per_page, offset=pager["offset"])
        else:
            records = model.search(domain, order=order, limit=per_page, offset=pager["offset"])
        if history:
            request.session[history] = records.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({"pager": pager, "searchbar_sortings": sortings, "sortby": sortby, "default_url": url})
        return records, values

    @http.route(["/my/resident"], type="http", auth="user", website=True, readonly=True)
    def portal_my_resident(self, **kw):
        user = request.env.user
        partner = user.partner_id
        if not self._city_is_resident():
            return request.redirect("/my")
        # The resident reads his own record (portal rule); names of the household and
        # divisions come from records he may not browse himself.
        partner.check_access("read")
        partner_sudo = partner.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_resident",
                "partner": partner,
                "division": partner_sudo.city_division_id,
                "building": partner_sudo.city_building_id,
                "household": partner_sudo.city_household_id,
                "household_members": partner_sudo.city_household_id.member_ids.filtered("active"),
            }
        )
        return request.render("city_base.portal_my_resident", values)

    @http.route(["/my/organisation"], type="http", auth="user", website=True, readonly=True)
    def portal_my_organisation(self, **kw):
        user = request.env.user
        company = user.partner_id.commercial_partner_id
        if not user.has_group("city_base.group_city_base_business") or not company.is_company:
            return request.redirect("/my")
        company.check_access("read")
        credit_sudo = (
            request.env["city.credit.record"]
            .sudo()
            .search([("partner_id", "=", company.id), ("is_current", "=", True)])
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_organisation",
                "company": company,
                "credit_records": credit_sudo,
                "blacklisted": any(record.kind == "blacklist" for record in credit_sudo),
            }
        )
        return request.render("city_base.portal_my_organisation", values)
