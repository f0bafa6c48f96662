import datetime

from lxml import html

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import CityHttpCase, make_uscc

from .supply_chain import SupplyChainCase


class RecallCase(SupplyChainCase):
    """The crafted chain of :class:`SupplyChainCase` (farm -> mill merging P1 and P2 into R1 ->
    distributor -> supermarkets A and B), plus supermarket C that only received another rice lot
    (R2) from the mill: a recall of P2 or R1 must not reach C."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # messages are checked in English (the test database only has zh_CN active)
        cls.env["res.lang"]._activate_lang("en_US")
        Partner = cls.env["res.partner"]
        cls.shop_c = Partner.create(
            {"name": "船营超市", "is_company": True, "uscc": make_uscc("91220204MA0TR0006"), "trace_retailer": True}
        )
        cls.rice_lot_2 = cls.env["city.trace.lot"].create(
            {
                "name": "R2",
                "product_id": cls.rice.id,
                "partner_id": cls.mill.id,
                "production_date": datetime.date(2026, 10, 1),
                "quantity": 50,
            }
        )
        cls.build_chain()
        cls.move(cls.rice_lot_2, cls.mill, cls.shop_c, 50, 14)
        cls.user_a = cls.enterprise_user("t_recall_shop_a", cls.shop_a, "北山超市店长")
        cls.user_b = cls.enterprise_user("t_recall_shop_b", cls.shop_b, "江南超市店长")
        cls.user_c = cls.enterprise_user("t_recall_shop_c", cls.shop_c, "船营超市店长")
        cls.trace_manager = new_test_user(
            cls.env, login="t_trace_manager", groups="city_trace.group_city_trace_manager"
        )

    @classmethod
    def new_recall(cls, lots, title="稻谷 P2 镉超标召回", partner=None, level="1"):
        return (
            cls.env["city.trace.recall"]
            .with_user(cls.officer)
            .create(
                {
                    "title": title,
                    "reason": "抽检发现镉含量超标",
                    "hazard_level": level,
                    "lot_ids": [(6, 0, lots.ids)],
                    "partner_id": (partner or lots[:1].partner_id).id,
                    "recall_notice": "请立即停止销售并下架相关批次产品。",
                }
            )
        )

    @staticmethod
    def line_of(recall, partner):
        return recall.line_ids.filtered(lambda line: line.partner_id == partner)


@tagged("post_install", "-at_install")
class TestRecall(RecallCase, TransactionCase):
    def test_start_reaches_every_downstream_enterprise_with_quantities(self):
        recall = self.new_recall(self.paddy_2)
        self.assertTrue(recall.name.startswith("ZH"))
        recall.action_start()
        self.assertEqual(recall.state, "open")
        self.assertEqual(recall.line_ids.partner_id, self.farm | self.mill | self.dist | self.shop_a | self.shop_b)
        self.assertNotIn(self.shop_c, recall.line_ids.partner_id, "supermarket C never held P2 or rice made of it")
        expected = {
            # the farm produced P2; the mill received 800 kg of it and made 300 bags of R1
            self.farm: (self.paddy_2, 800.0),
            self.mill: (self.paddy_2 | self.rice_lot, 1100.0),
            self.dist: (self.rice_lot, 300.0),
            self.shop_a: (self.rice_lot, 100.0),
            # two deliveries, each recorded by the shipment and the receipt: counted once each
            self.shop_b: (self.rice_lot, 200.0),
        }
        for partner, (lots, quantity) in expected.items():
            line = self.line_of(recall, partner)
            self.assertEqual(line.lot_ids, lots, partner.name)
            self.assertAlmostEqual(line.quantity_received, quantity, msg=partner.name)
            self.assertEqual(line.state, "notified")
        self.assertIn("R1: 300", self.line_of(recall, self.mill).quantity_detail)
        self.assertEqual(recall.line_count, 5)
        self.assertEqual(recall.confirmed_count, 0)
        self.assertAlmostEqual(recall.quantity_received, 2500.0)
        # P2 and the rice made of it are recalled; the other paddy lot and R2 are not
        self.assertEqual(recall.affected_lot_ids, self.paddy_2 | self.rice_lot)
        self.assertTrue(self.paddy_2.recalled)
        self.assertTrue(self.rice_lot.recalled)
        self.assertFalse(self.paddy_1.recalled)
        self.assertFalse(self.rice_lot_2.recalled)
        self.assertTrue(recall.deadline > recall.date_start.date())
        # the officer follows up with an activity
        self.assertEqual(recall.activity_ids.user_id, self.officer)

    def test_start_notifies_each_enterprise_and_its_portal_users(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        comment = self.env.ref("mail.mt_comment")
        for line in recall.line_ids:
            notices = line.message_ids.filtered(lambda message, line=line: message.subtype_id == comment)
            self.assertEqual(len(notices), 1, line.partner_id.name)
            self.assertIn(line.partner_id, notices.partner_ids)
            self.assertIn(recall.name, notices.subject)
            self.assertIn(line.partner_id, line.message_partner_ids)
        notice_a = self.line_of(recall, self.shop_a).message_ids.filtered(lambda m: m.subtype_id == comment)
        self.assertIn(self.user_a.partner_id, notice_a.partner_ids)
        self.assertNotIn(self.user_b.partner_id, notice_a.partner_ids)
        self.assertIn(self.user_b.partner_id, self.line_of(recall, self.shop_b).message_partner_ids)

    def test_portal_user_sees_only_the_lines_of_its_enterprise(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        line_a, line_b = self.line_of(recall, self.shop_a), self.line_of(recall, self.shop_b)
        Line = self.env["city.trace.recall.line"].with_user(self.user_a)
        self.assertEqual(Line.search([]), line_a)
        self.assertCanRead(self.user_a, line_a, ["quantity_received", "state"])
        self.assertCannotRead(self.user_a, line_b, ["quantity_received"])
        self.assertCanRead(self.user_a, recall, ["title", "reason"])
        self.assertCannotRead(self.user_c, recall, ["title"])
        self.assertFalse(self.env["city.trace.recall.line"].with_user(self.user_c).search([]))
        self.assertCannotWrite(self.user_a, line_a, {"quantity_returned": 10})
        with self.assertRaises(AccessError):
            recall.with_user(self.user_a).action_close()

    def test_confirmation_cannot_exceed_the_received_quantity(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        line_a = self.line_of(recall, self.shop_a).with_user(self.user_a).sudo()
        with self.assertRaises(ValidationError):
            line_a._portal_confirm(150.0)
        with self.assertRaises(ValidationError):
            line_a._portal_confirm(-1.0)
        self.assertEqual(line_a.state, "notified")
        line_a._portal_confirm(60.0, "已下架")
        self.assertEqual(line_a.state, "confirmed")
        self.assertEqual(line_a.confirmed_by_id, self.user_a)
        self.assertTrue(line_a.confirmed_date)
        self.assertEqual(recall.confirmed_count, 1)
        self.assertAlmostEqual(recall.quantity_returned, 60.0)
        self.assertIn("60", recall.message_ids[0].body)
        # updates are allowed while the recall is open
        line_a._portal_confirm(100.0)
        self.assertAlmostEqual(line_a.quantity_returned, 100.0)
        recall.close_reason = "其余企业已电话确认"
        recall.action_close()
        with self.assertRaises(UserError):
            line_a._portal_confirm(90.0)
        with self.assertRaises(UserError):
            self.line_of(recall, self.shop_a).quantity_returned = 80.0

    def test_close_needs_every_confirmation_or_a_reason(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        for line in recall.line_ids - self.line_of(recall, self.shop_b):
            line._portal_confirm(line.quantity_received)
        with self.assertRaises(UserError) as caught:
            recall.action_close()
        self.assertIn(self.shop_b.name, str(caught.exception))
        self.assertEqual(recall.state, "open")
        self.line_of(recall, self.shop_b)._portal_confirm(150.0)
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        self.assertEqual(set(recall.line_ids.mapped("state")), {"closed"})
        self.assertFalse(recall.activity_ids)
        self.assertTrue(self.rice_lot.recalled, "closing keeps the lots recalled")
        # everyone returned all, except B: 150 of 200
        self.assertAlmostEqual(recall.return_rate, round(100 * 850 / 900, 2))

    def test_close_with_override_reason_is_logged(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        recall.close_reason = "江南超市已停业，无法联系"
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        self.assertIn("江南超市已停业", recall.message_ids[0].body)
        self.assertIn("had not confirmed", recall.message_ids[0].body)

    def test_cancel_resets_recalled_unless_another_recall_holds_the_lot(self):
        paddy_recall = self.new_recall(self.paddy_2)
        paddy_recall.action_start()
        rice_recall = self.new_recall(self.rice_lot, title="大米 R1 召回", partner=self.mill)
        rice_recall.action_start()
        with self.assertRaises(UserError):
            paddy_recall.action_cancel()
        paddy_recall.cancel_reason = "复检合格"
        paddy_recall.action_cancel()
        self.assertEqual(paddy_recall.state, "cancelled")
        self.assertFalse(self.paddy_2.recalled)
        self.assertTrue(self.rice_lot.recalled, "R1 is still in the rice recall")
        rice_recall.cancel_reason = "复检合格"
        rice_recall.action_cancel()
        self.assertFalse(self.rice_lot.recalled)
        cancelled = self.env.ref("mail.mt_comment")
        self.assertTrue(
            self.line_of(rice_recall, self.shop_a).message_ids.filtered(
                lambda m: m.subtype_id == cancelled and "cancelled" in m.body
            )
        )

    def test_recompute_adds_enterprises_reached_later(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        self.line_of(recall, self.shop_a)._portal_confirm(100.0)
        lines_before = recall.line_ids
        # the distributor delivers more R1: to supermarket C, and again to A
        self.move(self.rice_lot, self.dist, self.shop_c, 30, 20)
        self.move(self.rice_lot, self.dist, self.shop_a, 20, 22)
        recall.action_recompute()
        self.assertEqual(recall.line_ids - lines_before, self.line_of(recall, self.shop_c))
        self.assertTrue(lines_before <= recall.line_ids)
        line_c = self.line_of(recall, self.shop_c)
        self.assertAlmostEqual(line_c.quantity_received, 30.0)
        self.assertEqual(line_c.state, "notified")
        line_a = self.line_of(recall, self.shop_a)
        self.assertAlmostEqual(line_a.quantity_received, 120.0)
        self.assertEqual(line_a.state, "notified", "more rice at A: A confirms again")
        self.assertFalse(self.rice_lot_2.recalled)
        recall.action_recompute()
        self.assertEqual(len(recall.line_ids), 5, "recomputing twice adds nothing")

    def test_started_recall_is_kept(self):
        recall = self.new_recall(self.rice_lot)
        recall.action_start()
        with self.assertRaises(UserError):
            recall.action_start()
        with self.assertRaises(UserError):
            recall.lot_ids = self.rice_lot_2
        with self.assertRaises(UserError):
            recall.with_user(self.trace_manager).unlink()
        draft = self.new_recall(self.rice_lot_2)
        draft.with_user(self.trace_manager).unlink()
        self.assertFalse(draft.exists())

    def test_credit_wizard_writes_the_registry(self):
        recall = self.new_recall(self.rice_lot, partner=self.mill)
        Wizard = self.env["city.trace.credit"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.officer).create({"recall_id": recall.id, "kind": "blacklist"})
        draft_wizard = Wizard.with_user(self.trace_manager).create({"recall_id": recall.id, "kind": "blacklist"})
        with self.assertRaises(UserError):
            draft_wizard.action_confirm()
        recall.action_start()
        wizard = Wizard.with_user(self.trace_manager).create({"recall_id": recall.id, "kind": "blacklist"})
        self.assertEqual(wizard.partner_id, self.mill)
        self.assertIn(recall.name, wizard.reason)
        action = wizard.action_confirm()
        record = self.env["city.credit.record"].browse(action["res_id"])
        self.assertEqual(record.partner_id, self.mill)
        self.assertEqual(record.kind, "blacklist")
        self.assertEqual(record.source, "Important Product Traceability Platform")
        self.assertIn("R1", record.reason)
        self.assertEqual(recall.credit_record_ids, record)
        self.assertIn(record.name, recall.message_ids[0].body)
        self.assertTrue(self.env["city.credit.record"].is_blacklisted(self.mill))

    def test_warning_publish_withdraw_and_public_scope(self):
        Warning = self.env["city.trace.warning"].with_user(self.officer)
        product_warning = Warning.create(
            {
                "title": "关于舒兰大米的风险提示",
                "category": "food",
                "product_ids": [(6, 0, self.rice.ids)],
                "risk_level": "high",
                "description": "<p>抽检发现镉超标</p>",
                "advice": "请勿食用",
            }
        )
        category_warning = Warning.create(
            {"title": "秋季粮食消费提示", "category": "food", "description": "<p>注意储存</p>"}
        )
        drug_warning = Warning.create({"title": "药品提示", "category": "drug", "description": "<p>x</p>"})
        paddy_warning = Warning.create(
            {
                "title": "稻谷 P1 提示",
                "category": "agricultural",
                "lot_ids": [(6, 0, self.paddy_1.ids)],
                "description": "<p>x</p>",
            }
        )
        self.assertFalse(Warning._public_warnings_for(self.rice_lot), "drafts are not public")
        (product_warning | category_warning | drug_warning | paddy_warning).action_publish()
        self.assertEqual(product_warning.state, "published")
        self.assertTrue(product_warning.published_date)
        self.assertEqual(Warning._public_warnings_for(self.rice_lot), product_warning | category_warning)
        self.assertEqual(Warning._public_warnings_for(self.paddy_1), paddy_warning)
        self.assertFalse(Warning._public_warnings_for(self.paddy_2))
        with self.assertRaises(UserError):
            product_warning.action_publish()
        with self.assertRaises(UserError):
            product_warning.action_withdraw()
        with self.assertRaises(UserError):
            product_warning.unlink()
        product_warning.withdraw_reason = "复检合格"
        product_warning.action_withdraw()
        self.assertEqual(product_warning.state, "withdrawn")
        self.assertEqual(Warning._public_warnings_for(self.rice_lot), category_warning)
        with self.assertRaises(UserError):
            product_warning.title = "改标题"
        # published warnings are readable by the public, the others are not
        public = self.env.ref("base.public_user")
        self.assertEqual(
            self.env["city.trace.warning"].with_user(public).search([]),
            category_warning | drug_warning | paddy_warning,
        )
        self.assertCannotRead(public, product_warning, ["title"])

    def test_statistics_by_category_and_district(self):
        location = self.env["city.trace.location"].create(
            {"name": "丰谷米业加工厂", "partner_id": self.mill.id, "division_id": self.grid_a.id}
        )
        self.rice_lot.location_id = location
        inspection = self.env["city.trace.inspection"].create(
            {
                "name": "JL-TEST-R1",
                "lot_id": self.rice_lot.id,
                "partner_id": self.mill.id,
                "agency": "吉林市食品检验所",
                "items": "镉",
                "result": "fail",
            }
        )
        Stats = self.env["city.trace.statistics"].with_user(self.officer)
        row = Stats.search([("lot_id", "=", self.rice_lot.id)])
        self.assertEqual(row.failed_inspection_count, 0, "draft inspections do not count")
        inspection.action_confirm()
        self.new_recall(self.rice_lot).action_start()
        self.env.flush_all()
        self.env.invalidate_all()
        row = Stats.search([("lot_id", "=", self.rice_lot.id)])
        # milling, then mill -> distributor -> A, B twice: four moves of two events each
        self.assertEqual(row.event_count, 9)
        self.assertEqual(
            row.event_count, self.env["city.trace.event"].search_count([("line_ids.lot_id", "=", self.rice_lot.id)])
        )
        self.assertEqual(row.inspection_count, 1)
        self.assertEqual(row.failed_inspection_count, 1)
        self.assertEqual(row.recall_count, 1)
        self.assertTrue(row.recalled)
        self.assertEqual(row.division_id, self.grid_a)
        self.assertEqual(row.district_id, self.district)
        self.assertEqual(row.category, "food")
        groups = Stats.read_group(
            [("lot_id", "in", (self.rice_lot | self.rice_lot_2 | self.paddy_1).ids)],
            ["lot_count:sum", "recalled_lot_count:sum"],
            ["category"],
        )
        by_category = {group["category"]: group for group in groups}
        self.assertEqual(by_category["food"]["lot_count"], 2)
        self.assertEqual(by_category["food"]["recalled_lot_count"], 1)
        self.assertEqual(by_category["agricultural"]["lot_count"], 1)
        self.assertCannotRead(self.user_a, row, ["lot_count"])


@tagged("post_install", "-at_install")
class TestRecallPortal(RecallCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls.new_recall(cls.rice_lot, title="TOUR-召回 大米 R1", partner=cls.mill)
        cls.recall.action_start()
        cls.line_a = cls.line_of(cls.recall, cls.shop_a)
        cls.line_b = cls.line_of(cls.recall, cls.shop_b)

    def test_tour_confirm_recall(self):
        self.start_tour("/my/recalls", "city_trace_recall_confirm", login="t_recall_shop_a")
        self.assertEqual(self.line_a.state, "confirmed")
        self.assertAlmostEqual(self.line_a.quantity_returned, 60.0)
        self.assertEqual(self.line_a.note, "已下架60袋，其余已售出")
        self.assertEqual(self.line_a.confirmed_by_id, self.user_a)
        self.assertEqual(self.line_b.state, "notified")

    def test_other_enterprise_cannot_open_or_confirm(self):
        self.authenticate("t_recall_shop_b", "t_recall_shop_b")
        response = self.url_open(f"/my/recalls/{self.line_a.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        response = self.url_open(
            f"/my/recalls/{self.line_a.id}/confirm",
            data={"quantity_returned": "1", "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertEqual(self.line_a.state, "notified")
        # the list shows B's own notice only
        page = self.url_open("/my/recalls").text
        self.assertIn(f"/my/recalls/{self.line_b.id}", page)
        self.assertNotIn(f"/my/recalls/{self.line_a.id}", page)

    def test_recall_page_links_its_neighbours_in_the_list(self):
        second = self.new_recall(self.rice_lot, title="召回 大米 R2", partner=self.mill)
        second.action_start()
        line_b2 = self.line_of(second, self.shop_b)
        self.authenticate("t_recall_shop_b", "t_recall_shop_b")
        page = self.url_open("/my/recalls").text
        self.assertIn(f"/my/recalls/{line_b2.id}", page)
        self.assertIn(f"/my/recalls/{self.line_b.id}", page)
        detail = html.fromstring(self.url_open(f"/my/recalls/{self.line_b.id}").content)
        links = detail.xpath("//a[.//i[hasclass('oi-chevron-left') or hasclass('oi-chevron-right')]]/@href")
        self.assertIn(f"/my/recalls/{line_b2.id}", [link.split("?")[0] for link in links])

    def test_confirm_refuses_more_than_received(self):
        self.authenticate("t_recall_shop_a", "t_recall_shop_a")
        response = self.url_open(
            f"/my/recalls/{self.line_a.id}/confirm",
            data={"quantity_returned": "150", "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_trace_recall_error", response.text)
        self.assertEqual(self.line_a.state, "notified")
        response = self.url_open(
            f"/my/recalls/{self.line_a.id}/confirm",
            data={"quantity_returned": "abc", "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertIn("o_trace_recall_error", response.text)
        self.assertEqual(self.line_a.state, "notified")

    def test_notice_link_with_token(self):
        token = self.line_a._portal_ensure_token()
        response = self.url_open(f"/my/recalls/{self.line_a.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.recall.name, response.text)
        self.assertNotIn("o_trace_recall_form", response.text, "confirming needs the enterprise's login")
        response = self.url_open(f"/my/recalls/{self.line_a.id}?access_token=wrong")
        self.assertNotIn(self.recall.name, response.text)
        self.assertNotIn(f"/my/recalls/{self.line_a.id}", response.url)

    def test_home_counter(self):
        self.authenticate("t_recall_shop_a", "t_recall_shop_a")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["trace_recall_count"]})
        self.assertEqual(counters["trace_recall_count"], 1)
        self.authenticate("t_recall_shop_c", "t_recall_shop_c")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["trace_recall_count"]})
        self.assertEqual(counters["trace_recall_count"], 0)

    def test_tour_start_recall_from_lot(self):
        url = f"/odoo/city.trace.lot/{self.rice_lot_2.id}"
        self.start_tour(url, "city_trace_recall_backend", login="t_trace_officer")
        recall = self.env["city.trace.recall"].search([("lot_ids", "=", self.rice_lot_2.id)])
        self.assertEqual(recall.state, "open")
        self.assertEqual(recall.hazard_level, "1")
        self.assertEqual(recall.line_ids.partner_id, self.mill | self.shop_c)
        self.assertTrue(self.rice_lot_2.recalled)
