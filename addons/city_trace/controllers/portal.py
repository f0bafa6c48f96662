"""Enterprise portal of the traceability platform: products, lots, events and scan analytics.

Enterprise users are portal users of the business role whose commercial partner is a
traceability enterprise. Record rules (``security/city_trace_portal_security.xml``) restrict what
they read and write to their own enterprise; lots they hold without having produced them are read
through the lines of their own events, which those rules already filter. Everyday events are
recorded through :meth:`city.trace.event._capture` with the ``portal`` channel.
"""

import base64
import datetime
from urllib.parse import urlencode

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.labels import selection_labels

from ..tools import epcis

LOCAL_TZ = pytz.timezone("Asia/Shanghai")
LOCAL_OFFSET = "+08:00"
CAPTURE_KINDS = ("commissioning", "shipping", "receiving", "transformation", "retail_selling", "destroying")
# Object events of the forms: (action, business step, disposition).
OBJECT_EVENTS = {
    "shipping": ("OBSERVE", "shipping", "in_transit"),
    "receiving": ("OBSERVE", "receiving", "in_progress"),
    "retail_selling": ("OBSERVE", "retail_selling", "retail_sold"),
    "destroying": ("DELETE", "destroying", "destroyed"),
}
MAX_INPUTS = 5
LOT_CHOICES = 200
PENDING_DAYS = 90
IMAGE_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
DEFAULT_MAX_IMAGE_BYTES = 2 * 1024 * 1024
SCAN_DAYS = 30
MAX_ID = 2**31


class TracePortal(CityBasePortal):
    _trace_items_per_page = 20

    # ------------------------------------------------------------------
    # Who and what
    # ------------------------------------------------------------------
    @staticmethod
    def _trace_enterprise():
        """The traceability enterprise of the logged-in enterprise user, or an empty recordset."""
        user = request.env.user
        partner = user.commercial_partner_id
        if user.has_group("city_base.group_city_base_business") and partner.trace_enterprise:
            return partner
        return partner.browse()

    @staticmethod
    def _trace_held_lot_ids():
        """Ids of the lots named by the enterprise's own events, in one query (record rules filter the lines).

        Read once per page and passed as a list: the set is the expensive part of a lot list (it
        reads every event of the enterprise), the count and the page then only filter lots by id.
        """
        lines = request.env["city.trace.event.line"]._search([("lot_id", "!=", False)])
        query = lines.select(SQL("DISTINCT %s", SQL.identifier(lines.table, "lot_id")))
        return [lot_id for (lot_id,) in request.env.execute_query(query)]

    def _trace_lot_domain(self, enterprise):
        """Lots the enterprise may see: produced by it, or named by one of its events."""
        return ["|", ("partner_id", "=", enterprise.id), ("id", "in", self._trace_held_lot_ids())]

    def _trace_lots_sudo(self, enterprise, domain=(), **kwargs):
        """Search the visible lots; the result is sudo to render products and partners of other enterprises."""
        return request.env["city.trace.lot"].sudo().search([*self._trace_lot_domain(enterprise), *domain], **kwargs)

    @staticmethod
    def _trace_lot_sudo(enterprise, lot_id):
        """One visible lot (sudo) or an empty recordset.

        Checked through the lot's own lines (index on lot_id) rather than the enterprise's whole
        held-lot set, which a list needs but a single lot does not.
        """
        env = request.env
        lot_id = TracePortal._trace_int(lot_id)
        lot_sudo = env["city.trace.lot"].sudo().browse(lot_id).exists() if lot_id else None
        if not lot_sudo:
            return env["city.trace.lot"].sudo().browse()
        if lot_sudo.partner_id == enterprise:
            return lot_sudo
        if env["city.trace.event.line"].search_count([("lot_id", "=", lot_sudo.id)], limit=1):
            return lot_sudo
        return lot_sudo.browse()

    @staticmethod
    def _trace_record(model, record_id, operation="read"):
        """The record ``record_id`` of ``model`` when the user may ``operation`` it, else an empty recordset."""
        record = request.env[model].browse(TracePortal._trace_int(record_id) or []).exists()
        try:
            record.check_access(operation)
        except AccessError:
            return record.browse()
        return record

    # ------------------------------------------------------------------
    # Formatting
    # ------------------------------------------------------------------
    @staticmethod
    def _trace_offset(event_tz):
        sign = -1 if event_tz[:1] == "-" else 1
        try:
            return sign * datetime.timedelta(hours=int(event_tz[1:3]), minutes=int(event_tz[4:6]))
        except (TypeError, ValueError):
            return datetime.timedelta(hours=8)

    def _trace_local_time(self, moment, event_tz=LOCAL_OFFSET):
        """A naive UTC datetime shown in the event's own time zone offset (or Beijing time)."""
        if not moment:
            return ""
        return (moment + self._trace_offset(event_tz or LOCAL_OFFSET)).strftime("%Y-%m-%d %H:%M")

    @staticmethod
    def _trace_labels():
        env = request.env
        Event = env["city.trace.event"]
        Product = env["city.trace.product"]
        return {
            "steps": selection_labels(Event, "biz_step"),
            "types": selection_labels(Event, "event_type"),
            "dispositions": selection_labels(Event, "disposition"),
            "reasons": selection_labels(Event, "error_reason"),
            "channels": selection_labels(Event, "capture_channel"),
            "roles": selection_labels(env["city.trace.event.line"], "role"),
            "units": selection_labels(Product, "uom"),
            "categories": selection_labels(Product, "category"),
        }

    def _trace_page_values(self, page_name):
        """What every enterprise page renders besides its own values: its name, the time format, the labels."""
        return {
            "page_name": page_name,
            "trace_local_time": self._trace_local_time,
            "trace_labels": self._trace_labels(),
        }

    def _trace_values(self, page_name, **values):
        result = self._prepare_portal_layout_values()
        result.update(self._trace_page_values(page_name), **values)
        return result

    # ------------------------------------------------------------------
    # Form parsing: every helper raises a translated ValidationError
    # ------------------------------------------------------------------
    @staticmethod
    def _trace_int(value):
        """A record id from a form value; 0 when it is not one (never an out-of-range integer for SQL)."""
        try:
            number = int(value or 0)
        except (TypeError, ValueError):
            return 0
        return number if 0 < number < MAX_ID else 0

    @staticmethod
    def _trace_quantity(value, label=None):
        env = request.env
        try:
            quantity = float(str(value or "").strip().replace(",", ""))
        except ValueError:
            quantity = 0.0
        if quantity <= 0:
            raise ValidationError(
                env._("Enter a positive quantity for %(what)s.", what=label)
                if label
                else env._("Enter a positive quantity.")
            )
        return quantity

    @staticmethod
    def _trace_date(value, required=True):
        value = (value or "").strip()
        if not value:
            if required:
                raise ValidationError(request.env._("Enter the production date."))
            return False
        try:
            return fields.Date.to_date(value)
        except ValueError as error:
            raise ValidationError(request.env._("%(value)s is not a valid date.", value=value)) from error

    @staticmethod
    def _trace_event_time(value):
        """The form's local time (Asia/Shanghai) as the naive UTC datetime events store."""
        value = (value or "").strip()
        if not value:
            raise ValidationError(request.env._("Enter when the event happened."))
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                local = datetime.datetime.strptime(value, pattern)
            except ValueError:
                continue
            return LOCAL_TZ.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        raise ValidationError(request.env._("%(value)s is not a valid date and time.", value=value))

    @staticmethod
    def _trace_now_local():
        return datetime.datetime.now(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")

    @staticmethod
    def _trace_own_product(product_id):
        product = request.env["city.trace.product"].search([("id", "=", TracePortal._trace_int(product_id))], limit=1)
        if not product:
            raise ValidationError(request.env._("Choose one of your products."))
        return product

    @staticmethod
    def _trace_own_location(location_id):
        location_id = TracePortal._trace_int(location_id)
        if not location_id:
            return False
        location = request.env["city.trace.location"].search([("id", "=", location_id)], limit=1)
        if not location:
            raise ValidationError(request.env._("Choose one of your locations."))
        return location.id

    def _trace_visible_lot(self, enterprise, lot_id, label=None):
        lot = self._trace_lot_sudo(enterprise, lot_id)
        if not lot:
            raise ValidationError(
                request.env._("Choose a lot that your enterprise produced or holds (%(what)s).", what=label)
                if label
                else request.env._("Choose a lot that your enterprise produced or holds.")
            )
        return lot

    @staticmethod
    def _trace_find_enterprise(text, enterprise):
        """A traceability enterprise named by its unified social credit code or its name."""
        env = request.env
        text = (text or "").strip()
        if not text:
            raise ValidationError(env._("Enter the destination enterprise: its name or unified social credit code."))
        Partner_sudo = env["res.partner"].sudo()
        base = [("trace_enterprise", "=", True), ("is_company", "=", True)]
        found = (
            Partner_sudo.search([*base, ("uscc", "=", text.upper())], limit=2)
            or Partner_sudo.search([*base, ("name", "=", text)], limit=2)
            or Partner_sudo.search([*base, ("name", "ilike", text)], limit=2)
        )
        if not found:
            raise ValidationError(env._("No traceability enterprise is named %(text)s.", text=text))
        if len(found) > 1:
            raise ValidationError(
                env._("Several enterprises match %(text)s: enter the unified social credit code.", text=text)
            )
        if found == enterprise:
            raise ValidationError(env._("Your enterprise cannot ship to itself."))
        return found

    def _trace_own_lot_for(
        self, enterprise, product, batch, production_date, quantity, expiry_date=False, location=False
    ):
        """The enterprise's lot ``batch`` of ``product``: the existing one, or a new one."""
        env = request.env
        batch = (batch or "").strip()
        if not batch:
            raise ValidationError(env._("Enter the batch number."))
        existing_sudo = env["city.trace.lot"].sudo().search([("product_id", "=", product.id), ("name", "=", batch)])
        if existing_sudo:
            if existing_sudo.partner_id != enterprise:
                raise ValidationError(
                    env._(
                        "Batch %(batch)s of %(product)s is registered by another enterprise.",
                        batch=batch,
                        product=product.name,
                    )
                )
            return existing_sudo
        values = {
            "name": batch,
            "product_id": product.id,
            "partner_id": enterprise.id,
            "production_date": production_date,
            "quantity": quantity,
            "location_id": location,
        }
        if expiry_date:
            values["expiry_date"] = expiry_date
        return env["city.trace.lot"].create(values).sudo()

    # ------------------------------------------------------------------
    # Home
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        env = request.env
        wanted = {"trace_product_count", "trace_lot_count", "trace_event_count"} & set(counters)
        if not wanted:
            return values
        enterprise = self._trace_enterprise()
        if "trace_product_count" in counters:
            Product = env["city.trace.product"]
            values["trace_product_count"] = Product.search_count([]) if enterprise and Product.has_access("read") else 0
        if "trace_lot_count" in counters:
            values["trace_lot_count"] = (
                env["city.trace.lot"].sudo().search_count(self._trace_lot_domain(enterprise)) if enterprise else 0
            )
        if "trace_event_count" in counters:
            Event = env["city.trace.event"]
            values["trace_event_count"] = Event.search_count([]) if enterprise and Event.has_access("read") else 0
        return values

    # ------------------------------------------------------------------
    # Dashboard
    # ------------------------------------------------------------------
    @staticmethod
    def _trace_scan_stats(enterprise):
        """Scans of the enterprise's own products over the last 30 days, counted per day, product and district.

        Enterprises cannot read the scan log: this is an aggregate restricted to their own products.
        """
        return request.env["city.trace.scan"].sudo()._enterprise_stats(enterprise, days=SCAN_DAYS)

    @http.route(["/my/trace"], type="http", auth="user", website=True, readonly=True)
    def portal_trace_dashboard(self, **kw):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        events = env["city.trace.event"].search([], limit=10)
        values = self._trace_values(
            "trace_dashboard",
            enterprise=enterprise,
            product_count=env["city.trace.product"].search_count([]),
            lot_count=env["city.trace.lot"].sudo().search_count(self._trace_lot_domain(enterprise)),
            event_count=env["city.trace.event"].search_count([]),
            events=events.sudo(),
            scan_stats=self._trace_scan_stats(enterprise),
        )
        return request.render("city_trace.portal_trace_dashboard", values)

    # ------------------------------------------------------------------
    # Products
    # ------------------------------------------------------------------
    @http.route(
        ["/my/trace/products", "/my/trace/products/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_trace_products(self, page=1, sortby=None, search=None, **kw):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        Product = env["city.trace.product"]
        sortings = {
            "name": {"label": env._("Name"), "order": "name, id"},
            "gtin": {"label": env._("GTIN"), "order": "gtin, id"},
            "date": {"label": env._("Newest"), "order": "id desc"},
        }
        domain = []
        if search:
            domain = ["|", ("name", "ilike", search), ("gtin", "ilike", search)]
        products, values = self._city_list_page(
            Product,
            "/my/trace/products",
            page,
            sortby,
            sortings,
            "name",
            domain=domain,
            per_page=self._trace_items_per_page,
            url_args={"search": search or ""},
        )
        lot_counts = dict(
            env["city.trace.lot"]._read_group([("product_id", "in", products.ids)], ["product_id"], ["__count"])
        )
        values.update(
            self._trace_page_values("trace_products"),
            products=products,
            lot_counts={product.id: count for product, count in lot_counts.items()},
            search=search or "",
        )
        return request.render("city_trace.portal_trace_products", values)

    def _trace_product_form(self, product, error=None, form=None):
        values = self._trace_values(
            "trace_product_form",
            product=product,
            error=error,
            form=form if form is not None else self._trace_product_form_values(product),
            max_image_kb=self._trace_max_image_bytes() // 1024,
        )
        return request.render("city_trace.portal_trace_product_form", values)

    @staticmethod
    def _trace_product_form_values(product):
        if not product:
            return {"uom": "piece", "category": "food"}
        return {
            "name": product.name,
            "gtin": product.gtin,
            "category": product.category,
            "shelf_life_days": str(product.shelf_life_days or ""),
            "uom": product.uom,
            "description": product.description or "",
        }

    @staticmethod
    def _trace_max_image_bytes():
        value = request.env["ir.config_parameter"].sudo().get_param("city_trace.portal_max_image_bytes")
        try:
            return int(value) if value else DEFAULT_MAX_IMAGE_BYTES
        except ValueError:
            return DEFAULT_MAX_IMAGE_BYTES

    def _trace_image(self):
        """The uploaded product image (base64) after size and type checks, or None when nothing was sent."""
        env = request.env
        upload = request.httprequest.files.get("image")
        if not upload or not upload.filename:
            return None
        max_bytes = self._trace_max_image_bytes()
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValidationError(env._("The image is larger than %(size)s KB.", size=max_bytes // 1024))
        if not any(data.startswith(signature) for signature, _kind in IMAGE_SIGNATURES):
            raise ValidationError(env._("The image must be a PNG, JPEG or GIF file."))
        return base64.b64encode(data)

    def _trace_product_values(self, enterprise, post):
        env = request.env
        Product = env["city.trace.product"]
        name = (post.get("name") or "").strip()
        if not name:
            raise ValidationError(env._("Enter the product name."))
        category = post.get("category")
        if category not in dict(Product._fields["category"].selection):
            raise ValidationError(env._("Choose the product category."))
        uom = post.get("uom")
        if uom not in dict(Product._fields["uom"].selection):
            raise ValidationError(env._("Choose the unit."))
        shelf_life = (post.get("shelf_life_days") or "").strip()
        if shelf_life and (not shelf_life.isdigit() or int(shelf_life) > 36500):
            raise ValidationError(env._("The shelf life is a whole number of days."))
        values = {
            "name": name[:200],
            "gtin": (post.get("gtin") or "").strip(),
            "category": category,
            "uom": uom,
            "shelf_life_days": int(shelf_life or 0),
            "description": (post.get("description") or "").strip()[:2000] or False,
            "partner_id": enterprise.id,
        }
        image = self._trace_image()
        if image:
            values["image_1920"] = image
        return values

    def _trace_check_gtin_free(self, gtin, product):
        Product = request.env["city.trace.product"]
        normalized = Product._normalize_gtin(gtin)
        taken = Product.sudo().search_count([("gtin", "=", normalized), ("id", "!=", product.id)], limit=1)
        if taken:
            raise ValidationError(request.env._("The GTIN %(gtin)s is already registered.", gtin=gtin))

    @http.route(["/my/trace/products/new"], type="http", auth="user", website=True, methods=["GET"], readonly=True)
    def portal_trace_product_new(self, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        return self._trace_product_form(request.env["city.trace.product"])

    @http.route(
        ["/my/trace/products/<int:product_id>"], type="http", auth="user", website=True, methods=["GET"], readonly=True
    )
    def portal_trace_product(self, product_id, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        product = self._trace_record("city.trace.product", product_id)
        if not product:
            raise request.not_found()
        return self._trace_product_form(product)

    @http.route(
        ["/my/trace/products/new", "/my/trace/products/<int:product_id>"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_trace_product_save(self, product_id=None, **post):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        product = env["city.trace.product"]
        if product_id is not None:
            product = self._trace_record("city.trace.product", product_id, "write")
            if not product:
                raise request.not_found()
        try:
            values = self._trace_product_values(enterprise, post)
            self._trace_check_gtin_free(values["gtin"], product)
            with env.cr.savepoint():
                if product:
                    product.write(values)
                else:
                    product = product.create(values)
        except (UserError, ValidationError) as error:
            return self._trace_product_form(product.exists(), error=error.args[0], form=post)
        return request.redirect(f"/my/trace/products/{product.id}?saved=1")

    # ------------------------------------------------------------------
    # Locations
    # ------------------------------------------------------------------
    @http.route(["/my/trace/locations"], type="http", auth="user", website=True, readonly=True)
    def portal_trace_locations(self, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        locations = request.env["city.trace.location"].search([], limit=500)
        return request.render(
            "city_trace.portal_trace_locations", self._trace_values("trace_locations", locations=locations)
        )

    def _trace_location_form(self, location, error=None, form=None):
        if form is None:
            form = {"name": location.name, "gln": location.gln or "", "address": location.address or ""}
        values = self._trace_values("trace_location_form", location=location, error=error, form=form)
        return request.render("city_trace.portal_trace_location_form", values)

    @http.route(["/my/trace/locations/new"], type="http", auth="user", website=True, methods=["GET"], readonly=True)
    def portal_trace_location_new(self, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        return self._trace_location_form(request.env["city.trace.location"], form={})

    @http.route(
        ["/my/trace/locations/<int:location_id>"],
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
        readonly=True,
    )
    def portal_trace_location(self, location_id, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        location = self._trace_record("city.trace.location", location_id)
        if not location:
            raise request.not_found()
        return self._trace_location_form(location)

    @http.route(
        ["/my/trace/locations/new", "/my/trace/locations/<int:location_id>"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_trace_location_save(self, location_id=None, **post):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        location = env["city.trace.location"]
        if location_id is not None:
            location = self._trace_record("city.trace.location", location_id, "write")
            if not location:
                raise request.not_found()
        try:
            name = (post.get("name") or "").strip()
            if not name:
                raise ValidationError(env._("Enter the name of the location."))
            values = {
                "name": name[:200],
                "gln": (post.get("gln") or "").strip() or False,
                "address": (post.get("address") or "").strip()[:300] or False,
                "partner_id": enterprise.id,
            }
            if values["gln"] and env["city.trace.location"].sudo().search_count(
                [("gln", "=", values["gln"]), ("id", "!=", location.id)], limit=1
            ):
                raise ValidationError(env._("The GLN %(gln)s is already registered.", gln=values["gln"]))
            with env.cr.savepoint():
                if location:
                    location.write(values)
                else:
                    location = location.create(values)
        except (UserError, ValidationError) as error:
            return self._trace_location_form(location.exists(), error=error.args[0], form=post)
        return request.redirect("/my/trace/locations")

    # ------------------------------------------------------------------
    # Lots
    # ------------------------------------------------------------------
    @http.route(
        ["/my/trace/lots", "/my/trace/lots/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_trace_lots(self, page=1, sortby=None, filterby=None, search=None, **kw):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        sortings = {
            "date": {"label": env._("Production date"), "order": "production_date desc, id desc"},
            "expiry": {"label": env._("Expiry date"), "order": "expiry_date, id desc"},
            "batch": {"label": env._("Batch number"), "order": "name, id desc"},
        }
        filters = {
            "all": {"label": env._("All"), "domain": []},
            "own": {"label": env._("Produced by us"), "domain": [("partner_id", "=", enterprise.id)]},
            "held": {"label": env._("Received"), "domain": [("partner_id", "!=", enterprise.id)]},
            "recalled": {"label": env._("Recalled"), "domain": [("recalled", "=", True)]},
        }
        filterby = filterby if filterby in filters else "all"
        domain = list(filters[filterby]["domain"])
        if search:
            domain += ["|", ("name", "ilike", search), ("product_id.name", "ilike", search)]
        Lot_sudo = env["city.trace.lot"].sudo()
        lots_sudo, values = self._city_list_page(
            Lot_sudo,
            "/my/trace/lots",
            page,
            sortby,
            sortings,
            "date",
            domain=[*self._trace_lot_domain(enterprise), *domain],
            per_page=self._trace_items_per_page,
            url_args={"filterby": filterby, "search": search or ""},
        )
        values.update(
            self._trace_page_values("trace_lots"),
            enterprise=enterprise,
            lots=lots_sudo,
            today=fields.Date.context_today(Lot_sudo),
            searchbar_filters=filters,
            filterby=filterby,
            search=search or "",
        )
        return request.render("city_trace.portal_trace_lots", values)

    def _trace_lot_form(self, error=None, form=None):
        env = request.env
        values = self._trace_values(
            "trace_lot_form",
            products=env["city.trace.product"].search([], limit=LOT_CHOICES),
            locations=env["city.trace.location"].search([], limit=LOT_CHOICES),
            error=error,
            form=form or {},
        )
        return request.render("city_trace.portal_trace_lot_form", values)

    @http.route(["/my/trace/lots/new"], type="http", auth="user", website=True, methods=["GET"], readonly=True)
    def portal_trace_lot_new(self, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        return self._trace_lot_form(form={"product_id": kw.get("product_id", "")})

    @http.route(["/my/trace/lots/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trace_lot_create(self, **post):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        try:
            product = self._trace_own_product(post.get("product_id"))
            batch = (post.get("batch") or "").strip()
            if not batch:
                raise ValidationError(env._("Enter the batch number."))
            if (
                env["city.trace.lot"]
                .sudo()
                .search_count([("product_id", "=", product.id), ("name", "=", batch)], limit=1)
            ):
                raise ValidationError(env._("Batch %(batch)s already exists for this product.", batch=batch))
            with env.cr.savepoint():
                lot = self._trace_own_lot_for(
                    enterprise,
                    product,
                    batch,
                    self._trace_date(post.get("production_date")),
                    self._trace_quantity(post.get("quantity")),
                    expiry_date=self._trace_date(post.get("expiry_date"), required=False),
                    location=self._trace_own_location(post.get("location_id")),
                )
        except (UserError, ValidationError) as error:
            return self._trace_lot_form(error=error.args[0], form=post)
        return request.redirect(f"/my/trace/lots/{lot.id}")

    @http.route(["/my/trace/lots/<int:lot_id>"], type="http", auth="user", website=True, readonly=True)
    def portal_trace_lot(self, lot_id, **kw):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        lot_sudo = self._trace_lot_sudo(enterprise, lot_id)
        if not lot_sudo:
            raise request.not_found()
        lines = env["city.trace.event.line"].search([("lot_id", "=", lot_sudo.id)], order="id desc", limit=100)
        events = lines.event_id.sorted(lambda event: (event.event_time, event.id), reverse=True)
        inspections_sudo = lot_sudo.inspection_ids.filtered(lambda i: i.published and i.state == "confirmed")
        values = self._trace_values(
            "trace_lot",
            enterprise=enterprise,
            lot=lot_sudo,
            own=lot_sudo.partner_id == enterprise,
            events=events.sudo(),
            inspections=inspections_sudo,
            qr_url="/report/barcode/?"
            + urlencode({"barcode_type": "QR", "value": lot_sudo.digital_link or "", "width": 180, "height": 180}),
            today=fields.Date.context_today(lot_sudo),
        )
        return request.render("city_trace.portal_trace_lot", values)

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    @http.route(
        ["/my/trace/events", "/my/trace/events/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_trace_events(self, page=1, sortby=None, filterby=None, **kw):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        Event = env["city.trace.event"]
        sortings = {
            "date": {"label": env._("Newest"), "order": "event_time desc, id desc"},
            "oldest": {"label": env._("Oldest"), "order": "event_time, id"},
            "recorded": {"label": env._("Recorded"), "order": "id desc"},
        }
        steps = selection_labels(Event, "biz_step")
        filters = {"all": {"label": env._("All"), "domain": []}}
        for step in ("commissioning", "shipping", "receiving", "retail_selling", "destroying"):
            filters[step] = {"label": steps[step], "domain": [("biz_step", "=", step), ("event_type", "=", "object")]}
        filters["transformation"] = {
            "label": env._("Transformation"),
            "domain": [("event_type", "=", "transformation")],
        }
        filters["errors"] = {"label": env._("Declared erroneous"), "domain": [("is_erroneous", "=", True)]}
        filterby = filterby if filterby in filters else "all"
        events, values = self._city_list_page(
            Event,
            "/my/trace/events",
            page,
            sortby,
            sortings,
            "date",
            domain=filters[filterby]["domain"],
            per_page=self._trace_items_per_page,
            url_args={"filterby": filterby},
        )
        values.update(
            self._trace_page_values("trace_events"),
            events=events.sudo(),
            searchbar_filters=filters,
            filterby=filterby,
        )
        return request.render("city_trace.portal_trace_events", values)

    def _trace_event_page(self, event, error=None, form=None, status=200):
        env = request.env
        can_declare = not event.is_erroneous and not event.declares_error_of_id
        correctives = env["city.trace.event"]
        if can_declare:
            correctives = env["city.trace.event"].search(
                [("id", "!=", event.id), ("declares_error_of_id", "=", False), ("is_erroneous", "=", False)],
                limit=30,
            )
        values = self._trace_values(
            "trace_event",
            event=event.sudo(),
            can_declare=can_declare,
            correctives=correctives.sudo(),
            error=error,
            form=form or {},
            recorded=request.params.get("recorded"),
        )
        return request.render("city_trace.portal_trace_event", values, status=status)

    @http.route(["/my/trace/events/<int:event_id>"], type="http", auth="user", website=True, readonly=True)
    def portal_trace_event(self, event_id, **kw):
        if not self._trace_enterprise():
            return request.redirect("/my")
        event = self._trace_record("city.trace.event", event_id)
        if not event:
            raise request.not_found()
        return self._trace_event_page(event)

    @http.route(
        ["/my/trace/events/<int:event_id>/declare-error"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_trace_event_declare_error(self, event_id, **post):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        env = request.env
        event = self._trace_record("city.trace.event", event_id)
        if not event:
            raise request.not_found()
        try:
            reason = post.get("reason")
            if reason not in dict(epcis.ERROR_REASONS):
                raise ValidationError(env._("Choose why the event is wrong."))
            corrective_ids = []
            if self._trace_int(post.get("corrective_event_id")):
                corrective = env["city.trace.event"].search(
                    [("id", "=", self._trace_int(post.get("corrective_event_id")))], limit=1
                )
                if not corrective or corrective == event:
                    raise ValidationError(env._("Choose one of your other events as the corrective event."))
                corrective_ids = corrective.ids
            vals = {
                "event_type": "object",
                "action": "OBSERVE",
                "event_time": fields.Datetime.now(),
                "event_tz": LOCAL_OFFSET,
                "partner_id": enterprise.id,
                "declares_error_of_id": event.id,
                "error_reason": reason,
                "corrective_event_ids": corrective_ids,
                "lines": [],
            }
            with env.cr.savepoint():
                env["city.trace.event"]._capture([vals], channel="portal")
        except (UserError, ValidationError, AccessError) as error:
            return self._trace_event_page(event, error=error.args[0], form=post)
        return request.redirect(f"/my/trace/events/{event.id}")

    # ------------------------------------------------------------------
    # Capture forms
    # ------------------------------------------------------------------
    def _trace_pending_shipments(self, enterprise, limit=50):
        """Recent shipments to the enterprise that it has not received yet:
        ``[{"event", "lot", "quantity", "sender", "time", "document"}]`` (records sudo)."""
        env = request.env
        env["city.trace.event"].flush_model()
        env["city.trace.event.line"].flush_model()
        since = fields.Datetime.now() - datetime.timedelta(days=PENDING_DAYS)
        env.cr.execute(
            SQL(
                """SELECT e.id, l.lot_id, l.quantity
                     FROM city_trace_event e
                     JOIN city_trace_event_line l ON l.event_id = e.id AND l.lot_id IS NOT NULL
                    WHERE e.dest_partner_id = %(partner)s AND e.biz_step = 'shipping' AND e.event_time >= %(since)s
                      AND NOT e.is_erroneous
                      AND NOT EXISTS (
                          SELECT 1 FROM city_trace_event r
                            JOIN city_trace_event_line rl ON rl.event_id = r.id
                           WHERE r.partner_id = %(partner)s AND r.biz_step = 'receiving' AND NOT r.is_erroneous
                             AND r.source_partner_id = e.partner_id AND rl.lot_id = l.lot_id
                             AND r.event_time >= e.event_time)
                    ORDER BY e.event_time DESC, e.id DESC
                    LIMIT %(limit)s""",
                partner=enterprise.id,
                since=since,
                limit=limit,
            )
        )
        rows = env.cr.fetchall()
        events_sudo = env["city.trace.event"].sudo().browse([row[0] for row in rows])
        lots_sudo = env["city.trace.lot"].sudo().browse([row[1] for row in rows])
        return [
            {"key": f"{event.id}-{lot.id}", "event": event, "lot": lot, "quantity": quantity}
            for event, lot, (_event_id, _lot_id, quantity) in zip(events_sudo, lots_sudo, rows, strict=True)
        ]

    def _trace_counterparts(self, enterprise):
        """Enterprises the enterprise has shipped to or received from: the suggestions of the destination field."""
        env = request.env
        env["city.trace.event"].flush_model(["partner_id", "dest_partner_id", "source_partner_id"])
        env.cr.execute(
            SQL(
                """SELECT DISTINCT partner FROM (
                       SELECT dest_partner_id AS partner FROM city_trace_event
                        WHERE partner_id = %(partner)s AND dest_partner_id IS NOT NULL
                       UNION SELECT source_partner_id FROM city_trace_event
                        WHERE partner_id = %(partner)s AND source_partner_id IS NOT NULL
                   ) AS counterparts WHERE partner != %(partner)s LIMIT 100""",
                partner=enterprise.id,
            )
        )
        return env["res.partner"].sudo().browse([row[0] for row in env.cr.fetchall()])

    def _trace_capture_form(self, kind, enterprise, error=None, form=None, duplicate=None):
        env = request.env
        form = dict(form or {})
        form.setdefault("event_time", self._trace_now_local())
        values = self._trace_values(
            "trace_capture",
            kind=kind,
            enterprise=enterprise,
            products=env["city.trace.product"].search([], limit=LOT_CHOICES),
            locations=env["city.trace.location"].search([], limit=LOT_CHOICES),
            error=error,
            duplicate=duplicate.sudo() if duplicate else None,
            form=form,
            max_inputs=MAX_INPUTS,
        )
        if kind in ("shipping", "transformation", "retail_selling", "destroying"):
            lots_sudo = self._trace_lots_sudo(enterprise, order="production_date desc, id desc", limit=LOT_CHOICES)
            chosen = self._trace_lot_sudo(enterprise, form.get("lot_id"))
            values["lots"] = chosen | lots_sudo if chosen else lots_sudo
        if kind == "shipping":
            values["counterparts"] = self._trace_counterparts(enterprise)
        if kind == "receiving":
            values["shipments"] = self._trace_pending_shipments(enterprise)
        return request.render("city_trace.portal_trace_capture", values)

    def _trace_common_vals(self, enterprise, post):
        return {
            "event_time": self._trace_event_time(post.get("event_time")),
            "event_tz": LOCAL_OFFSET,
            "partner_id": enterprise.id,
            "location_id": self._trace_own_location(post.get("location_id")),
            "public": bool(post.get("public")),
        }

    def _trace_document(self, vals, post, kind):
        document = (post.get("document") or "").strip()[:64]
        if document:
            vals["biz_transaction_type"] = "recadv" if kind == "receiving" else "desadv"
            vals["biz_transaction_ref"] = document

    def _trace_build_commissioning(self, enterprise, post):
        vals = self._trace_common_vals(enterprise, post)
        product = self._trace_own_product(post.get("product_id"))
        quantity = self._trace_quantity(post.get("quantity"))
        lot = self._trace_own_lot_for(
            enterprise,
            product,
            post.get("batch"),
            self._trace_date(post.get("production_date")),
            quantity,
            expiry_date=self._trace_date(post.get("expiry_date"), required=False),
            location=vals["location_id"],
        )
        vals.update(
            event_type="object",
            action="ADD",
            biz_step="commissioning",
            disposition="active",
            lines=[{"role": "epc", "lot_id": lot.id, "quantity": quantity}],
        )
        return vals

    def _trace_build_object(self, kind, enterprise, post):
        vals = self._trace_common_vals(enterprise, post)
        action, step, disposition = OBJECT_EVENTS[kind]
        if kind == "receiving":
            event_id, _sep, lot_id = (post.get("shipment") or "").partition("-")
            shipment = next(
                (
                    row
                    for row in self._trace_pending_shipments(enterprise, limit=500)
                    if row["event"].id == self._trace_int(event_id) and row["lot"].id == self._trace_int(lot_id)
                ),
                None,
            )
            if not shipment:
                raise ValidationError(request.env._("Choose a shipment addressed to your enterprise."))
            lot = shipment["lot"]
            vals["source_partner_id"] = shipment["event"].partner_id.id
        else:
            lot = self._trace_visible_lot(enterprise, post.get("lot_id"))
        if kind == "shipping":
            vals["dest_partner_id"] = self._trace_find_enterprise(post.get("destination"), enterprise).id
        self._trace_document(vals, post, kind)
        vals.update(
            event_type="object",
            action=action,
            biz_step=step,
            disposition=disposition,
            lines=[{"role": "epc", "lot_id": lot.id, "quantity": self._trace_quantity(post.get("quantity"))}],
        )
        return vals

    def _trace_build_transformation(self, enterprise, post):
        env = request.env
        vals = self._trace_common_vals(enterprise, post)
        lines = []
        inputs = env["city.trace.lot"].sudo()
        for index in range(1, MAX_INPUTS + 1):
            if not post.get(f"input_lot_{index}"):
                continue
            label = env._("input %(number)s", number=index)
            lot = self._trace_visible_lot(enterprise, post.get(f"input_lot_{index}"), label=label)
            if lot in inputs:
                raise ValidationError(env._("The lot %(lot)s is entered twice.", lot=lot.display_name))
            inputs |= lot
            lines.append(
                {
                    "role": "input",
                    "lot_id": lot.id,
                    "quantity": self._trace_quantity(post.get(f"input_qty_{index}"), label),
                }
            )
        if not lines:
            raise ValidationError(env._("Choose at least one input lot."))
        product = self._trace_own_product(post.get("product_id"))
        quantity = self._trace_quantity(post.get("quantity"), env._("the output lot"))
        production_date = (
            self._trace_date(post.get("production_date"), required=False)
            or (vals["event_time"] + self._trace_offset(LOCAL_OFFSET)).date()
        )
        output = self._trace_own_lot_for(
            enterprise,
            product,
            post.get("batch"),
            production_date,
            quantity,
            location=vals["location_id"],
        )
        if output in inputs:
            raise ValidationError(env._("The output lot cannot also be an input."))
        lines.append({"role": "output", "lot_id": output.id, "quantity": quantity})
        vals.update(event_type="transformation", biz_step="commissioning", disposition="active", lines=lines)
        return vals

    def _trace_build(self, kind, enterprise, post):
        if kind == "commissioning":
            return self._trace_build_commissioning(enterprise, post)
        if kind == "transformation":
            return self._trace_build_transformation(enterprise, post)
        return self._trace_build_object(kind, enterprise, post)

    @http.route(
        ["/my/trace/capture/<string:kind>"], type="http", auth="user", website=True, methods=["GET"], readonly=True
    )
    def portal_trace_capture(self, kind, **kw):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        if kind not in CAPTURE_KINDS:
            raise request.not_found()
        form = {key: kw[key] for key in ("lot_id", "product_id", "shipment") if kw.get(key)}
        form["public"] = "1"
        return self._trace_capture_form(kind, enterprise, form=form)

    @http.route(["/my/trace/capture/<string:kind>"], type="http", auth="user", website=True, methods=["POST"])
    def portal_trace_capture_post(self, kind, **post):
        enterprise = self._trace_enterprise()
        if not enterprise:
            return request.redirect("/my")
        if kind not in CAPTURE_KINDS:
            raise request.not_found()
        env = request.env
        try:
            with env.cr.savepoint():
                vals = self._trace_build(kind, enterprise, post)
                result = env["city.trace.event"]._capture([vals], channel="portal")[0]
        except (UserError, ValidationError, AccessError) as error:
            return self._trace_capture_form(kind, enterprise, error=error.args[0], form=post)
        if result["status"] == "duplicate":
            return self._trace_capture_form(kind, enterprise, form=post, duplicate=result["event"])
        return request.redirect(f"/my/trace/events/{result['event'].id}?recorded=1")
