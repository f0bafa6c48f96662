import datetime
import json
import re
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from ..controllers.main import TracePublic
from .supply_chain import T0, SupplyChainCase

RICE_PATH = "/01/06901234567892/10/R1"
VIEW_ATTRIBUTES = re.compile(r'data-scan-id="(\d+)" data-token="([0-9a-f]+)"')


@tagged("post_install", "-at_install")
class TestScanPageCache(SupplyChainCase, CityHttpCase):
    """The scan page served from the worker's cache: every view logged, outdated by the changes it shows.

    Test mode renders the page without cache (its layout carries the session's assets); these
    tests turn the cache on. A change outdates the cached pages once its transaction commits: the
    tests run those after-commit hooks with :meth:`committed`.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.build_chain()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.Scan = cls.env["city.trace.scan"]
        cls.Inspection = cls.env["city.trace.inspection"]

    def setUp(self):
        super().setUp()
        patcher = patch.object(TracePublic, "_trace_page_cacheable", return_value=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.committed()
        self.Scan._page_cache().clear()
        self.addCleanup(self.Scan._page_cache().clear)

    def committed(self):
        """What follows the commit of the changes made so far: the page stamps are raised."""
        self.env.flush_all()
        self.env.cr.postcommit.run()

    def page(self, path=RICE_PATH, **headers):
        response = self.url_open(path, headers=headers, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        return response.text

    def renders(self):
        """Count the pages built from the database (not served from the cache)."""
        Scan = type(self.Scan)
        return patch.object(Scan, "_page_values", autospec=True, side_effect=Scan._page_values)

    def scan_count(self):
        self.env.cr.execute("SELECT count(*) FROM city_trace_scan")
        return self.env.cr.fetchone()[0]

    def stamp(self, lot):
        self.env.cr.execute("SELECT stamp FROM city_trace_page_stamp WHERE scope = %s", [lot.id if lot else 0])
        row = self.env.cr.fetchone()
        return row and row[0] or 0

    def test_cached_page_logs_every_view(self):
        before = self.scan_count()
        with self.renders() as renders:
            first = self.page(**{"User-Agent": "phone A"})
            second = self.page(**{"User-Agent": "phone B"})
            english = self.page(**{"Accept-Language": "en-US"})
            self.page(**{"Accept-Language": "en-US"})
        self.assertEqual(renders.call_count, 2, "built once per language, then served from the cache")
        self.assertEqual(self.scan_count(), before + 4, "every view is a scan")
        self.assertIn("Report a problem with this product", english)
        self.assertNotIn("Report a problem with this product", first)
        # each view has its own scan id and beacon token; the rest of the page is the same
        views = [VIEW_ATTRIBUTES.search(html).groups() for html in (first, second)]
        self.assertNotEqual(views[0][0], views[1][0])
        for scan_id, token in views:
            self.assertEqual(token, self.Scan._beacon_token(int(scan_id)))
        self.assertEqual(VIEW_ATTRIBUTES.sub("", first), VIEW_ATTRIBUTES.sub("", second))
        scan = self.Scan.browse(int(views[1][0]))
        self.assertEqual((scan.product_id, scan.lot_id, scan.code_level), (self.rice, self.rice_lot, "lot"))
        self.assertEqual(scan.user_agent, "phone B")
        # the place sent afterwards completes the scan of a cached view too
        result = self.url_open(
            "/trace/scan/beacon",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": {"scan_id": scan.id, "token": views[1][1]}}),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertTrue(result["result"]["ok"])

    def test_product_and_serial_pages(self):
        serial = self.env["city.trace.serial"].create({"name": "S0001", "lot_id": self.rice_lot.id})
        self.committed()
        with self.renders() as renders:
            for _index in range(2):
                self.page("/01/06901234567892")
                self.page(f"{RICE_PATH}/21/S0001")
        self.assertEqual(renders.call_count, 2)
        scans = self.Scan.search([], limit=4)
        self.assertEqual(scans.mapped("code_level"), ["serial", "product", "serial", "product"])
        self.assertEqual(scans.filtered(lambda s: s.code_level == "serial").serial_id, serial)
        # unknown codes are not kept
        for _index in range(2):
            self.assertEqual(self.url_open(f"{RICE_PATH}/21/S9999").status_code, 404)
        self.assertEqual(len(self.Scan._page_cache()), 2)

    def test_a_new_step_outdates_the_page(self):
        self.page()
        self.move(self.rice_lot, self.mill, self.shop_a, 5, 20, receipt=False)
        self.assertNotIn("2026-10-03 05:00", self.page(), "served from the cache until the change is committed")
        self.committed()
        with self.renders() as renders:
            html = self.page()
            self.page()
        self.assertEqual(renders.call_count, 1)
        self.assertIn("2026-10-03 05:00", html, "the new shipment, 21:00 UTC")
        # declared erroneous: the step leaves the page
        shipment = self.Event.search([("event_time", "=", T0 + datetime.timedelta(hours=20))])
        self.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="shipping",
            event_time=T0 + datetime.timedelta(hours=21),
            partner_id=self.mill.id,
            declares_error_of_id=shipment.id,
            error_reason="did_not_occur",
            lines=[],
        )
        self.committed()
        self.assertNotIn("2026-10-03 05:00", self.page())
        # a step made private leaves the page too
        receipt = self.Event.search([("event_time", "=", T0 + datetime.timedelta(hours=9))])
        self.assertIn("2026-10-02 18:00", self.page())
        receipt.sudo().write({"public": False})
        self.committed()
        self.assertNotIn("2026-10-02 18:00", self.page())

    def test_changes_of_the_inputs_outdate_the_lot_made_from_them(self):
        self.page()
        before = {lot: self.stamp(lot) for lot in (self.rice_lot, self.paddy_1, self.paddy_2)}
        inspection = self.Inspection.create(
            {
                "name": "JC-P2",
                "lot_id": self.paddy_2.id,
                "partner_id": self.farm.id,
                "agency": "舒兰市农产品检测站",
                "items": "农药残留",
                "result": "pass",
            }
        )
        inspection.action_confirm()
        self.committed()
        self.assertGreater(self.stamp(self.paddy_2), before[self.paddy_2])
        self.assertGreater(self.stamp(self.rice_lot), before[self.rice_lot], "rice R1 is made from paddy P2")
        self.assertEqual(self.stamp(self.paddy_1), before[self.paddy_1], "paddy P1 is not concerned")
        self.assertIn("舒兰市农产品检测站", self.page(), "the inspection of an input shows on the rice")
        inspection.write({"published": False})
        self.committed()
        self.assertNotIn("舒兰市农产品检测站", self.page())

    def test_recall_outdates_the_page(self):
        self.assertNotIn("o_trace_recall", self.page())
        recall = self.env["city.trace.recall"].create(
            {
                "title": "舒兰大米 R1 召回",
                "reason": "抽检发现镉含量超标",
                "hazard_level": "1",
                "lot_ids": [(6, 0, self.rice_lot.ids)],
                "partner_id": self.mill.id,
                "recall_notice": "请立即停止食用并退回购买门店。",
            }
        )
        recall.action_start()
        self.committed()
        html = self.page()
        self.assertIn("o_trace_recall", html)
        self.assertIn("请立即停止食用并退回购买门店。", html)
        recall.write({"recall_notice": "请退回购买门店，凭小票退款。"})
        self.committed()
        self.assertIn("请退回购买门店，凭小票退款。", self.page(), "the notice as it is now")

    def test_quality_warnings_show_and_outdate_the_page(self):
        self.assertNotIn("o_trace_warning", self.page())
        warning = self.env["city.trace.warning"].create(
            {
                "title": "舒兰大米镉含量风险提示",
                "category": self.rice_lot.category,
                "product_ids": [(6, 0, self.rice.ids)],
                "risk_level": "high",
                "description": "<p>抽检发现部分批次镉含量超标。</p>",
                "advice": "暂停食用，留存包装。",
            }
        )
        self.committed()
        self.assertNotIn("o_trace_warning", self.page(), "a draft warning is not public")
        warning.action_publish()
        self.committed()
        html = self.page()
        self.assertIn("舒兰大米镉含量风险提示", html)
        self.assertIn("暂停食用，留存包装。", html)
        warning.write({"withdraw_reason": "复检合格"})
        warning.action_withdraw()
        self.committed()
        self.assertNotIn("o_trace_warning", self.page(), "a withdrawn warning leaves the page")

    def test_names_outdate_every_page(self):
        self.page()
        self.page("/01/06901234567892")
        self.mill.write({"name": "吉林市丰谷米业股份有限公司"})
        self.committed()
        self.assertIn("吉林市丰谷米业股份有限公司", self.page())
        self.assertIn("吉林市丰谷米业股份有限公司", self.page("/01/06901234567892"))
        self.rice.write({"name": "舒兰大米 10kg"})
        self.committed()
        self.assertIn("舒兰大米 10kg", self.page())
        self.rice_lot.write({"quantity": 250})
        self.committed()
        self.assertRegex(self.page(), r"<dd>250 ")

    def test_an_outdated_page_is_logged_once(self):
        self.page()
        before = self.scan_count()
        self.rice_lot.write({"quantity": 260})
        self.committed()
        with self.renders() as renders:
            self.page()
        self.assertEqual(renders.call_count, 1)
        self.assertEqual(self.scan_count(), before + 1)

    def test_pages_are_kept_per_day(self):
        lot = self.env["city.trace.lot"].create(
            {
                "name": "SOON2",
                "product_id": self.rice.id,
                "partner_id": self.mill.id,
                "production_date": datetime.date(2025, 10, 2),
                "quantity": 10,
            }
        )
        self.assertEqual(lot.expiry_date, datetime.date(2026, 10, 2))
        with freeze_time("2026-09-30 12:00:00"):
            today = self.Scan._page_cache_key(self.rice.gtin, "SOON2", None, "zh_CN")
        with freeze_time("2026-10-03 12:00:00"):
            later = self.Scan._page_cache_key(self.rice.gtin, "SOON2", None, "zh_CN")
        self.assertNotEqual(today, later, "expiry warnings and days left change with the day")
        with freeze_time("2026-09-30 17:00:00"):  # 01:00 on October 1 in Beijing
            self.assertEqual(self.Scan._page_cache_key(self.rice.gtin, "SOON2", None, "zh_CN")[-1].day, 1)
