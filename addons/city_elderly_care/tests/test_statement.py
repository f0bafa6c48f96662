import datetime
import re

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase

# Check-outs (naive UTC) around March 2025 in city time (UTC+8).
FEB_LAST_LOCAL = datetime.datetime(2025, 2, 28, 15, 0)  # 23:00 on 28 February: February
MAR_FIRST_LOCAL = datetime.datetime(2025, 2, 28, 16, 30)  # 00:30 on 1 March: March
MAR_MIDDLE = datetime.datetime(2025, 3, 12, 2, 0)
APR_FIRST_LOCAL = datetime.datetime(2025, 3, 31, 17, 0)  # 01:00 on 1 April: April
MARCH = datetime.date(2025, 3, 1)


class StatementCase(CareCase):
    """Two contracted providers with a carer and a portal staff user each, an elder with a voucher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.eld_worker = new_test_user(
            env, login="t_eld_stm_worker", groups="city_elderly_care.group_city_elderly_care_worker", name="养老专干"
        )
        cls.eld_worker.city_division_ids = cls.street
        cls.eld_manager = new_test_user(
            env, login="t_eld_stm_manager", groups="city_elderly_care.group_city_elderly_care_manager", name="养老科长"
        )
        cls.building_a.write({"latitude": 43.8378, "longitude": 126.5496})
        cls.bathing = env["city.elderly.service"].create(
            {"name": "上门助浴", "code": "t_stm_bath", "category": "bathing", "unit": "visit", "duration_minutes": 60}
        )
        cls.provider_a = cls.make_provider("吉林市对账测试居家养老服务中心", "91220204MA0TKA001", 3000)
        cls.provider_b = cls.make_provider("吉林市对账测试康养服务有限公司", "91220204MA0TKB001", 3500)
        provider_groups = "base.group_portal,city_elderly_care.group_city_elderly_care_provider"
        cls.carer_a, cls.staff_a = cls.make_staff(cls.provider_a, "刘会计", "t_eld_stm_staff_a", provider_groups)
        cls.carer_b, cls.staff_b = cls.make_staff(cls.provider_b, "陈会计", "t_eld_stm_staff_b", provider_groups)

        category = env["city.care.category"].create(
            {"name": "对账测试补贴对象", "code": "t_stm_sub", "group": "elderly"}
        )
        cls.recipient_a.manual_category_ids = category
        policy = env["city.elderly.subsidy.policy"].create(
            {
                "name": "对账测试补贴",
                "category_ids": [category.id],
                "monthly_fen": 5000,
                "valid_months": 3,
                "date_start": "2025-01-01",
            }
        )
        with freeze_time("2025-02-01 02:00:00"):
            env["city.elderly.voucher"]._issue_month(datetime.date(2025, 2, 1), policy)

    @classmethod
    def make_provider(cls, name, uscc_body, price_fen):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True, "uscc": make_uscc(uscc_body)})
        provider = cls.env["city.elderly.provider"].create(
            {
                "partner_id": partner.id,
                "kind": "station",
                "division_ids": [cls.street.id],
                "contract_no": f"HT-{uscc_body[-4:]}",
                "contract_start": "2024-01-01",
            }
        )
        cls.env["city.elderly.price"].create(
            {"provider_id": provider.id, "service_id": cls.bathing.id, "price_fen": price_fen}
        )
        return provider

    @classmethod
    def make_staff(cls, provider, name, login, groups):
        person = cls.env["res.partner"].create({"name": name, "parent_id": provider.partner_id.id})
        carer = cls.env["city.elderly.carer"].create({"partner_id": person.id, "provider_id": provider.id})
        user = new_test_user(cls.env, login=login, groups=groups, name=name, partner_id=person.id)
        carer.user_id = user
        return carer, user

    @classmethod
    def done_order(cls, provider, checkout_at, recipient=None):
        """A service of ``provider`` checked out at ``checkout_at`` (naive UTC), through the order's steps."""
        checkin_at = checkout_at - datetime.timedelta(hours=1)
        with freeze_time(checkin_at - datetime.timedelta(days=1)):
            order = (
                cls.env["city.elderly.order"]
                .with_user(cls.eld_worker)
                .create(
                    {
                        "recipient_id": (recipient or cls.recipient_a).id,
                        "service_id": cls.bathing.id,
                        "provider_id": provider.id,
                        "scheduled_start": checkin_at,
                    }
                )
            )
            order.action_book()
            order.action_dispatch()
            order.action_assign(provider.carer_ids[:1])
        with freeze_time(checkin_at):
            order.action_checkin(43.8378, 126.5496)
        with freeze_time(checkout_at):
            order.action_checkout("已完成服务。")
        return order


@tagged("post_install", "-at_install")
class TestStatement(StatementCase, TransactionCase):
    """Monthly provider statements: generation, totals, idempotent cron, one statement per order, answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.feb = cls.done_order(cls.provider_a, FEB_LAST_LOCAL)
        cls.mar_first = cls.done_order(cls.provider_a, MAR_FIRST_LOCAL)
        cls.mar_middle = cls.done_order(cls.provider_a, MAR_MIDDLE, recipient=cls.recipient_b)
        cls.apr = cls.done_order(cls.provider_a, APR_FIRST_LOCAL)
        cls.mar_b = cls.done_order(cls.provider_b, MAR_MIDDLE)

    def generate(self):
        with freeze_time("2025-04-02 01:00:00"):
            self.env["city.elderly.statement"]._cron_generate_previous_month()
        return self.statement_of(self.provider_a), self.statement_of(self.provider_b)

    def statement_of(self, provider, month=MARCH):
        return self.env["city.elderly.statement"].search([("provider_id", "=", provider.id), ("month", "=", month)])

    def test_generation_takes_the_done_orders_of_the_month(self):
        # An open order of the month is not on the statement.
        with freeze_time(MAR_MIDDLE - datetime.timedelta(days=2)):
            open_order = (
                self.env["city.elderly.order"]
                .with_user(self.eld_worker)
                .create(
                    {
                        "recipient_id": self.recipient_a.id,
                        "service_id": self.bathing.id,
                        "provider_id": self.provider_a.id,
                        "scheduled_start": MAR_MIDDLE,
                    }
                )
            )
            open_order.action_book()
        statement_a, statement_b = self.generate()
        self.assertEqual(statement_a.state, "draft")
        self.assertEqual(statement_a.month, MARCH)
        self.assertEqual(statement_a.line_ids.order_id, self.mar_first | self.mar_middle)
        self.assertEqual(statement_b.line_ids.order_id, self.mar_b)
        line = statement_a.line_ids.filtered(lambda line: line.order_id == self.mar_first)
        self.assertEqual(line.date, MARCH)  # city time: 00:30 on 1 March
        self.assertEqual((line.recipient_id, line.service_id), (self.recipient_a, self.bathing))
        # Elder A paid by voucher (50 yuan a month), elder B without voucher pays everything.
        self.assertEqual((line.amount_fen, line.voucher_fen, line.self_pay_fen), (3000, 2000, 1000))
        self.assertEqual(statement_a.order_count, 2)
        self.assertEqual(statement_a.amount_fen, 6000)
        self.assertEqual(statement_a.voucher_fen, 2000)
        self.assertEqual(statement_a.self_pay_fen, 4000)
        self.assertEqual(statement_a.amount_fen, statement_a.voucher_fen + statement_a.self_pay_fen)
        self.assertEqual(statement_a.amount_fen, sum(statement_a.line_ids.mapped("amount_fen")))
        self.assertAlmostEqual(statement_a.amount, 60.0)

    def test_cron_is_idempotent_and_an_order_is_on_one_statement(self):
        statement_a, statement_b = self.generate()
        lines = statement_a.line_ids
        self.assertEqual(len(statement_a), 1)
        statement_a, statement_b = self.generate()
        self.assertEqual(len(statement_a), 1)
        self.assertEqual(statement_a.line_ids, lines)
        # A statement of another month cannot take the order, neither by generation nor by hand.
        february = self.env["city.elderly.statement"]._generate_month(datetime.date(2025, 2, 1), self.provider_a)
        self.assertEqual(february.line_ids.order_id, self.feb)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self.env["city.elderly.statement.line"].create(
                {
                    "statement_id": february.id,
                    "order_id": self.mar_first.id,
                    "amount_fen": 0,
                    "voucher_fen": 0,
                    "self_pay_fen": 0,
                }
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            self.env["city.elderly.statement"].create({"provider_id": self.provider_a.id, "month": "2025-03-20"})

    def test_send_confirm_dispute_correct(self):
        statement_a, statement_b = self.generate()
        # Only the provider's staff answer, and only once it was sent.
        with self.assertRaises(UserError):
            statement_a.with_user(self.staff_a).action_confirm()
        with self.assertRaises(AccessError):
            statement_a.with_user(self.eld_worker).action_send()
        with self.assertRaises(UserError):
            statement_a.with_user(self.eld_manager).write({"state": "confirmed"})
        (statement_a | statement_b).with_user(self.eld_manager).action_send()
        self.assertEqual(statement_a.state, "sent")
        self.assertEqual(statement_a.sent_user_id, self.eld_manager)
        with self.assertRaises(AccessError):
            statement_a.with_user(self.staff_b).action_confirm()
        with self.assertRaises(AccessError):
            statement_a.with_user(self.eld_manager).action_confirm()
        # Each provider sees only its own statements.
        Statement = self.env["city.elderly.statement"].with_user(self.staff_b)
        self.assertEqual(Statement.search([("month", "=", MARCH)]), statement_b)
        with self.assertRaises(UserError):
            statement_b.with_user(self.staff_b).action_dispute("  ")
        statement_b.with_user(self.staff_b).action_dispute("3月12日的助浴服务单价应为30元。")
        self.assertEqual(statement_b.state, "disputed")
        self.assertEqual(statement_b.disputed_user_id, self.staff_b)
        statement_b.with_user(self.eld_manager).action_reset_draft()
        self.assertEqual(statement_b.state, "draft")
        self.assertEqual(statement_b.line_ids.order_id, self.mar_b)
        statement_b.with_user(self.eld_manager).action_send()
        statement_b.with_user(self.staff_b).action_confirm()
        with freeze_time("2025-04-03 02:00:00"):
            statement_a.with_user(self.staff_a).action_confirm()
        self.assertEqual(statement_a.state, "confirmed")
        self.assertEqual(statement_a.confirmed_user_id, self.staff_a)
        self.assertEqual(statement_a.confirmed_at, datetime.datetime(2025, 4, 3, 2, 0))
        with self.assertRaises(UserError):
            statement_a.with_user(self.staff_a).action_dispute("晚了")
        with self.assertRaises(UserError):
            statement_a.with_user(self.eld_manager).unlink()

    def test_pdf_renders(self):
        statement_a, _statement_b = self.generate()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("city_elderly_care.city_elderly_statement_action_report", statement_a.ids)[0]
            .decode()
        )
        self.assertIn("吉林市对账测试居家养老服务中心", html)
        self.assertIn("2025-03", html)
        self.assertIn(self.mar_first.name, html)
        self.assertIn("60.00", html)  # total in yuan
        self.assertIn("20.00", html)  # voucher part


@tagged("post_install", "-at_install")
class TestStatementPortal(StatementCase, HttpCase):
    """The provider's staff confirm or dispute their statement in the business portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.done_order(cls.provider_a, MAR_MIDDLE)
        cls.order_b = cls.done_order(cls.provider_b, MAR_MIDDLE, recipient=cls.recipient_b)
        Statement = cls.env["city.elderly.statement"]
        cls.statement_a = Statement._generate_month(MARCH, cls.provider_a)
        cls.statement_b = Statement._generate_month(MARCH, cls.provider_b)

    def fresh(self, record):
        record.invalidate_recordset()
        return record

    def csrf(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        return match and match.group(1)

    def test_portal_confirm_only_when_sent_and_own(self):
        self.authenticate(self.staff_a.login, self.staff_a.login)
        url = f"/my/elderly/statements/{self.statement_a.id}"
        listing = self.url_open("/my/elderly/statements")
        self.assertIn(url, listing.text)
        self.assertNotIn(f"/my/elderly/statements/{self.statement_b.id}", listing.text)
        # Draft: shown, but without the answer forms.
        page = self.url_open(url)
        self.assertIn(self.order.name, page.text)
        self.assertNotIn("o_elderly_statement_confirm", page.text)
        (self.statement_a | self.statement_b).with_user(self.eld_manager).action_send()
        self.assertIn("o_elderly_statement_confirm", self.url_open(url).text)
        # Another provider's statement: redirected, nothing changes.
        other = f"/my/elderly/statements/{self.statement_b.id}"
        response = self.url_open(other)
        self.assertTrue(response.url.endswith("/my"))
        token = self.csrf(url)
        response = self.url_open(f"{other}/confirm", data={"csrf_token": token})
        self.assertTrue(response.url.endswith("/my"))
        self.assertEqual(self.fresh(self.statement_b).state, "sent")
        # Without the CSRF token the form is refused.
        with mute_logger("odoo.http"):
            self.url_open(f"{url}/confirm", data={})
        self.assertEqual(self.fresh(self.statement_a).state, "sent")
        response = self.url_open(f"{url}/confirm", data={"csrf_token": token})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.fresh(self.statement_a).state, "confirmed")
        self.assertEqual(self.statement_a.confirmed_user_id, self.staff_a)
        self.assertTrue(self.statement_a.confirmed_at)
        # PDF download of the own statement.
        response = self.url_open(f"{url}?report_type=html")
        self.assertEqual(response.status_code, 200)
        self.assertIn("吉林市对账测试居家养老服务中心", response.content.decode())

    def test_portal_dispute_with_reason(self):
        self.statement_b.with_user(self.eld_manager).action_send()
        self.authenticate(self.staff_b.login, self.staff_b.login)
        url = f"/my/elderly/statements/{self.statement_b.id}"
        token = self.csrf(url)
        response = self.url_open(f"{url}/dispute", data={"csrf_token": token, "reason": ""})
        self.assertIn("o_elderly_statement_error", response.text)
        self.assertEqual(self.fresh(self.statement_b).state, "sent")
        self.url_open(f"{url}/dispute", data={"csrf_token": token, "reason": "少算了一次助浴服务。"})
        self.assertEqual(self.fresh(self.statement_b).state, "disputed")
        self.assertEqual(self.statement_b.dispute_reason, "少算了一次助浴服务。")
        self.assertEqual(self.statement_b.disputed_user_id, self.staff_b)
