import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .evaluation_common import EvaluationCase

NOW = datetime.datetime(2026, 4, 20, 2, 0)


@freeze_time(NOW)
@tagged("post_install", "-at_install")
class TestRedFlag(EvaluationCase, TransactionCase):
    def clean_procedure(self, **values):
        """Three bids, distinct contacts and IPs, full notice period, the lowest price wins at 90%."""
        values.setdefault("state", "awarded")
        procedure = self.opened_procedure(prices=(4_500_000, 4_700_000, 4_900_000), **values)
        winner = procedure.bid_ids.sorted("price")[0]
        procedure.with_context(city_trading_internal=True).write(
            {"winner_bid_id": winner.id, "award_amount": winner.price}
        )
        return procedure

    def flags(self, procedure):
        self.env["city.trading.red.flag"]._recompute(procedure)
        return self.env["city.trading.red.flag"].search([("procedure_id", "=", procedure.id)])

    def codes(self, procedure):
        return set(self.flags(procedure).mapped("code"))

    def test_clean_procedure_has_no_flag(self):
        self.assertEqual(self.codes(self.clean_procedure()), set())

    def test_single_valid_bid(self):
        procedure = self.clean_procedure()
        # As the opening records it: a bid disqualified at the opening has no price.
        procedure.bid_ids.sorted("price")[1:].sudo().with_context(city_trading_opening=True).write(
            {"state": "disqualified", "price": False}
        )
        self.assertIn("single_valid_bid", self.codes(procedure))

    def test_identical_prices(self):
        procedure = self.opened_procedure(prices=(4_600_000, 4_600_000, 4_900_000))
        flag = self.flags(procedure).filtered(lambda f: f.code == "identical_prices")
        self.assertEqual(flag.bidder_ids, self.company_a | self.company_b)
        self.assertIn("4600000", flag.evidence.replace(".0", ""))

    def test_same_contact_phone_and_email(self):
        procedure = self.clean_procedure()
        bid_a, bid_b, _bid_c = procedure.bid_ids.sorted("price")
        bid_b.sudo().write({"contact_phone": "(0432) 6000-0000", "contact_email": "BID0@example.cn "})
        bid_a.sudo().write({"contact_phone": "0432-60000000"})
        flag = self.flags(procedure).filtered(lambda f: f.code == "same_contact")
        self.assertEqual(flag.bidder_ids, self.company_a | self.company_b)
        self.assertIn("bid0@example.cn", flag.evidence)
        self.assertIn("043260000000", flag.evidence)

    def test_same_ip(self):
        procedure = self.clean_procedure()
        procedure.bid_ids.sorted("price")[2].sudo().upload_ip = "10.0.0.1"
        flag = self.flags(procedure).filtered(lambda f: f.code == "same_ip")
        self.assertEqual(flag.bidder_ids, self.company_a | self.company_c)

    def test_short_submission(self):
        deadline = datetime.datetime(2026, 3, 27, 1, 0)
        procedure = self.clean_procedure(published_at=deadline - datetime.timedelta(days=12))
        flag = self.flags(procedure).filtered(lambda f: f.code == "short_submission")
        self.assertIn("12", flag.evidence)
        self.assertNotIn(
            "short_submission", self.codes(self.clean_procedure(published_at=deadline - datetime.timedelta(days=20)))
        )

    def test_lowest_disqualified_price_only(self):
        procedure = self.clean_procedure()
        lowest = procedure.bid_ids.sorted("price")[0]
        lowest.sudo().write({"state": "disqualified", "disqualification_reason": "资质证书过期"})
        procedure.with_context(city_trading_internal=True).write(
            {"winner_bid_id": procedure.bid_ids.sorted("price")[1].id}
        )
        flag = self.flags(procedure).filtered(lambda f: f.code == "lowest_disqualified")
        self.assertEqual(flag.bidder_ids, self.company_a)
        self.assertIn("资质证书过期", flag.evidence)
        comprehensive = self.clean_procedure(criterion="comprehensive", price_weight=60)
        comprehensive.bid_ids.sorted("price")[0].sudo().write({"state": "disqualified"})
        self.assertNotIn("lowest_disqualified", self.codes(comprehensive))

    def test_best_disqualified_on_a_transfer_is_the_highest(self):
        land = self.env.ref("city_resource_trading.city_trading_type_land")
        procedure = self.clean_procedure(type_id=land.id)
        highest = procedure.bid_ids.sorted("price")[-1]
        highest.sudo().write({"state": "disqualified", "disqualification_reason": "竞买保证金未到账"})
        flag = self.flags(procedure).filtered(lambda f: f.code == "lowest_disqualified")
        self.assertEqual(flag.bidder_ids, highest.bidder_id)
        self.assertIn("竞买保证金未到账", flag.evidence)
        # The lowest offer of a sale disqualified is no warning.
        other = self.clean_procedure(type_id=land.id)
        other.bid_ids.sorted("price")[0].sudo().write({"state": "disqualified"})
        self.assertNotIn("lowest_disqualified", self.codes(other))

    def test_all_but_winner_disqualified(self):
        procedure = self.clean_procedure()
        procedure.bid_ids.sorted("price")[1:].sudo().write({"state": "disqualified"})
        flag = self.flags(procedure).filtered(lambda f: f.code == "all_but_winner_disqualified")
        self.assertEqual(flag.bidder_ids, self.company_b | self.company_c)

    def test_never_wins(self):
        for _index in range(4):
            self.clean_procedure()
        procedure = self.clean_procedure()
        flags = self.flags(procedure).filtered(lambda f: f.code == "never_wins")
        # Company a won all five; b and c bid five times and never won.
        self.assertEqual(flags.bidder_ids, self.company_b | self.company_c)
        # A single win clears the bidder.
        winner = procedure.bid_ids.filtered(lambda b: b.bidder_id == self.company_b)
        procedure.with_context(city_trading_internal=True).write({"winner_bid_id": winner.id})
        flags = self.flags(procedure).filtered(lambda f: f.code == "never_wins")
        self.assertEqual(flags.bidder_ids, self.company_c)

    def test_award_below_estimate(self):
        procedure = self.clean_procedure()
        procedure.with_context(city_trading_internal=True).write({"award_amount": 3_000_000})
        flag = self.flags(procedure).filtered(lambda f: f.code == "award_below_estimate")
        self.assertIn("60.0", flag.evidence)
        self.env["ir.config_parameter"].sudo().set_param("city_resource_trading.red_flag_award_below_ratio", "0.5")
        self.assertNotIn("award_below_estimate", self.codes(procedure))

    def test_decisions_kept_and_reopened_on_new_evidence(self):
        procedure = self.opened_procedure(prices=(4_600_000, 4_600_000, 4_900_000))
        flag = self.flags(procedure).filtered(lambda f: f.code == "identical_prices")
        with self.assertRaises(AccessError):
            flag.with_user(self.officer).read(["evidence"])
        with self.assertRaises(UserError):
            flag.with_user(self.trd_supervisor).action_dismiss()
        flag.with_user(self.trd_supervisor).supervisor_note = "同一集团两家子公司，已另案核查。"
        flag.with_user(self.trd_supervisor).action_dismiss()
        self.assertEqual(flag.state, "dismissed")
        self.flags(procedure)
        self.assertEqual(flag.state, "dismissed", "same evidence: the decision stays")
        procedure.bid_ids.sorted("price")[2].sudo().with_context(city_trading_opening=True).price = 4_600_000
        self.flags(procedure)
        self.assertEqual(flag.state, "open", "new evidence opens the flag again")
        self.assertEqual(flag.bidder_ids, self.company_a | self.company_b | self.company_c)
        # Open flags that no longer fire disappear.
        bids_sudo = procedure.bid_ids.sorted("id").sudo().with_context(city_trading_opening=True)
        bids_sudo[1:].write({"price": 4_800_000})
        bids_sudo[2].write({"price": 4_900_000})
        self.assertNotIn("identical_prices", self.codes(procedure))

    def test_halt_from_flag(self):
        procedure = self.clean_procedure(state="publicity", publicity_end=NOW + datetime.timedelta(days=2))
        procedure.with_context(city_trading_internal=True).write({"award_amount": 3_000_000})
        flag = self.flags(procedure).filtered(lambda f: f.code == "award_below_estimate")
        with self.assertRaises(AccessError):
            flag.with_user(self.auditor).action_halt()
        flag.with_user(self.trd_supervisor).action_halt()
        self.assertEqual(procedure.state, "suspended")
        self.assertEqual(procedure.suspended_state, "publicity")
        self.assertEqual(flag.state, "confirmed")
        self.assertTrue(
            self.env["city.audit.log"].search([("event", "=", "trading.suspend"), ("res_id", "=", procedure.id)])
        )
