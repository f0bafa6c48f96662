import base64
import os

import babel.dates

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import pager as portal_pager

ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".doc", ".docx", ".xls", ".xlsx", ".txt"}


class CommunityPortal(CityBasePortal):
    # Requests and notices are read on phones: short pages (Odoo's portal default is 80).
    _city_items_per_page = 20
    # The columns of the "My Service Requests" list: only these are read from city_request.
    _city_request_list_fields = ("name", "item_id", "submit_date", "reply_deadline", "state")

    # ------------------------------------------------------------------
    # Home counters
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        env = request.env
        if "city_request_count" in counters:
            Request = env["city.request"]
            values["city_request_count"] = (
                Request.search_count(self._city_request_domain()) if Request.has_access("read") else 0
            )
        if "city_notice_count" in counters:
            Notice = env["city.notice"]
            if Notice.has_access("read"):
                domain = Notice._portal_domain(env.user.partner_id)
                values["city_notice_count"] = Notice.search_count(
                    [*domain, ("read_partner_ids", "not in", env.user.partner_id.ids)]
                )
            else:
                values["city_notice_count"] = 0
        return values

    @staticmethod
    def _city_request_domain():
        return [("portal_partner_ids", "in", request.env.user.partner_id.ids)]

    # ------------------------------------------------------------------
    # Catalogue (public)
    # ------------------------------------------------------------------
    @http.route(["/my/services"], type="http", auth="public", website=True, readonly=True, sitemap=True)
    def portal_services(self, search=None, **kw):
        env = request.env
        domain = [("active", "=", True)]
        if search:
            domain += ["|", ("name", "ilike", search), ("code", "ilike", search)]
        items = env["city.service.item"].search(domain)
        categories = items.category_id.sorted(lambda category: (category.sequence, category.id))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_services",
                "categories": categories,
                "items_by_category": {
                    category: items.filtered(lambda i, c=category: i.category_id == c) for category in categories
                },
                "search": search or "",
                "is_resident": self._city_is_resident(),
            }
        )
        return request.render("city_community.portal_services", values)

    @http.route(["/my/services/<int:item_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_service_item(self, item_id, **kw):
        item = request.env["city.service.item"].browse(item_id).exists()
        if not item:
            return request.redirect("/my/services")
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "city_services", "item": item, "is_resident": self._city_is_resident()})
        return request.render("city_community.portal_service_item", values)

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------
    @staticmethod
    def _city_duplicates_sudo(item, partner):
        """Open requests of ``item`` that would be duplicates of one filed by ``partner`` from home."""
        Request_sudo = request.env["city.request"].sudo()
        probe = Request_sudo.new(
            {"item_id": item.id, "partner_id": partner.id, **Request_sudo._location_from_partner(partner)}
        )
        return probe._find_duplicates()

    def _city_new_values(self, item, error=None, form=None):
        partner = request.env.user.partner_id
        duplicates_sudo = self._city_duplicates_sudo(item, partner).filtered(
            lambda r: r.partner_id != partner and partner not in r.affected_partner_ids
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_request_new",
                "item": item,
                "duplicates": duplicates_sudo,
                "error": error,
                "form": form or {},
                "max_files": self._city_param_int("city_community.portal_max_files", 5),
                "max_mb": self._city_param_int("city_community.portal_max_file_bytes", 10485760) // 1048576,
            }
        )
        return values

    @staticmethod
    def _city_param_int(key, default):
        try:
            return int(request.env["ir.config_parameter"].sudo().get_param(key, default))
        except (TypeError, ValueError):
            return default

    @http.route(["/my/requests/new/<int:item_id>"], type="http", auth="user", website=True, methods=["GET"])
    def portal_request_new(self, item_id, **kw):
        item = request.env["city.service.item"].browse(item_id).exists()
        if not item or not item.online or not self._city_is_resident():
            return request.redirect("/my/services")
        return request.render("city_community.portal_request_new", self._city_new_values(item))

    def _city_files(self):
        files = [f for f in request.httprequest.files.getlist("attachments") if f and f.filename]
        max_files = self._city_param_int("city_community.portal_max_files", 5)
        max_bytes = self._city_param_int("city_community.portal_max_file_bytes", 10485760)
        if len(files) > max_files:
            raise ValidationError(request.env._("Attach at most %(count)s files.", count=max_files))
        result = []
        for upload in files:
            extension = os.path.splitext(upload.filename)[1].lower()
            if extension not in ALLOWED_EXTENSIONS:
                raise ValidationError(
                    request.env._(
                        "%(name)s: only PDF, images, Word, Excel and text files are accepted.", name=upload.filename
                    )
                )
            data = upload.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ValidationError(
                    request.env._(
                        "%(name)s is larger than %(size)s MB.", name=upload.filename, size=max_bytes // 1048576
                    )
                )
            result.append((upload.filename, data))
        return result

    @http.route(["/my/requests/new/<int:item_id>"], type="http", auth="user", website=True, methods=["POST"])
    def portal_request_submit(self, item_id, **post):
        env = request.env
        item = env["city.service.item"].browse(item_id).exists()
        if not item or not item.online or not self._city_is_resident():
            return request.redirect("/my/services")
        partner = env.user.partner_id
        try:
            description = (post.get("description") or "").strip()
            if not description:
                raise ValidationError(env._("Describe your request."))
            if len(description) > 5000:
                raise ValidationError(env._("The description is too long (5000 characters at most)."))
            answers = {str(question.id): post.get(f"question_{question.id}") for question in item.question_ids}
            files = self._city_files()
            Request_sudo = env["city.request"].sudo()
            with env.cr.savepoint():
                record_sudo = Request_sudo.create(
                    {
                        "item_id": item.id,
                        "channel": "portal",
                        "partner_id": partner.id,
                        "description": description,
                        "address_note": (post.get("address_note") or "").strip()[:200] or False,
                        "answer_ids": Request_sudo._answer_commands(item, answers),
                    }
                )
                if files:
                    attachments = (
                        env["ir.attachment"]
                        .sudo()
                        .create(
                            [
                                {
                                    "name": name,
                                    "datas": base64.b64encode(data),
                                    "res_model": "city.request",
                                    "res_id": record_sudo.id,
                                }
                                for name, data in files
                            ]
                        )
                    )
                    record_sudo.message_post(
                        body=env._("Attachments from the resident."),
                        attachment_ids=attachments.ids,
                        author_id=partner.id,
                        message_type="comment",
                        subtype_xmlid="mail.mt_note",
                    )
                record_sudo.action_submit()
        except (UserError, ValidationError) as error:
            values = self._city_new_values(item, error=error.args[0], form=post)
            return request.render("city_community.portal_request_new", values)
        return request.redirect(f"/my/requests/{record_sudo.id}")

    @http.route(["/my/requests/<int:request_id>/join"], type="http", auth="user", website=True, methods=["POST"])
    def portal_request_join(self, request_id, **post):
        if not self._city_is_resident():
            return request.redirect("/my")
        partner = request.env.user.partner_id
        record_sudo = request.env["city.request"].sudo().browse(request_id).exists()
        # Only duplicates offered to this resident on the submission page can be joined.
        if not record_sudo or record_sudo not in self._city_duplicates_sudo(record_sudo.item_id, partner):
            return request.redirect("/my/requests")
        if partner != record_sudo.partner_id and partner not in record_sudo.affected_partner_ids:
            record_sudo.action_join(partner)
        return request.redirect(f"/my/requests/{record_sudo.id}")

    # ------------------------------------------------------------------
    # My requests
    # ------------------------------------------------------------------
    @http.route(["/my/requests", "/my/requests/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_requests(self, page=1, sortby=None, filterby=None, **kw):
        Request = request.env["city.request"]
        if not Request.has_access("read"):
            return request.redirect("/my")
        searchbar_sortings = {
            "date": {"label": request.env._("Newest"), "order": "id desc"},
            "state": {"label": request.env._("Status"), "order": "state, id desc"},
        }
        searchbar_filters = {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {"label": request.env._("In progress"), "domain": [("state", "in", Request.OPEN_STATES)]},
            "replied": {"label": request.env._("To rate"), "domain": [("state", "=", "replied")]},
            "done": {
                "label": request.env._("Finished"),
                "domain": [("state", "in", ("closed", "refused", "merged", "cancelled"))],
            },
        }
        filterby = filterby if filterby in searchbar_filters else "all"
        records, values = self._city_list_page(
            Request,
            "/my/requests",
            page,
            sortby,
            searchbar_sortings,
            "date",
            domain=self._city_request_domain() + searchbar_filters[filterby]["domain"],
            per_page=self._city_items_per_page,
            history="my_city_requests_history",
            url_args={"filterby": filterby},
            fields=self._city_request_list_fields,
        )
        values.update(
            {
                "page_name": "city_requests",
                "city_requests": records,
                "city_request_cells": self._city_request_cells(records),
                "searchbar_filters": searchbar_filters,
                "filterby": filterby,
            }
        )
        return request.render("city_community.portal_my_requests", values)

    @staticmethod
    def _city_date_formatter():
        """A function writing a datetime as the ``date`` widget of ``t-field`` does (the day in
        the user's time zone, in the pattern of his language), with the language, its babel locale
        and its pattern looked up once instead of for every value."""
        env = request.env
        lang = get_lang(env)
        locale = babel_locale_parse(lang.code)
        pattern = posix_to_ldml(lang.date_format, locale=locale)
        Lang = env["res.lang"]

        def format_date(value):
            if not value:
                return ""
            return babel.dates.format_date(
                fields.Datetime.context_timestamp(Lang, value), format=pattern, locale=locale
            )

        return format_date

    def _city_request_cells(self, records):
        """The texts of the list's date and status cells, ``{request id: {column: text}}``.

        They are what ``t-field`` writes, prepared for the whole page at once: ``t-field`` looks
        up the language, its locale and the selection labels again for every cell, which took
        about half of the page's time.
        """
        format_date = self._city_date_formatter()
        states = selection_labels(records, "state")
        records.item_id.fetch(["name"])  # the service column, without the items' long texts
        return {
            record.id: {
                "submit_date": format_date(record.submit_date),
                "reply_deadline": format_date(record.reply_deadline),
                "state": states.get(record.state, ""),
            }
            for record in records
        }

    @http.route(["/my/requests/<int:request_id>"], type="http", auth="public", website=True)
    def portal_my_request(self, request_id, access_token=None, **kw):
        try:
            record_sudo = self._document_check_access("city.request", request_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            record_sudo,
            access_token,
            {"page_name": "city_request", "city_request": record_sudo, "can_rate": self._city_can_rate(record_sudo)},
            "my_city_requests_history",
            False,
        )
        return request.render("city_community.portal_my_request", values)

    @staticmethod
    def _city_can_rate(record_sudo):
        partner = request.env.user.partner_id
        return (
            record_sudo.state == "replied" and record_sudo.partner_id == partner and not request.env.user._is_public()
        )

    @http.route(["/my/requests/<int:request_id>/rate"], type="http", auth="user", website=True, methods=["POST"])
    def portal_request_rate(self, request_id, satisfaction=None, comment=None, **kw):
        try:
            record_sudo = self._document_check_access("city.request", request_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if self._city_can_rate(record_sudo) and satisfaction in ("satisfied", "basic", "unsatisfied"):
            record_sudo.action_visit(satisfaction, channel="portal", comment=(comment or "").strip()[:2000] or False)
        return request.redirect(f"/my/requests/{request_id}")

    # ------------------------------------------------------------------
    # Notices
    # ------------------------------------------------------------------
    @http.route(["/my/notices", "/my/notices/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_notices(self, page=1, **kw):
        Notice = request.env["city.notice"]
        if not Notice.has_access("read"):
            return request.redirect("/my")
        partner = request.env.user.partner_id
        domain = Notice._portal_domain(partner)
        count = Notice.search_count(domain)
        pager = portal_pager(url="/my/notices", total=count, page=page, step=self._city_items_per_page)
        notices = Notice.search(
            domain,
            order="pinned desc, publish_date desc, id desc",
            limit=self._city_items_per_page,
            offset=pager["offset"],
        )
        unread = Notice.search([("id", "in", notices.ids), ("read_partner_ids", "not in", partner.ids)])
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "city_notices", "notices": notices, "unread": unread, "pager": pager})
        return request.render("city_community.portal_my_notices", values)

    @http.route(["/my/notices/<int:notice_id>"], type="http", auth="user", website=True)
    def portal_my_notice(self, notice_id, **kw):
        Notice = request.env["city.notice"]
        partner = request.env.user.partner_id
        notice = Notice.search([("id", "=", notice_id), *Notice._portal_domain(partner)], limit=1)
        if not notice:
            return request.redirect("/my/notices")
        notice._mark_read(partner)
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "city_notices", "notice": notice})
        return request.render("city_community.portal_my_notice", values)
