import base64
import datetime
import re

import pytz

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.city_base.tests.common import CityHttpCase, make_uscc

from .common import TraceCase

SHANGHAI = pytz.timezone("Asia/Shanghai")
GIF_1PX = base64.b64decode(b"R0lGODlhAQABAAAAACw=")


@tagged("post_install", "-at_install")
class TestTracePortal(TraceCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.dist = Partner.create(
            {
                "name": "吉林市粮油批发有限公司",
                "is_company": True,
                "uscc": make_uscc("91220204MA0TR0003"),
                "trace_logistics": True,
            }
        )
        # messages are checked in English (the test database only has zh_CN active)
        cls.env["res.lang"]._activate_lang("en_US")
        cls.mill_user = cls.enterprise_user("t_trace_mill", cls.mill, "米业录入员")
        cls.farm_user = cls.enterprise_user("t_trace_farm", cls.farm, "合作社录入员")
        cls.paddy = cls.env["city.trace.product"].create(
            {
                "name": "稻谷",
                "gtin": "6901234567809",
                "category": "agricultural",
                "partner_id": cls.farm.id,
                "uom": "kg",
            }
        )
        Lot = cls.env["city.trace.lot"]
        day = datetime.date(2025, 10, 1)
        cls.paddy_lot = Lot.create(
            {
                "name": "P1",
                "product_id": cls.paddy.id,
                "partner_id": cls.farm.id,
                "production_date": day,
                "quantity": 1000,
            }
        )
        cls.rice_lot = Lot.create(
            {
                "name": "R1",
                "product_id": cls.rice.id,
                "partner_id": cls.mill.id,
                "production_date": day,
                "quantity": 300,
            }
        )
        cls.Event = cls.env["city.trace.event"]
        cls.farm_event = cls._ship(cls.paddy_lot, cls.farm, cls.dist, 10, datetime.datetime(2025, 10, 2, 1, 0))

    @classmethod
    def _ship(cls, lot, sender, receiver, quantity, when):
        return cls.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "shipping",
                    "disposition": "in_transit",
                    "event_time": when,
                    "partner_id": sender.id,
                    "dest_partner_id": receiver.id,
                    "lines": [{"role": "epc", "lot_id": lot.id, "quantity": quantity}],
                }
            ]
        )[0]["event"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _login(self, login, lang="en_US"):
        """Log in; messages are checked in English except in test_validation_errors_are_translated."""
        self.env["res.users"].search([("login", "=", login)]).lang = lang
        self.authenticate(login, login)
        self.opener.cookies.set("frontend_lang", lang)

    def _csrf(self, url):
        page = self.url_open(url).text
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        return page[start : page.index('"', start)]

    def _post(self, url, data, form_url=None, files=None):
        token = self._csrf(form_url or url)
        return self.url_open(url, data={"csrf_token": token, **data}, files=files)

    @staticmethod
    def _local(moment):
        """A naive UTC datetime as the Beijing-time value of a datetime-local input."""
        return pytz.utc.localize(moment).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    def _shipping_form(self, **values):
        return {
            "lot_id": str(self.rice_lot.id),
            "quantity": "120",
            "destination": self.dist.uscc,
            "document": "FH-2025-001",
            "event_time": "2025-10-03T09:30",
            "public": "1",
            **values,
        }

    # ------------------------------------------------------------------
    # Isolation through the ORM
    # ------------------------------------------------------------------
    def test_orm_isolation_between_enterprises(self):
        mill = self.mill_user
        self.assertCanRead(mill, self.rice)
        self.assertCanRead(mill, self.rice_lot)
        self.assertCannotRead(mill, self.paddy)
        self.assertCannotRead(mill, self.paddy_lot)
        self.assertCannotRead(mill, self.farm_event)
        self.assertCannotRead(mill, self.farm_event.line_ids)
        self.assertCannotWrite(mill, self.paddy, {"name": "改名"})
        self.assertCannotWrite(mill, self.paddy_lot, {"quantity": 1})
        # no product, lot or location in another enterprise's name, no lot under its GTIN
        self.assertCannotCreate(
            mill,
            "city.trace.product",
            {"name": "冒名", "gtin": "6901234567816", "category": "food", "partner_id": self.farm.id},
        )
        self.assertCannotCreate(
            mill,
            "city.trace.lot",
            {
                "name": "X1",
                "product_id": self.paddy.id,
                "partner_id": self.mill.id,
                "production_date": "2025-10-01",
                "quantity": 1,
            },
        )
        self.assertCannotCreate(mill, "city.trace.location", {"name": "冒名仓库", "partner_id": self.farm.id})
        # events only through capture, and only for the own enterprise
        with self.assertRaises(AccessError):
            self.Event.with_user(mill).with_context(city_trace_capture=True).create(
                {"event_type": "object", "event_time": "2025-10-01", "partner_id": self.mill.id, "event_hash": "x"}
            )
        with self.assertRaises(AccessError):
            self.Event.with_user(mill)._capture(
                [
                    {
                        "event_type": "object",
                        "action": "OBSERVE",
                        "biz_step": "shipping",
                        "event_time": datetime.datetime(2025, 10, 3),
                        "partner_id": self.farm.id,
                        "lines": [{"role": "epc", "lot_id": self.paddy_lot.id, "quantity": 1}],
                    }
                ]
            )
        # the own side works
        product = (
            self.env["city.trace.product"]
            .with_user(mill)
            .create({"name": "长粒香米", "gtin": "6901234567816", "category": "food", "partner_id": self.mill.id})
        )
        lot = (
            self.env["city.trace.lot"]
            .with_user(mill)
            .create(
                {
                    "name": "C1",
                    "product_id": product.id,
                    "partner_id": self.mill.id,
                    "production_date": "2025-10-01",
                    "quantity": 5,
                }
            )
        )
        lot.with_user(mill).write({"quantity": 6})
        self.assertEqual(self.env["city.trace.product"].with_user(mill).search([]), self.rice | product)

    def test_bidder_is_not_an_enterprise(self):
        """The business role also serves bidders: without a traceability enterprise there is no portal."""
        self.authenticate("t_business", "t_business")
        response = self.url_open("/my/trace")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertCannotCreate(
            self.portal_business,
            "city.trace.product",
            {"name": "投标人产品", "gtin": "6901234567816", "category": "food", "partner_id": self.organisation.id},
        )

    # ------------------------------------------------------------------
    # Isolation through the routes
    # ------------------------------------------------------------------
    def test_routes_refuse_other_enterprises_records(self):
        self._login("t_trace_mill")
        for url in (
            f"/my/trace/products/{self.paddy.id}",
            f"/my/trace/lots/{self.paddy_lot.id}",
            f"/my/trace/events/{self.farm_event.id}",
            "/my/trace/lots/999999999",
            "/my/trace/events/99999999999",
            "/my/trace/products/99999999999",
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        token = self._csrf("/my/trace/products/new")
        response = self.url_open(
            f"/my/trace/products/{self.paddy.id}",
            data={"csrf_token": token, "name": "改名", "gtin": self.paddy.gtin, "category": "food", "uom": "kg"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.paddy.name, "稻谷")
        response = self.url_open(
            f"/my/trace/events/{self.farm_event.id}/declare-error",
            data={"csrf_token": token, "reason": "did_not_occur"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.farm_event.is_erroneous)
        # shipping the farm's lot is refused on the form
        response = self._post(
            "/my/trace/capture/shipping",
            self._shipping_form(lot_id=str(self.paddy_lot.id)),
            "/my/trace/capture/shipping",
        )
        self.assertIn("o_trace_form_error", response.text)
        self.assertFalse(self.Event.search([("partner_id", "=", self.mill.id)]))

    def test_post_without_csrf_is_refused(self):
        self._login("t_trace_mill")
        response = self.url_open("/my/trace/capture/shipping", data=self._shipping_form())
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.Event.search([("partner_id", "=", self.mill.id)]))

    def test_pages_show_own_data_only(self):
        self._ship(self.rice_lot, self.mill, self.dist, 50, datetime.datetime(2025, 10, 3, 2, 0))
        self._login("t_trace_mill")
        pages = {
            url: self.url_open(url)
            for url in (
                "/my/trace",
                "/my/trace/products",
                "/my/trace/lots",
                "/my/trace/events",
                f"/my/trace/lots/{self.rice_lot.id}",
            )
        }
        for url, response in pages.items():
            self.assertEqual(response.status_code, 200, url)
            self.assertNotIn("稻谷", response.text, url)
            self.assertNotIn(self.paddy.gtin, response.text, url)
        self.assertIn("舒兰大米 5kg", pages["/my/trace/products"].text)
        self.assertIn("o_trace_lot_link", pages["/my/trace/lots"].text)
        self.assertIn("吉林市粮油批发有限公司", pages["/my/trace/events"].text)
        lot_page = pages[f"/my/trace/lots/{self.rice_lot.id}"].text
        self.assertIn("/01/06901234567892/10/R1", lot_page, "Digital Link of the lot")
        self.assertIn("barcode_type=QR", lot_page)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["trace_product_count", "trace_lot_count", "trace_event_count"]}
        )
        self.assertEqual(counters, {"trace_product_count": 1, "trace_lot_count": 1, "trace_event_count": 1})

    def test_scan_analytics_of_own_products_only(self):
        Scan = self.env["city.trace.scan"].sudo()
        now = fields.Datetime.now()
        scans = Scan.create(
            [
                {
                    "scan_time": now,
                    "product_id": self.rice.id,
                    "lot_id": self.rice_lot.id,
                    "division_id": self.community_a.id,
                },
                {"scan_time": now - datetime.timedelta(days=2), "product_id": self.rice.id},
                {"scan_time": now - datetime.timedelta(days=40), "product_id": self.rice.id},
                {"scan_time": now, "product_id": self.paddy.id, "division_id": self.community_b.id},
            ]
        )
        self.assertCannotRead(self.mill_user, scans[0])
        self._login("t_trace_mill")
        page = self.url_open("/my/trace").text
        total = re.search(r'o_trace_scan_total">(\d+)<', page)
        self.assertEqual(total and total.group(1), "2", "the two recent scans of the mill's rice")
        self.assertIn(self.community_a.name, page)
        self.assertNotIn(self.community_b.name, page, "the farm's scan is not counted")

    # ------------------------------------------------------------------
    # Event forms
    # ------------------------------------------------------------------
    def test_shipping_form_records_portal_event_in_utc(self):
        self._login("t_trace_mill")
        response = self._post("/my/trace/capture/shipping", self._shipping_form())
        event = self.Event.search([("partner_id", "=", self.mill.id)])
        self.assertEqual(len(event), 1)
        self.assertTrue(response.url.endswith(f"/my/trace/events/{event.id}?recorded=1"), response.url)
        self.assertIn("o_trace_recorded", response.text)
        self.assertEqual(event.capture_channel, "portal")
        self.assertEqual(event.event_time, datetime.datetime(2025, 10, 3, 1, 30), "09:30 in Beijing is 01:30 UTC")
        self.assertEqual(event.event_tz, "+08:00")
        self.assertEqual((event.biz_step, event.action, event.disposition), ("shipping", "OBSERVE", "in_transit"))
        self.assertEqual(event.dest_partner_id, self.dist)
        self.assertEqual(event.biz_transaction_ref, "FH-2025-001")
        self.assertEqual([(line.lot_id, line.quantity) for line in event.line_ids], [(self.rice_lot, 120.0)])
        # the shipment is in the trace graph
        nodes = self.env["city.trace.edge"]._graph(self.rice_lot)["nodes"]
        self.assertIn((self.rice_lot.id, self.dist.id), nodes)

    def test_shipping_form_errors_keep_the_entered_values(self):
        self._login("t_trace_mill")
        response = self._post(
            "/my/trace/capture/shipping", self._shipping_form(destination="不存在的公司", document="FH-KEEP-9")
        )
        self.assertIn("o_trace_form_error", response.text)
        self.assertIn("No traceability enterprise is named", response.text)
        self.assertIn('value="FH-KEEP-9"', response.text)
        future = self._local(fields.Datetime.now() + datetime.timedelta(days=2))
        response = self._post("/my/trace/capture/shipping", self._shipping_form(event_time=future))
        self.assertIn("is in the future", response.text)
        response = self._post("/my/trace/capture/shipping", self._shipping_form(quantity="-3"))
        self.assertIn("Enter a positive quantity", response.text)
        self.assertFalse(self.Event.search([("partner_id", "=", self.mill.id)]))

    def test_validation_errors_are_translated(self):
        self._login("t_trace_mill", lang="zh_CN")
        response = self._post(
            "/my/trace/products/new", {"name": "坏码大米", "gtin": "6901234567824", "category": "food", "uom": "bag"}
        )
        match = re.search(r'o_trace_form_error"[^>]*>([^<]*)<', response.text)
        self.assertTrue(match, "the error is shown")
        self.assertIn("6901234567824", match.group(1))
        self.assertTrue(re.search(r"[\u4e00-\u9fff]", match.group(1)), f"zh_CN message expected: {match.group(1)}")

    def test_duplicate_post_is_reported(self):
        self._login("t_trace_mill")
        self._post("/my/trace/capture/shipping", self._shipping_form())
        response = self._post("/my/trace/capture/shipping", self._shipping_form())
        self.assertIn("o_trace_duplicate", response.text)
        self.assertEqual(self.Event.search_count([("partner_id", "=", self.mill.id)]), 1)

    def test_commissioning_creates_lot_and_event(self):
        self._login("t_trace_mill")
        response = self._post(
            "/my/trace/capture/commissioning",
            {
                "product_id": str(self.rice.id),
                "batch": "R9",
                "production_date": "2025-10-05",
                "quantity": "500",
                "event_time": "2025-10-05T08:00",
            },
        )
        lot = self.env["city.trace.lot"].search([("name", "=", "R9")])
        self.assertEqual(lot.partner_id, self.mill)
        self.assertEqual(lot.expiry_date, datetime.date(2026, 10, 5), "shelf life of the product")
        event = self.Event.search([("partner_id", "=", self.mill.id)])
        self.assertTrue(response.url.endswith(f"/my/trace/events/{event.id}?recorded=1"))
        self.assertEqual((event.biz_step, event.action), ("commissioning", "ADD"))
        self.assertFalse(event.public, "the publication box was left unticked")
        # the farm's product cannot be commissioned by the mill
        response = self._post(
            "/my/trace/capture/commissioning",
            {
                "product_id": str(self.paddy.id),
                "batch": "X1",
                "production_date": "2025-10-05",
                "quantity": "1",
                "event_time": "2025-10-05T08:00",
            },
        )
        self.assertIn("Choose one of your products", response.text)
        self.assertFalse(self.env["city.trace.lot"].search([("name", "=", "X1")]))

    def test_receiving_then_transformation(self):
        """The mill receives the farm's paddy, then mills it into a new rice lot: output lot and graph edges."""
        when = fields.Datetime.now().replace(microsecond=0) - datetime.timedelta(days=1)
        shipment = self._ship(self.paddy_lot, self.farm, self.mill, 800, when)
        self._login("t_trace_mill")
        paddy_url = f"/my/trace/lots/{self.paddy_lot.id}"
        self.assertNotIn(paddy_url, self.url_open("/my/trace/lots").text, "not held before receiving")
        self.assertEqual(self.url_open(paddy_url).status_code, 404)
        response = self._post(
            "/my/trace/capture/receiving",
            {
                "shipment": f"{shipment.id}-{self.paddy_lot.id}",
                "quantity": "800",
                "event_time": self._local(when + datetime.timedelta(hours=2)),
            },
        )
        receipt = self.Event.search([("partner_id", "=", self.mill.id), ("biz_step", "=", "receiving")])
        self.assertTrue(receipt, response.text[:500])
        self.assertEqual(receipt.source_partner_id, self.farm)
        # the received lot is now listed, readable on its page and offered by the forms
        self.assertIn(paddy_url, self.url_open("/my/trace/lots?filterby=held").text)
        self.assertEqual(self.url_open(paddy_url).status_code, 200)
        response = self._post(
            "/my/trace/capture/transformation",
            {
                "input_lot_1": str(self.paddy_lot.id),
                "input_qty_1": "800",
                "product_id": str(self.rice.id),
                "batch": "R2",
                "quantity": "560",
                "event_time": self._local(when + datetime.timedelta(hours=5)),
            },
        )
        output = self.env["city.trace.lot"].search([("product_id", "=", self.rice.id), ("name", "=", "R2")])
        self.assertEqual(output.partner_id, self.mill)
        self.assertEqual(output.quantity, 560)
        transformation = self.Event.search([("partner_id", "=", self.mill.id), ("event_type", "=", "transformation")])
        self.assertTrue(response.url.endswith(f"/my/trace/events/{transformation.id}?recorded=1"))
        self.assertEqual(
            {(line.role, line.lot_id) for line in transformation.line_ids},
            {("input", self.paddy_lot), ("output", output)},
        )
        edges = self.env["city.trace.edge"].search([("event_id", "=", transformation.id)])
        self.assertEqual(
            [(e.src_lot_id, e.src_partner_id, e.dst_lot_id, e.dst_partner_id) for e in edges],
            [(self.paddy_lot, self.mill, output, self.mill)],
        )
        up = {node for node in self.env["city.trace.edge"]._graph(output, "up")["nodes"]}
        self.assertIn((self.paddy_lot.id, self.farm.id), up)
        # the received lot stays the farm's: the mill can neither change it nor read it through the ORM
        self.assertCannotWrite(self.mill_user, self.paddy_lot, {"quantity": 1})

    def test_retail_selling_and_destroying(self):
        self._login("t_trace_mill")
        form = {"lot_id": str(self.rice_lot.id), "quantity": "3", "event_time": "2025-10-04T10:00", "public": "1"}
        self._post("/my/trace/capture/retail_selling", form)
        self._post("/my/trace/capture/destroying", {**form, "quantity": "2"})
        events = self.Event.search([("partner_id", "=", self.mill.id)], order="id")
        self.assertEqual(
            [(e.biz_step, e.action, e.disposition) for e in events],
            [("retail_selling", "OBSERVE", "retail_sold"), ("destroying", "DELETE", "destroyed")],
        )

    def test_error_declaration(self):
        wrong = self._ship(self.rice_lot, self.mill, self.farm, 300, datetime.datetime(2025, 10, 3, 1, 0))
        right = self._ship(self.rice_lot, self.mill, self.dist, 300, datetime.datetime(2025, 10, 3, 2, 0))
        self._login("t_trace_mill")
        url = f"/my/trace/events/{wrong.id}"
        response = self._post(
            f"{url}/declare-error", {"reason": "incorrect_data", "corrective_event_id": str(right.id)}, url
        )
        self.assertTrue(response.url.endswith(url))
        self.assertTrue(wrong.is_erroneous)
        declaration = wrong.declaration_ids
        self.assertEqual(declaration.capture_channel, "portal")
        self.assertEqual(declaration.corrective_event_ids, right)
        self.assertIn("o_trace_erroneous", response.text)
        self.assertNotIn("o_trace_declare_submit", response.text, "declared once only")
        nodes = self.env["city.trace.edge"]._graph(self.rice_lot)["nodes"]
        self.assertNotIn((self.rice_lot.id, self.farm.id), nodes)
        # a corrective event of another enterprise is refused
        url = f"/my/trace/events/{right.id}"
        response = self._post(
            f"{url}/declare-error", {"reason": "incorrect_data", "corrective_event_id": str(self.farm_event.id)}, url
        )
        self.assertIn("o_trace_form_error", response.text)
        self.assertFalse(right.is_erroneous)

    # ------------------------------------------------------------------
    # Products and lots
    # ------------------------------------------------------------------
    def test_product_form_validates_gtin_and_image(self):
        self._login("t_trace_mill")
        url = "/my/trace/products/new"
        data = {"name": "有机大米", "gtin": "6901234567824", "category": "food", "uom": "bag", "shelf_life_days": "180"}
        response = self._post(url, data)
        self.assertIn("o_trace_form_error", response.text)
        self.assertIn("is not a valid GTIN", response.text)
        self.assertIn('value="有机大米"', response.text, "the entered values stay")
        response = self._post(url, {**data, "gtin": self.paddy.gtin})
        self.assertIn("already registered", response.text)
        response = self._post(url, {**data, "gtin": "6901234567816"}, files={"image": ("a.exe", b"MZ", "image/png")})
        self.assertIn("PNG, JPEG or GIF", response.text)
        self.env["ir.config_parameter"].sudo().set_param("city_trace.portal_max_image_bytes", "1024")
        big = GIF_1PX + b"\0" * 2048
        response = self._post(url, {**data, "gtin": "6901234567816"}, files={"image": ("a.gif", big, "image/gif")})
        self.assertIn("larger than", response.text)
        self.assertFalse(self.env["city.trace.product"].search([("name", "=", "有机大米")]))
        response = self._post(url, {**data, "gtin": "6901234567816"})
        product = self.env["city.trace.product"].search([("name", "=", "有机大米")])
        self.assertEqual(product.partner_id, self.mill)
        self.assertEqual(product.gtin, "06901234567816")
        self.assertTrue(response.url.endswith(f"/my/trace/products/{product.id}?saved=1"))
        # edit: the own product only
        edit = f"/my/trace/products/{product.id}"
        self._post(edit, {**data, "gtin": "6901234567816", "name": "有机大米 10kg"}, edit)
        self.assertEqual(product.name, "有机大米 10kg")

    def test_lot_form(self):
        self._login("t_trace_mill")
        url = "/my/trace/lots/new"
        data = {"product_id": str(self.rice.id), "batch": "批次一", "production_date": "2025-10-01", "quantity": "10"}
        response = self._post(url, data)
        self.assertIn("o_trace_form_error", response.text)
        response = self._post(url, {**data, "batch": "R1"})
        self.assertIn("already exists", response.text)
        response = self._post(url, {**data, "batch": "R7"})
        lot = self.env["city.trace.lot"].search([("name", "=", "R7")])
        self.assertEqual(lot.partner_id, self.mill)
        self.assertTrue(response.url.endswith(f"/my/trace/lots/{lot.id}"))

    # ------------------------------------------------------------------
    # Speed and the browser
    # ------------------------------------------------------------------
    def test_event_list_query_count_is_flat(self):
        """The number of queries of /my/trace/events does not grow with the listed events."""
        self._login("t_trace_mill")
        start = datetime.datetime(2025, 10, 3)

        def add(count, offset):
            for index in range(count):
                self._ship(
                    self.rice_lot, self.mill, self.dist, index + 1, start + datetime.timedelta(minutes=offset + index)
                )
            self.env.flush_all()

        def queries(url):
            self.url_open(url)
            before = self.cr.sql_log_count
            self.assertEqual(self.url_open(url).status_code, 200)
            return self.cr.sql_log_count - before

        add(2, 0)
        first = {url: queries(url) for url in ("/my/trace/events", "/my/trace/lots", "/my/trace")}
        add(18, 100)
        for url, count in first.items():
            self.assertLessEqual(queries(url), count + 2, url)
        self.assertEqual(self.url_open("/my/trace/events").text.count("o_trace_event_row"), 20, "pager at 20")

    def test_tour_shipping(self):
        self.env["city.trace.lot"].create(
            {
                "name": "TOUR-R1",
                "product_id": self.rice.id,
                "partner_id": self.mill.id,
                "production_date": "2025-10-01",
                "quantity": 500,
            }
        )
        self.start_tour("/my/trace", "city_trace_portal_shipping", login="t_trace_mill")
        event = self.Event.search([("partner_id", "=", self.mill.id)])
        self.assertEqual(event.capture_channel, "portal")
        self.assertEqual(event.dest_partner_id, self.dist)
        self.assertEqual(event.biz_transaction_ref, "FH-TOUR-001")
        self.assertEqual(event.line_ids.quantity, 120)
