"""Public pages of the traceability platform: the scan page of a GS1 Digital Link and the report form.

The scan page answers at the Digital Link path itself (``/01/<gtin>[/10/<lot>[/21/<serial>]]``)
without a login, website or portal layout. It is the hottest page of the platform (every QR code
scanned by a shopper), so it

* reads exactly the columns it shows with a few SQL queries (``city.trace.scan._page_values``;
  the public user reads nothing through the ORM and has no access right on any trace model),
* renders a small layout of its own (plain HTML, one CSS and one JS file, no asset bundle; the
  full frontend bundle is only added in test mode so that tours can run on the page),
* does not store a session (``save_session=False``),
* keeps the pages it rendered and serves them again while they are current: one statement checks
  the page stamps and logs the scan (``_log_cached_scan``), the page then only gets the scan id
  and token of the view put in; otherwise the page is rendered and its scan logged with one
  INSERT (``_log_scan``); neither commit waits for the disk.

The page then asks the browser for its position (only if the visitor allows it) and posts the
coarse place and the repeat flag to ``/trace/scan/beacon``, never on the first request.
"""

import base64
import logging
from urllib.parse import quote

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import config

from ..models.city_trace_consumer_report import DESCRIPTION_MAX, PHOTO_MAX_BYTES
from ..models.city_trace_scan import PAGE_SCAN_ID, PAGE_TOKEN
from ..tools import gs1

_logger = logging.getLogger(__name__)

DEFAULT_LANG = "zh_CN"
# Body of a report: the photo and the form fields; larger requests are refused before parsing.
REPORT_MAX_BODY = PHOTO_MAX_BYTES + 1024 * 1024


class TracePublic(http.Controller):
    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @staticmethod
    def _trace_public_lang():
        """The visitor's language: the first installed one of Accept-Language, else Chinese.

        Without the website module Odoo takes the browser's best language even when it is not
        installed (and falls back to English); the public pages of the city default to zh_CN.
        """
        installed = [code for code, _name in request.env["res.lang"].get_installed()]
        for item in request.httprequest.accept_languages.values():
            code = item.replace("-", "_")
            if code in installed:
                return code
            base = code.split("_")[0].lower()
            preferred = {"zh": "zh_CN", "en": "en_US"}.get(base)
            if preferred in installed:
                return preferred
            match = next((lang for lang in installed if lang.split("_")[0].lower() == base), None)
            if match:
                return match
        return DEFAULT_LANG if DEFAULT_LANG in installed else "en_US"

    def _trace_public_env(self):
        lang = self._trace_public_lang()
        request.update_context(lang=lang)
        return lang

    @staticmethod
    def _trace_raw_path():
        """The path as sent (still percent-encoded), so that a lot containing "%2F" stays one value."""
        environ = request.httprequest.environ
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(request.httprequest.path)
        return raw.split("?", 1)[0]

    @staticmethod
    def _trace_code_path(code):
        """Canonical Digital Link path of a parsed code (GTIN-14, qualifiers in the standard order)."""
        path = f"/01/{code['gtin']}"
        for ai, key in (("22", "cpv"), ("10", "lot"), ("21", "serial")):
            if code.get(key):
                path += f"/{ai}/{quote(code[key], safe='')}"
        return path

    def _trace_error_message(self, reason):
        env = request.env
        return {
            "gtin": env._("This code does not contain a valid GTIN: its length or its check digit is wrong."),
            "order": env._(
                "The parts of this code are repeated or not in the standard order (product, batch, serial number)."
            ),
            "qualifier": env._("This code contains an element that product codes do not use."),
            "format": env._("This code is incomplete: every element needs a value."),
            "lot": env._("The batch number in this code is not valid."),
            "serial": env._("The serial number in this code is not valid."),
            "product": env._("No product with this code is registered on the traceability platform."),
            "missing_lot": env._("This batch of the product is not registered on the traceability platform."),
            "missing_serial": env._("This serial number of the product is not registered on the platform."),
        }.get(reason, env._("This code cannot be read."))

    def _trace_error(self, status, reason, lang, code_path=None, product=None):
        values = {
            "status": status,
            "message": self._trace_error_message(reason),
            "product": product,
            "report_url": self._trace_report_url(code_path) if code_path else None,
            "html_lang": lang.replace("_", "-"),
            "page_title": request.env._("Product traceability"),
        }
        return request.render("city_trace.public_scan_error", values, status=status, headers=self._trace_headers(lang))

    @staticmethod
    def _trace_headers(lang):
        return {"Cache-Control": "no-store", "Content-Language": lang.replace("_", "-")}

    @staticmethod
    def _trace_page_cacheable():
        """Whether scan pages may be served from the worker's cache: with the light layout only
        (not in test mode, whose layout carries the session's assets and tokens), not in debug
        mode, and not while templates are read from their files (``--dev=xml``)."""
        return not (
            request.session.debug or config["test_enable"] or config["test_file"] or "xml" in config["dev_mode"]
        )

    @staticmethod
    def _trace_report_url(code_path):
        return f"/trace/report?code={quote(code_path, safe='')}"

    # ------------------------------------------------------------------
    # Scan page
    # ------------------------------------------------------------------
    @http.route(
        ["/01/<string:gtin>", "/01/<string:gtin>/<path:qualifiers>"],
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
        # A website page for the layout, but never redirected to a language prefix: the printed QR
        # code is the address, and the page speaks the scanner's language (Accept-Language).
        website=True,
        multilang=False,
        sitemap=False,
    )
    def trace_scan_page(self, gtin, qualifiers=None, **kwargs):
        lang = self._trace_public_env()
        try:
            code = gs1.parse_digital_link(self._trace_raw_path())
        except gs1.DigitalLinkError as error:
            return self._trace_error(400, error.code, lang)
        code_path = self._trace_code_path(code)
        if gtin != code["gtin"]:
            # GTIN-8, -12 or -13: the Digital Link of the product uses its 14-digit form
            return request.redirect(code_path, code=301)
        Scan = request.env["city.trace.scan"].sudo()
        is_scan = request.httprequest.method == "GET"  # HEAD requests are not scans
        user_agent = request.httprequest.user_agent.string
        cache_key = None
        if is_scan and self._trace_page_cacheable():
            cache_key = Scan._page_cache_key(code["gtin"], code["lot"], code["serial"], lang)
            page = Scan._page_cache_get(cache_key)
            scan_id = page and Scan._log_cached_scan(page, user_agent)
            if scan_id:
                return request.make_response(Scan._page_html(page, scan_id), headers=self._trace_headers(lang))
        status, values = Scan._page_values(code["gtin"], code["lot"], code["serial"])
        if status != 200:
            missing = values["missing"]
            reason = "product" if missing == "product" else f"missing_{missing}"
            return self._trace_error(status, reason, lang, code_path=code_path, product=values.get("product"))
        lot = values["lot"]
        scan_id = None
        if is_scan:
            scan_id = Scan._log_scan(values["product"]["id"], lot and lot["id"], lot and lot["serial_id"], user_agent)
        values.update(
            scan_id=scan_id,
            beacon_token=Scan._beacon_token(scan_id) if scan_id else None,
            code_path=code_path,
            report_url=self._trace_report_url(code_path),
            html_lang=lang.replace("_", "-"),
            page_title=values["product"]["name"],
        )
        if not cache_key:
            return request.render("city_trace.public_scan_page", values, headers=self._trace_headers(lang))
        # rendered once with stand-ins for the view's scan id and token, kept, and served like a cached page
        values.update(scan_id=PAGE_SCAN_ID, beacon_token=PAGE_TOKEN)
        html = request.env["ir.ui.view"]._render_template("city_trace.public_scan_page", values)
        page = Scan._page_cache_put(cache_key, html, values)
        return request.make_response(Scan._page_html(page, scan_id), headers=self._trace_headers(lang))

    @http.route(
        "/trace/product/<int:product_id>/image",
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
        readonly=True,
    )
    def trace_product_image(self, product_id, **kwargs):
        """Image of an active product for the scan page (product images are public information)."""
        product_sudo = request.env["city.trace.product"].sudo().search([("id", "=", product_id)], limit=1)
        stream = request.env["ir.binary"]._get_image_stream_from(product_sudo, "image_512")
        return stream.get_response(max_age=3600)

    @http.route("/trace/scan/beacon", type="json", auth="public", methods=["POST"], save_session=False)
    def trace_scan_beacon(self, scan_id=None, token=None, repeat=False, latitude=None, longitude=None, **kwargs):
        """What the page tells after loading: the repeat flag and, if allowed, the coarse place."""
        updated = request.env["city.trace.scan"].sudo()._beacon(scan_id, token, repeat, latitude, longitude)
        return {"ok": updated}

    # ------------------------------------------------------------------
    # Consumer report form
    # ------------------------------------------------------------------
    def _trace_report_target(self, code_path):
        """``(code, values)`` of the scanned code of a report: the parsed code and the product, lot
        and serial item found for it (ids and names), or ``(None, None)`` when it does not parse."""
        try:
            code = gs1.parse_digital_link(code_path or "")
        except gs1.DigitalLinkError:
            return None, None
        data = request.env["city.trace.scan"].sudo()._page_data(code["gtin"], code["lot"], code["serial"])
        product, lot = data["product"], data.get("lot")
        serial_id = lot and lot["serial_id"]
        return code, {
            "product": product,
            "lot": lot,
            "serial_id": serial_id if code["serial"] else None,
            "code_path": self._trace_code_path(code),
        }

    def _trace_report_render(self, lang, target, status=200, errors=(), form=None):
        values = {
            **target,
            "errors": list(errors),
            "form": form or {},
            "description_max": DESCRIPTION_MAX,
            "photo_max_mb": PHOTO_MAX_BYTES // (1024 * 1024),
            "photo_max_bytes": PHOTO_MAX_BYTES,
            "html_lang": lang.replace("_", "-"),
            "page_title": request.env._("Report a problem"),
            "back_url": target["code_path"],
        }
        return request.render("city_trace.public_report_form", values, status=status, headers=self._trace_headers(lang))

    @http.route(
        "/trace/report",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,  # checked below, to answer with the form and a clear message
        max_content_length=REPORT_MAX_BODY,
        # A website page for the layout, but never redirected to a language prefix: the printed QR
        # code is the address, and the page speaks the scanner's language (Accept-Language).
        website=True,
        multilang=False,
        sitemap=False,
    )
    def trace_report(self, code=None, **post):
        lang = self._trace_public_env()
        parsed, target = self._trace_report_target(code)
        if not parsed:
            return self._trace_error(400, "format", lang)
        if request.httprequest.method != "POST":
            return self._trace_report_render(lang, target)
        return self._trace_report_submit(lang, target, post)

    def _trace_report_submit(self, lang, target, post):
        env = request.env
        form = {"description": (post.get("description") or "")[: DESCRIPTION_MAX * 2], "contact": post.get("contact")}
        if not request.validate_csrf(post.get("csrf_token")):
            message = env._("The form has expired. Please send it again.")
            return self._trace_report_render(lang, target, 400, [message], form)
        if post.get("website_url"):
            # the honeypot field, invisible to people: a robot filled it in; it is told nothing
            _logger.info("consumer report dropped: honeypot field filled in")
            return self._trace_report_thanks(lang, target, None)
        Report = env["city.trace.consumer.report"].sudo()
        Limit = env["city.trace.report.limit"].sudo()
        address = request.httprequest.remote_addr
        if Limit._exhausted(address):
            return self._trace_report_render(lang, target, 429, [self._trace_rate_message()], form)
        errors = []
        description = (post.get("description") or "").strip()
        if not description:
            errors.append(env._("Describe the problem."))
        elif len(description) > DESCRIPTION_MAX:
            errors.append(env._("The description is limited to %(max)s characters.", max=DESCRIPTION_MAX))
        contact = photo = None
        try:
            contact = Report._public_contact(post.get("contact"))
        except ValidationError as error:
            errors.append(error.args[0])
        upload = request.httprequest.files.get("photo")
        if upload and upload.filename:
            data = upload.read(PHOTO_MAX_BYTES + 1)
            try:
                photo = Report._public_photo(data)
            except ValidationError as error:
                errors.append(error.args[0])
        if errors:
            return self._trace_report_render(lang, target, 400, errors, form)
        if not Limit._take(address):
            return self._trace_report_render(lang, target, 429, [self._trace_rate_message()], form)
        product, lot = target["product"], target["lot"]
        report = Report.with_context(mail_create_nosubscribe=True, mail_create_nolog=True).create(
            {
                "description": description,
                "contact": contact or False,
                "photo": photo and base64.b64encode(photo),
                "code": target["code_path"],
                "product_id": product and product["id"],
                "lot_id": lot and lot["id"],
                "serial_id": target["serial_id"],
                "channel": "scan_page",
            }
        )
        return self._trace_report_thanks(lang, target, report.name)

    def _trace_rate_message(self):
        Limit = request.env["city.trace.report.limit"].sudo()
        return request.env._(
            "Too many reports were sent from your network in the last hour (at most %(limit)s). "
            "Please try again later.",
            limit=Limit._limit(),
        )

    def _trace_report_thanks(self, lang, target, reference):
        values = {
            "reference": reference,
            "back_url": target["code_path"],
            "html_lang": lang.replace("_", "-"),
            "page_title": request.env._("Thank you"),
        }
        return request.render("city_trace.public_report_thanks", values, headers=self._trace_headers(lang))
