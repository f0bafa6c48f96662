import json
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.city_base.tests.common import CityHttpCase

from .common import CardCase


@tagged("post_install", "-at_install")
class TestCardPortal(CardCase, CityHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_resident_b = new_test_user(
            cls.env,
            login="t_resident_b",
            groups="city_base.group_city_base_resident",
            partner_id=cls.resident_b.id,
            lang="en_US",
        )
        cls.provider = cls.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if cls.provider and cls.provider.code == "demo":
            cls.provider.write({"state": "test", "is_published": True})
            cls.payment_method = cls.env.ref("payment_demo.payment_method_demo")
        cls.cny = cls.env.ref("base.CNY")
        # 100 yuan in card A's cash purse
        cls.env["city.card.operation"].sudo()._topup(cls.card_a, 10000, desk=cls.desk)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def skip_without_demo_provider(self):
        if not self.provider or self.provider.code != "demo":
            self.skipTest("the demo payment provider (payment_demo) is not installed")

    def csrf(self, url):
        page = self.url_open(url).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        self.assertTrue(match, f"no CSRF token on {url}")
        return match.group(1)

    def rows(self, page):
        return re.findall(r'class="o_city_card_entry" data-kind="([a-z_]+)"', page)

    def make_tx(self, card, fen, reference=None):
        return (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.payment_method.id,
                    "reference": reference or f"CARD-TEST-{card.id}-{fen}",
                    "amount": fen / 100,
                    "currency_id": self.cny.id,
                    "partner_id": card.partner_id.id,
                    "operation": "online_direct",
                    "card_id": card.id,
                    "card_amount": fen,
                    "card_topup_state": "waiting",
                }
            )
        )

    def state(self, card):
        card.invalidate_recordset()
        return card.state

    def online_topups(self, card):
        return self.ops.search([("card_id", "=", card.id), ("kind", "=", "topup_online")])

    def json_call(self, url, params):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        response = self.url_open(url, data=json.dumps(payload), headers={"Content-Type": "application/json"})
        return response.json()

    # ------------------------------------------------------------------
    # Tours
    # ------------------------------------------------------------------
    def test_tour_filter_history_and_report_lost(self):
        self.pay(self.card_a, 350)
        self.pay(self.card_a, 120)
        self.start_tour("/my", "city_card_portal_tour", login="t_resident")
        self.assertEqual(self.state(self.card_a), "lost")
        hotlist = self.env["city.card.hotlist"].search([("card_id", "=", self.card_a.id)])
        self.assertEqual(hotlist.mapped("action"), ["block"])
        self.assertEqual(hotlist.reason, "lost")
        self.assertEqual(self.state(self.card_b), "active")

    def test_tour_online_topup(self):
        self.skip_without_demo_provider()
        self.start_tour("/my/cards", "city_card_topup_tour", login="t_resident")
        tx = self.env["payment.transaction"].sudo().search([("card_id", "=", self.card_a.id)])
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.card_topup_state, "credited")
        self.assertTrue(tx.reference.startswith(f"CARD-{self.card_a.number}"))
        operation = self.online_topups(self.card_a)
        self.assertEqual(operation, tx.card_operation_id)
        self.assertEqual((operation.amount, operation.channel), (5000, "portal"))
        self.assertEqual((operation.idem_scope, operation.idem_key), ("payment", f"tx:{tx.id}"))
        self.assertEqual(self.card_a._balances()["cash"], 15000)
        self.assertLedgerSound()

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_home_counter_and_list(self):
        self.authenticate("t_resident", "t_resident")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["city_card_count"]})
        self.assertEqual(counters["city_card_count"], 1)
        page = self.url_open("/my/cards").text
        self.assertIn(f"/my/cards/{self.card_a.id}", page)
        self.assertNotIn(f"/my/cards/{self.card_b.id}", page)
        self.assertIn("100.00", page)

    def test_only_the_holder_sees_the_card(self):
        url = f"/my/cards/{self.card_a.id}"
        self.authenticate("t_resident", "t_resident")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_city_card_history_table", response.text)
        # another resident
        self.authenticate("t_resident_b", "t_resident_b")
        response = self.url_open(url)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn("o_city_card_history_table", response.text)
        response = self.url_open(f"{url}/topup")
        self.assertTrue(response.url.endswith("/my"), response.url)
        # a desk operator of the card's community reads it in the backend, not here
        self.authenticate("t_card_operator", "t_card_operator")
        self.assertTrue(self.url_open(url).url.endswith("/my"))
        # the public is sent to the login
        self.logout()
        response = self.url_open(url)
        self.assertIn("/web/login", response.url)
        self.assertNotIn("o_city_card_history_table", response.text)

    def test_report_lost_only_by_the_holder_and_with_csrf(self):
        url = f"/my/cards/{self.card_a.id}/lost"
        # another resident, with a valid CSRF token of his own session
        self.authenticate("t_resident_b", "t_resident_b")
        token = self.csrf(f"/my/cards/{self.card_b.id}")
        response = self.url_open(url, data={"csrf_token": token})
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertEqual(self.state(self.card_a), "active")
        # the holder, without the CSRF token
        self.authenticate("t_resident", "t_resident")
        response = self.url_open(url, data={"confirm": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.state(self.card_a), "active")
        self.assertFalse(self.env["city.card.hotlist"].search([("card_id", "=", self.card_a.id)]))
        # the holder, with it: lost and hotlisted at once
        token = self.csrf(f"/my/cards/{self.card_a.id}")
        response = self.url_open(url, data={"csrf_token": token})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_city_card_lost_done", response.text)
        self.assertEqual(self.state(self.card_a), "lost")
        self.assertEqual(self.card_a.state_reason, "Reported lost by the holder online")
        self.assertEqual(self.env["city.card.hotlist"]._delta(0)["entries"][-1]["card"], self.card_a.number)
        # twice: refused politely, nothing changes
        response = self.url_open(url, data={"csrf_token": token})
        self.assertIn("Only an active card can be reported lost", response.text)
        self.assertEqual(self.env["city.card.hotlist"].search_count([("card_id", "=", self.card_a.id)]), 1)

    # ------------------------------------------------------------------
    # History
    # ------------------------------------------------------------------
    def test_history_filters_and_keyset_pages(self):
        payment = self.pay(self.card_a, 300)[0]
        payment._refund(100)
        self.ops._credit_subsidy(self.card_a, 2000, fields.Date.today() + timedelta(days=30))
        for _i in range(22):
            self.pay(self.card_a, 10)
        self.authenticate("t_resident", "t_resident")
        url = f"/my/cards/{self.card_a.id}"
        page = self.url_open(url).text
        self.assertEqual(self.rows(page), ["payment"] * 20)
        self.assertIn("Subsidy purse", page)
        # older page by keyset, then back to the newest
        older = re.search(r'o_city_card_older" href="([^"]+)"', page)
        self.assertTrue(older)
        page2 = self.url_open(older.group(1).replace("&amp;", "&")).text
        self.assertEqual(self.rows(page2), ["payment", "payment", "subsidy", "refund", "payment", "topup"])
        newer = re.search(r'o_city_card_newer" href="([^"]+)"', page2)
        self.assertTrue(newer)
        self.assertEqual(self.rows(self.url_open(newer.group(1).replace("&amp;", "&")).text), ["payment"] * 20)
        # filters
        self.assertEqual(self.rows(self.url_open(f"{url}?kind=refund").text), ["refund"])
        self.assertEqual(self.rows(self.url_open(f"{url}?kind=topup").text), ["topup"])
        self.assertEqual(self.rows(self.url_open(f"{url}?kind=subsidy").text), ["subsidy"])
        tomorrow = fields.Date.today() + timedelta(days=2)
        self.assertEqual(self.rows(self.url_open(f"{url}?date_from={tomorrow}").text), [])
        yesterday = fields.Date.today() - timedelta(days=2)
        self.assertEqual(len(self.rows(self.url_open(f"{url}?kind=payment&date_from={yesterday}").text)), 20)
        self.assertEqual(
            self.rows(self.url_open(f"{url}?kind=bogus&date_from=nonsense&before=x").text)[:1], ["payment"]
        )

    def _history_queries(self, url):
        self.url_open(url)  # warm caches (templates, translations)
        before = self.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return self.cr.sql_log_count - before, len(self.rows(response.text))

    def test_history_queries_do_not_grow_with_the_history(self):
        self.authenticate("t_resident", "t_resident")
        url = f"/my/cards/{self.card_a.id}"
        for _i in range(9):
            self.pay(self.card_a, 10)
        self.env.flush_all()
        queries_10, rows_10 = self._history_queries(url)
        self.assertEqual(rows_10, 10)
        for _i in range(45):
            self.pay(self.card_a, 10)
            self.topup(self.card_a, 10)
        self.env.flush_all()
        queries_100, rows_100 = self._history_queries(url)
        self.assertEqual(rows_100, 20)
        self.assertEqual(queries_100, queries_10, "the history page must not run more queries for a longer history")

    # ------------------------------------------------------------------
    # Online top-up
    # ------------------------------------------------------------------
    def test_topup_amount_and_purse_limits_before_payment(self):
        self.skip_without_demo_provider()
        self.authenticate("t_resident", "t_resident")
        url = f"/my/cards/{self.card_a.id}/topup"
        for amount in ("0.5", "1000.01", "abc", "1.234"):
            page = self.url_open(f"{url}?amount={amount}").text
            self.assertIn("o_city_card_topup_error", page, amount)
            self.assertNotIn("o_payment_form", page, amount)
        self.env["ir.config_parameter"].sudo().set_param("city_card.max_cash_balance", "12000")
        page = self.url_open(f"{url}?amount=50").text
        self.assertIn("at most 120.00 yuan", page)
        page = self.url_open(f"{url}?amount=20").text
        self.assertNotIn("o_city_card_topup_error", page)
        self.assertIn("o_payment_form", page)
        # a top-up being paid counts against the limit until it is credited
        tx = self.make_tx(self.card_a, 1500)
        tx._set_pending()
        page = self.url_open(f"{url}?amount=10").text
        self.assertIn("o_city_card_topup_error", page)
        self.assertFalse(
            self.env["payment.transaction"].sudo().search([("card_id", "=", self.card_a.id), ("id", "!=", tx.id)])
        )

    def test_topup_transaction_route_and_exactly_one_credit(self):
        self.skip_without_demo_provider()
        self.authenticate("t_resident", "t_resident")
        page = self.url_open(f"/my/cards/{self.card_a.id}/topup?amount=50").text
        access_token = re.search(r'data-access-token="([^"]+)"', page).group(1)
        route = f"/my/cards/{self.card_a.id}/topup/transaction"
        params = {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method.id,
            "token_id": None,
            "amount": 50.0,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "https://elsewhere.example.com",
            "is_validation": False,
            "access_token": access_token,
        }
        # a different amount than the one the page was made for is refused
        answer = self.json_call(route, dict(params, amount=500.0))
        self.assertIn("access token", answer["error"]["data"]["message"])
        processing = self.make_jsonrpc_request(route, params)
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", processing["reference"])])
        self.assertEqual((tx.card_id, tx.card_amount, tx.card_topup_state), (self.card_a, 5000, "waiting"))
        self.assertEqual((tx.amount, tx.currency_id, tx.partner_id), (50.0, self.cny, self.resident_a))
        self.assertEqual(tx.landing_route, f"/my/cards/{self.card_a.id}?topup=1")
        self.assertFalse(self.online_topups(self.card_a), "nothing is credited before the payment is done")
        # the provider confirms; post-processing runs twice (status page and cron)
        tx.action_demo_set_done()
        self.assertEqual(tx.state, "done")
        tx._post_process()
        tx._post_process()
        tx._card_credit()
        self.assertEqual(len(self.online_topups(self.card_a)), 1)
        self.assertEqual(tx.card_topup_state, "credited")
        self.assertEqual(self.card_a._balances()["cash"], 15000)
        # the landing page tells the holder
        page = self.url_open(f"/my/cards/{self.card_a.id}?topup=1").text
        self.assertIn("o_city_card_topup_done", page)
        self.assertLedgerSound()
        # the other resident is refused on the route
        self.authenticate("t_resident_b", "t_resident_b")
        answer = self.json_call(route, params)
        self.assertIn("not yours", answer["error"]["data"]["message"])

    def test_failed_or_cancelled_payment_credits_nothing(self):
        self.skip_without_demo_provider()
        cancelled = self.make_tx(self.card_a, 2000, "CARD-T-CANCEL")
        cancelled.action_demo_set_canceled()
        errored = self.make_tx(self.card_a, 3000, "CARD-T-ERROR")
        errored.action_demo_set_error()
        (cancelled | errored)._post_process()
        self.assertEqual((cancelled.state, errored.state), ("cancel", "error"))
        self.assertFalse(self.online_topups(self.card_a))
        self.assertEqual(self.card_a._balances()["cash"], 10000)
        self.assertEqual((cancelled | errored).mapped("card_topup_state"), ["waiting", "waiting"])

    def test_demo_provider_works_in_chinese(self):
        """Odoo's zh_CN translation of the demo form sends the translated status (完成 for done)."""
        self.skip_without_demo_provider()
        tx = self.make_tx(self.card_a, 1000, "CARD-T-ZH")
        self.env["payment.transaction"].sudo()._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "完成", "payment_details": "4111"}
        )
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertEqual(self.card_a._balances()["cash"], 11000)

    def test_paid_topup_on_a_blocked_card_is_recorded_not_lost(self):
        self.skip_without_demo_provider()
        tx = self.make_tx(self.card_a, 2000, "CARD-T-BLOCKED")
        self.card_a.action_report_lost()
        tx.action_demo_set_done()
        tx._post_process()
        tx._post_process()
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.card_topup_state, "failed")
        self.assertIn(self.card_a.number, tx.card_note)
        self.assertFalse(self.online_topups(self.card_a))
        activities = self.card_a.activity_ids.filtered(lambda a: "CARD-T-BLOCKED" in (a.summary or ""))
        self.assertIn(self.card_manager, activities.user_id)
        self.assertEqual(
            len(activities), len(activities.user_id), "one activity per manager, even if post-processed twice"
        )
        self.assertTrue(self.card_a.message_ids.filtered(lambda m: "CARD-T-BLOCKED" in str(m.body)))
        # the card is found again: a card manager credits the payment, once
        self.card_a.action_unblock()
        tx.with_user(self.card_manager).action_card_credit()
        tx.with_user(self.card_manager).action_card_credit()
        tx._post_process()
        self.assertEqual(tx.card_topup_state, "credited")
        self.assertEqual(len(self.online_topups(self.card_a)), 1)
        self.assertEqual(self.card_a._balances()["cash"], 12000)
        self.assertLedgerSound()
