import base64
import datetime
import io
import json
from urllib.parse import quote

from PIL import Image

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from ..tools import gs1
from .supply_chain import T0, SupplyChainCase

RICE_PATH = "/01/06901234567892/10/R1"
UNKNOWN_GTIN = "0001234560001" + gs1.check_digit("0001234560001")
JILIN = (43.84, 126.55)
GUANGZHOU = (23.13, 113.26)


def png_bytes(size=(4, 4), exif=False):
    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    if exif:
        data = image.getexif()
        data[0x010E] = "secret description"  # ImageDescription
        image.save(output, "JPEG", exif=data)
    else:
        image.save(output, "PNG")
    return output.getvalue()


@tagged("post_install", "-at_install")
class TestScanPage(SupplyChainCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.build_chain()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.location = cls.env["city.trace.location"].create(
            {
                "name": "丰谷米业一号车间",
                "partner_id": cls.mill.id,
                "address": "吉林市船营区测试路1号",
                "division_id": cls.grid_a.id,
                "latitude": 43.84,
                "longitude": 126.55,
            }
        )
        cls.rice_lot.location_id = cls.location
        cls.Scan = cls.env["city.trace.scan"]
        cls.Report = cls.env["city.trace.consumer.report"]
        Inspection = cls.env["city.trace.inspection"]

        def inspection(name, lot, agency, published=True, confirm=True):
            record = Inspection.create(
                {
                    "name": name,
                    "lot_id": lot.id,
                    "partner_id": lot.partner_id.id,
                    "agency": agency,
                    "inspection_date": datetime.date(2026, 10, 3),
                    "items": "镉、农药残留",
                    "result": "pass",
                    "published": published,
                }
            )
            if confirm:
                record.action_confirm()
            return record

        inspection("JC-001", cls.rice_lot, "吉林市食品检验所")
        inspection("JC-002", cls.paddy_1, "舒兰市农产品检测站")
        inspection("JC-003", cls.rice_lot, "未公开检验机构", published=False)
        inspection("JC-004", cls.rice_lot, "草稿检验机构", confirm=False)
        # a step the mill keeps private, and a wrong step declared erroneous
        hidden = cls.env["city.trace.location"].create({"name": "内部冷库甲", "partner_id": cls.mill.id})
        wrong = cls.env["city.trace.location"].create({"name": "录错的仓库乙", "partner_id": cls.mill.id})
        cls.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="storing",
            event_time=T0 + datetime.timedelta(hours=5),
            partner_id=cls.mill.id,
            location_id=hidden.id,
            public=False,
            lines=[{"role": "epc", "lot_id": cls.rice_lot.id, "quantity": 300}],
        )
        erroneous = cls.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="storing",
            event_time=T0 + datetime.timedelta(hours=5, minutes=30),
            partner_id=cls.mill.id,
            location_id=wrong.id,
            lines=[{"role": "epc", "lot_id": cls.rice_lot.id, "quantity": 300}],
        )
        cls.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="storing",
            event_time=T0 + datetime.timedelta(hours=5, minutes=40),
            partner_id=cls.mill.id,
            declares_error_of_id=erroneous.id,
            error_reason="did_not_occur",
            lines=[],
        )

    def page(self, path, **headers):
        return self.url_open(path, headers=headers, allow_redirects=False)

    def scans(self):
        self.env.invalidate_all()
        return self.Scan.search([])

    def report_form(self, path=RICE_PATH):
        page = self.url_open(f"/trace/report?code={quote(path, safe='')}").text
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        return page[start : page.index('"', start)]

    def send_report(self, token, path=RICE_PATH, files=None, **fields_):
        data = {"csrf_token": token, "code": path, "description": "米有霉味", **fields_}
        return self.url_open("/trace/report", data=data, files=files, allow_redirects=False)

    # ------------------------------------------------------------------
    # Tour
    # ------------------------------------------------------------------
    def test_tour_scan_and_report(self):
        lot = self.env["city.trace.lot"].create(
            {
                "name": "TOUR-R1",
                "product_id": self.rice.id,
                "partner_id": self.mill.id,
                "production_date": fields.Date.today(),
                "quantity": 50,
            }
        )
        self.move(lot, self.mill, self.dist, 50, 30)
        self.start_tour("/01/06901234567892/10/TOUR-R1", "city_trace_scan_report", login=None)
        report = self.Report.search([("lot_id", "=", lot.id)])
        self.assertEqual(len(report), 1)
        self.assertEqual(report.product_id, self.rice)
        self.assertEqual(report.description, "米袋里有虫子，味道发霉")
        self.assertEqual(report.sudo().contact, "13904320000")
        self.assertEqual(report.channel, "scan_page")
        self.assertEqual(report.code, "/01/06901234567892/10/TOUR-R1")
        self.assertEqual(report.state, "new")
        self.assertTrue(report.name.startswith("CR"))

    # ------------------------------------------------------------------
    # Page content
    # ------------------------------------------------------------------
    def test_lot_page_content(self):
        response = self.page(RICE_PATH)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Language"], "zh-CN", "Chinese when the browser asks nothing")
        html = response.text
        for text in ("舒兰大米 5kg", "06901234567892", "R1", self.mill.name, self.mill.uscc, "丰谷米业一号车间"):
            self.assertIn(text, html)
        # the steps of the lot and of its ingredients, in time order (Beijing time)
        self.assertIn("2026-10-02 09:00", html, "farm ships paddy P1 at 09:00 Beijing time")
        made_from = html.index("o_trace_input")
        self.assertIn("P1", html[made_from : made_from + 400])
        self.assertIn(self.farm.name, html[made_from : made_from + 400])
        first_step = html.index("2026-10-02 09:00")
        milling = html.index("2026-10-02 13:00")
        last_delivery = html.index("2026-10-02 21:00")
        self.assertLess(first_step, milling)
        self.assertLess(milling, last_delivery)
        self.assertIn(self.shop_b.name, html)
        # unpublished and erroneous steps are not shown
        self.assertNotIn("内部冷库甲", html)
        self.assertNotIn("录错的仓库乙", html)
        # published confirmed inspections only (the lot's and its ingredient's)
        self.assertIn("吉林市食品检验所", html)
        self.assertIn("舒兰市农产品检测站", html)
        self.assertNotIn("未公开检验机构", html)
        self.assertNotIn("草稿检验机构", html)
        self.assertNotIn("o_trace_recall", html)
        self.assertNotIn("o_trace_expired", html)
        self.assertIn(f"/trace/report?code={quote(RICE_PATH, safe='')}", html)
        # the browser's language when installed
        english = self.page(RICE_PATH, **{"Accept-Language": "en-US,en;q=0.8"})
        self.assertEqual(english.headers["Content-Language"], "en-US")
        self.assertIn("Report a problem with this product", english.text)
        other = self.page(RICE_PATH, **{"Accept-Language": "fr-FR"})
        self.assertEqual(other.headers["Content-Language"], "zh-CN", "a language not installed falls back to zh_CN")

    def test_product_and_serial_pages(self):
        product_page = self.page("/01/06901234567892")
        self.assertEqual(product_page.status_code, 200)
        self.assertIn(self.mill.name, product_page.text, "the brand owner")
        self.assertNotIn("o_trace_product_image", product_page.text)
        self.rice.image_1920 = base64.b64encode(png_bytes((64, 64)))
        self.assertIn(f"/trace/product/{self.rice.id}/image", self.page("/01/06901234567892").text)
        image = self.url_open(f"/trace/product/{self.rice.id}/image")
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.headers["Content-Type"], "image/png")
        serial = self.env["city.trace.serial"].create({"name": "S0001", "lot_id": self.rice_lot.id})
        response = self.page(f"{RICE_PATH}/21/S0001")
        self.assertEqual(response.status_code, 200)
        self.assertIn("S0001", response.text)
        scan = self.scans()[:1]
        self.assertEqual((scan.serial_id, scan.lot_id, scan.code_level), (serial, self.rice_lot, "serial"))
        self.assertEqual(self.page(f"{RICE_PATH}/21/S9999").status_code, 404)
        self.assertEqual(self.page("/01/06901234567809/10/P1/21/S0001").status_code, 404, "serial of another lot")

    def test_recalled_lot_shows_the_banner(self):
        self.assertNotIn("o_trace_recall", self.page(RICE_PATH).text)
        recall = (
            self.env["city.trace.recall"]
            .with_user(self.officer)
            .create(
                {
                    "title": "舒兰大米 R1 召回",
                    "reason": "抽检发现镉含量超标",
                    "hazard_level": "1",
                    "lot_ids": [(6, 0, self.rice_lot.ids)],
                    "partner_id": self.mill.id,
                    "recall_notice": "请立即停止食用并退回购买门店。",
                }
            )
        )
        recall.action_start()
        self.assertTrue(self.rice_lot.recalled)
        html = self.page(RICE_PATH).text
        self.assertIn("o_trace_recall", html)
        self.assertIn("请立即停止食用并退回购买门店。", html, "the published recall notice")
        # a lot flagged without a recall notice still shows the banner
        self.paddy_2.sudo().write({"recalled": True})
        html = self.page("/01/06901234567809/10/P2").text
        self.assertIn("o_trace_recall", html)
        self.assertNotIn("o_trace_recall_notice", html)

    def test_expired_and_expiring_lots_are_flagged(self):
        today = fields.Date.today()
        Lot = self.env["city.trace.lot"]
        Lot.create(
            {
                "name": "OLD1",
                "product_id": self.rice.id,
                "partner_id": self.mill.id,
                "production_date": today - datetime.timedelta(days=400),
                "quantity": 10,
            }
        )
        Lot.create(
            {
                "name": "SOON1",
                "product_id": self.rice.id,
                "partner_id": self.mill.id,
                "production_date": today - datetime.timedelta(days=362),
                "quantity": 10,
            }
        )
        expired = self.page("/01/06901234567892/10/OLD1").text
        self.assertIn("o_trace_expired", expired)
        self.assertNotIn("o_trace_expiring", expired)
        soon = self.page("/01/06901234567892/10/SOON1").text
        self.assertIn("o_trace_expiring", soon)
        self.assertNotIn("o_trace_expired", soon)

    def test_wrong_codes(self):
        before = len(self.scans())
        wrong_digit = self.page("/01/06901234567893/10/R1")
        self.assertEqual(wrong_digit.status_code, 400)
        self.assertIn("o_trace_error_message", wrong_digit.text)
        self.assertIn("check digit", self.page("/01/06901234567893", **{"Accept-Language": "en"}).text)
        wrong_order = self.page("/01/06901234567892/21/S1/10/R1", **{"Accept-Language": "en"})
        self.assertEqual(wrong_order.status_code, 400)
        self.assertIn("standard order", wrong_order.text)
        self.assertEqual(self.page("/01/06901234567892/17/261231").status_code, 400, "not a path qualifier")
        self.assertEqual(self.page("/01/06901234567892/10").status_code, 400, "qualifier without value")
        unknown_product = self.page(f"/01/{UNKNOWN_GTIN}/10/R1")
        self.assertEqual(unknown_product.status_code, 404)
        self.assertIn("o_trace_report_link", unknown_product.text, "an unknown code can be reported")
        self.assertEqual(self.page("/01/06901234567892/10/NOPE").status_code, 404)
        redirect = self.page("/01/6901234567892/10/R1")
        self.assertEqual(redirect.status_code, 301, "GTIN-13 is redirected to its GTIN-14 form")
        self.assertTrue(redirect.headers["Location"].endswith(RICE_PATH))
        self.assertEqual(len(self.scans()), before, "errors and redirects are no scans")

    # ------------------------------------------------------------------
    # Scan log
    # ------------------------------------------------------------------
    def test_each_scan_is_logged_without_ip(self):
        before = len(self.scans())
        agent = "Mozilla/5.0 (iPhone) " + "x" * 400
        html = self.page(RICE_PATH, **{"User-Agent": agent}).text
        self.page(RICE_PATH)
        scans = self.scans()
        self.assertEqual(len(scans), before + 2)
        scan = scans.filtered(lambda s: s.user_agent and s.user_agent.startswith("Mozilla/5.0 (iPhone)"))
        self.assertEqual(len(scan), 1)
        self.assertEqual(len(scan.user_agent), 200, "the user agent is truncated")
        self.assertEqual((scan.product_id, scan.lot_id, scan.code_level), (self.rice, self.rice_lot, "lot"))
        self.assertFalse(scan.located, "no place on the first request")
        # nothing in the table can hold an address or an identifier of the visitor
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'city_trace_scan' ORDER BY 1"
        )
        columns = {row[0] for row in self.env.cr.fetchall()}
        self.assertEqual(
            columns,
            {
                "id",
                "scan_time",
                "product_id",
                "lot_id",
                "serial_id",
                "code_level",
                "located",
                "latitude",
                "longitude",
                "division_id",
                "user_agent",
                "repeat",
            },
        )
        self.env.cr.execute("SELECT count(*) FROM city_trace_scan s WHERE s::text LIKE '%127.0.0.1%'")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # the page sends the place afterwards: rounded, once, only with the page's token
        token = html.split('data-token="')[1].split('"')[0]
        scan_id = int(html.split('data-scan-id="')[1].split('"')[0])
        self.assertEqual(scan_id, scan.id)

        def beacon(**params):
            response = self.url_open(
                "/trace/scan/beacon",
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
                headers={"Content-Type": "application/json"},
            )
            return response.json()["result"]["ok"]

        self.assertFalse(beacon(scan_id=scan_id, token="forged", latitude=1, longitude=2))
        self.assertTrue(beacon(scan_id=scan_id, token=token, latitude=43.8456, longitude=126.5517, repeat=True))
        self.assertTrue(beacon(scan_id=scan_id, token=token, latitude=23.1, longitude=113.3))
        self.env.invalidate_all()
        self.assertTrue(scan.located)
        self.assertEqual((scan.latitude, scan.longitude), (43.8, 126.6), "0.1 degree, the first place kept")
        self.assertTrue(scan.repeat)
        self.assertEqual(scan.division_id, self.district, "the district of the nearest registered location")
        other = scans.filtered(lambda s: s != scan)[:1]
        self.assertFalse(beacon(scan_id=other.id, token=token, latitude=1, longitude=2), "token of another scan")

    def test_enterprise_stats(self):
        self.page(RICE_PATH)
        self.page("/01/06901234567809/10/P1")
        stats = self.Scan._enterprise_stats(self.mill)
        self.assertEqual(stats["total"], 1, "only the scans of the mill's own products")
        self.assertEqual(stats["per_product"], [("舒兰大米 5kg", 1)])

    # ------------------------------------------------------------------
    # Consumer reports
    # ------------------------------------------------------------------
    def test_report_notifies_managers_and_duty_officer(self):
        manager = new_test_user(self.env, login="t_trace_mgr_notify", groups="city_trace.group_city_trace_manager")
        self.env["res.config.settings"].create({"trace_report_duty_user_id": self.officer.id}).execute()
        token = self.report_form()
        self.assertEqual(self.send_report(token, description="包装破损，米有异味").status_code, 200)
        report = self.Report.search([("lot_id", "=", self.rice_lot.id)])
        note = report.message_ids.filtered(lambda message: "包装破损" in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(manager.partner_id, note.partner_ids)
        activity = report.activity_ids
        self.assertEqual((len(activity), activity.user_id), (1, self.officer))
        # A report typed in by an officer notifies nobody; without a duty officer only the managers.
        backend = self.Report.with_user(self.officer).create({"description": "电话反映", "product_id": self.rice.id})
        self.assertFalse(backend.activity_ids)
        self.env["ir.config_parameter"].set_param("city_trace.report_duty_user_id", False)
        self.assertEqual(self.send_report(token, description="第二次反馈").status_code, 200)
        second = self.Report.search([("lot_id", "=", self.rice_lot.id)], order="id desc", limit=1)
        self.assertFalse(second.activity_ids)
        self.assertIn(manager.partner_id, second.message_ids.partner_ids)

    def test_report_rate_limit(self):
        token = self.report_form()
        for index in range(5):
            response = self.send_report(token, description=f"第{index}次反馈")
            self.assertEqual(response.status_code, 200)
            self.assertIn("o_trace_report_reference", response.text)
        self.assertEqual(self.Report.search_count([("lot_id", "=", self.rice_lot.id)]), 5)
        refused = self.url_open(
            "/trace/report",
            data={"csrf_token": token, "code": RICE_PATH, "description": "第六次"},
            headers={"Accept-Language": "en"},
        )
        self.assertEqual(refused.status_code, 429)
        self.assertIn("Too many reports", refused.text)
        self.assertEqual(self.Report.search_count([("lot_id", "=", self.rice_lot.id)]), 5, "nothing stored")
        self.env.cr.execute("SELECT key FROM city_trace_report_limit")
        self.assertNotIn("127.0.0.1", str(self.env.cr.fetchall()), "only a salted hash of the address")

    def test_report_photo_checks(self):
        token = self.report_form()
        big = png_bytes()
        big += b"\0" * (5 * 1024 * 1024 + 10 - len(big))
        response = self.send_report(token, files={"photo": ("big.png", big, "image/png")})
        self.assertEqual(response.status_code, 400)
        self.assertIn("o_trace_report_error", response.text)
        fake = self.send_report(token, files={"photo": ("photo.jpg", b"MZ\x90\x00 not an image", "image/jpeg")})
        self.assertEqual(fake.status_code, 400)
        broken = self.send_report(token, files={"photo": ("photo.png", b"\x89PNG\r\n\x1a\n broken", "image/png")})
        self.assertEqual(broken.status_code, 400)
        huge = self.send_report(token, files={"photo": ("huge.png", b"\0" * (7 * 1024 * 1024), "image/png")})
        self.assertEqual(huge.status_code, 413, "bodies over the limit are refused before parsing")
        self.assertFalse(self.Report.search([("lot_id", "=", self.rice_lot.id)]))
        ok = self.send_report(token, files={"photo": ("photo.jpg", png_bytes((40, 30), exif=True), "image/jpeg")})
        self.assertEqual(ok.status_code, 200)
        report = self.Report.search([("lot_id", "=", self.rice_lot.id)])
        self.assertEqual(len(report), 1)
        stored = Image.open(io.BytesIO(base64.b64decode(report.photo)))
        self.assertEqual(stored.size, (40, 30))
        self.assertNotIn(0x010E, stored.getexif(), "metadata removed")

    def test_report_form_protections(self):
        token = self.report_form()
        expired = self.send_report("bad-token")
        self.assertEqual(expired.status_code, 400)
        self.assertIn("o_trace_report_error", expired.text)
        robot = self.send_report(token, website_url="http://spam.example")
        self.assertEqual(robot.status_code, 200, "the robot is told nothing")
        empty = self.send_report(token, description="   ")
        self.assertEqual(empty.status_code, 400)
        too_long = self.send_report(token, description="长" * 2001)
        self.assertEqual(too_long.status_code, 400)
        bad_contact = self.send_report(token, contact="<script>")
        self.assertEqual(bad_contact.status_code, 400)
        self.assertFalse(self.Report.search([]).filtered(lambda r: r.lot_id == self.rice_lot))
        self.assertEqual(self.url_open("/trace/report?code=/01/123").status_code, 400)
        # an unknown code can be reported (a counterfeit label), without product
        unknown = f"/01/{UNKNOWN_GTIN}/10/X1"
        self.assertEqual(self.send_report(self.report_form(unknown), path=unknown).status_code, 200)
        report = self.Report.search([("code", "=", unknown)])
        self.assertEqual(len(report), 1)
        self.assertFalse(report.product_id)

    # ------------------------------------------------------------------
    # Suspicious codes
    # ------------------------------------------------------------------
    def _scan_at(self, lot, serial=None, place=None, hours_ago=0.0, repeat=False):
        scan_id = self.Scan._log_scan(self.rice.id, lot.id, serial and serial.id, "test")
        self.env.cr.execute(
            """UPDATE city_trace_scan SET scan_time = scan_time - make_interval(secs => %s), repeat = %s,
                      located = %s, latitude = %s, longitude = %s WHERE id = %s""",
            (hours_ago * 3600, repeat, bool(place), place and place[0], place and place[1], scan_id),
        )
        return scan_id

    def test_suspicious_codes_are_flagged(self):
        Alert = self.env["city.trace.scan.alert"]
        serials = self.env["city.trace.serial"].create(
            [{"name": f"S{index}", "lot_id": self.rice_lot.id} for index in range(3)]
        )
        # the same item in Jilin and, ten hours later, in Guangzhou (about 2,500 km)
        first = self._scan_at(self.rice_lot, serials[0], JILIN, hours_ago=12)
        far = self._scan_at(self.rice_lot, serials[0], GUANGZHOU, hours_ago=2)
        # the same distance, but two days apart, is a trip; nearby places are nothing
        self._scan_at(self.rice_lot, serials[1], JILIN, hours_ago=60)
        self._scan_at(self.rice_lot, serials[1], GUANGZHOU, hours_ago=1)
        self._scan_at(self.rice_lot, serials[2], JILIN, hours_ago=3)
        self._scan_at(self.rice_lot, serials[2], (43.9, 126.6), hours_ago=2)
        # a lot of 3 bags scanned 4 times by different browsers, another with repeated views only
        small = self.env["city.trace.lot"].create(
            {
                "name": "SMALL1",
                "product_id": self.rice.id,
                "partner_id": self.mill.id,
                "production_date": fields.Date.today(),
                "quantity": 3,
            }
        )
        calm = small.copy({"name": "CALM1", "production_date": fields.Date.today()})
        for _index in range(4):
            self._scan_at(small)
        for index in range(6):
            self._scan_at(calm, repeat=index > 0)
        self.Scan._cron_detect_suspicious()
        alerts = Alert.search([])
        distance = alerts.filtered(lambda a: a.kind == "distance")
        self.assertEqual(distance.serial_id, serials[0])
        self.assertGreater(distance.distance_km, 2000)
        self.assertEqual({distance.scan_id.id, distance.other_scan_id.id}, {first, far})
        units = alerts.filtered(lambda a: a.kind == "units")
        self.assertEqual(units.lot_id, small)
        self.assertEqual((units.scan_count, units.unit_count), (4, 3))
        # a second run updates the same alerts instead of adding new ones
        self._scan_at(small)
        self.Scan._cron_detect_suspicious()
        self.env.invalidate_all()
        self.assertEqual(Alert.search([]), alerts)
        self.assertEqual(units.scan_count, 5)
        # an item scanned in more than 5 places
        serial = self.env["city.trace.serial"].create({"name": "S9", "lot_id": self.rice_lot.id})
        for index in range(6):
            self._scan_at(self.rice_lot, serial, (30 + index, 110), hours_ago=0.5)
        self.Scan._cron_detect_suspicious()
        places = Alert.search([("kind", "=", "places")])
        self.assertEqual((places.serial_id, places.place_count), (serial, 6))

    # ------------------------------------------------------------------
    # Access rights
    # ------------------------------------------------------------------
    def test_access_rights(self):
        report = self.Report.create(
            {
                "description": "包装破损",
                "contact": "13900000000",
                "product_id": self.rice.id,
                "lot_id": self.rice_lot.id,
            }
        )
        scan = self.Scan.browse(self.Scan._log_scan(self.rice.id, self.rice_lot.id))
        self.assertEqual(report.with_user(self.officer).contact, "13900000000")
        report.with_user(self.officer).write({"user_id": self.officer.id, "conclusion": "已核实"})
        report.with_user(self.officer).action_close()
        self.assertEqual(report.state, "closed")
        self.assertCanRead(self.supervisor, report, ["description", "state"])
        self.assertCannotRead(self.supervisor, report, ["contact"])
        self.assertNotIn("contact", report.with_user(self.supervisor).read()[0])
        self.assertCannotWrite(self.supervisor, report, {"state": "new"})
        self.assertCanRead(self.supervisor, scan, ["scan_time"])
        self.assertCanRead(self.officer, scan, ["scan_time"])
        public = self.env.ref("base.public_user")
        for user in (self.portal_business, self.portal_resident, public, self.worker_a):
            self.assertCannotRead(user, scan, ["scan_time"])
            self.assertCannotRead(user, report, ["description"])
        with self.assertRaises(AccessError):
            scan.with_user(self.officer).write({"repeat": True})

    def test_backend_views(self):
        """The menus' actions open for officers and supervisors; the contact is not in the
        supervisor's form."""
        for xmlid, model, modes in (
            ("city_trace.city_trace_scan_action", "city.trace.scan", ["list", "pivot", "graph", "form", "search"]),
            ("city_trace.city_trace_scan_alert_action", "city.trace.scan.alert", ["list", "form", "pivot", "search"]),
            ("city_trace.city_trace_consumer_report_action", "city.trace.consumer.report", ["kanban", "list", "form"]),
        ):
            self.assertEqual(self.env.ref(xmlid).res_model, model)
            for user in (self.officer, self.supervisor):
                views = self.env[model].with_user(user).get_views([(False, mode) for mode in modes])
                self.assertEqual(set(views["views"]), set(modes))
        form = self.env["city.trace.consumer.report"].with_user(self.supervisor).get_views([(False, "form")])
        self.assertNotIn('name="contact"', form["views"]["form"]["arch"])
        form = self.env["city.trace.consumer.report"].with_user(self.officer).get_views([(False, "form")])
        self.assertIn('name="contact"', form["views"]["form"]["arch"])
