import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import TradingCase


@tagged("post_install", "-at_install")
class TestRule(TradingCase, TransactionCase):
    def test_catalogue_data(self):
        codes = set(self.env["city.trading.type"].search([]).mapped("code"))
        self.assertEqual(codes, {"construction", "procurement", "land", "property"})
        rule = self.env["city.trading.rule"]._rule_for(self.construction, datetime.date(2026, 3, 2))
        self.assertEqual(rule, self.env.ref("city_resource_trading.city_trading_rule_construction_2024"))
        self.assertEqual((rule.min_bidders, rule.min_notice_days), (3, 20))
        old = self.env["city.trading.rule"]._rule_for(self.construction, datetime.date(2021, 6, 1))
        self.assertEqual(old, self.env.ref("city_resource_trading.city_trading_rule_construction_2019"))
        self.assertFalse(self.env["city.trading.rule"]._rule_for(self.construction, datetime.date(2010, 1, 1)))

    def test_versions_do_not_overlap(self):
        Rule = self.env["city.trading.rule"].with_user(self.trd_manager)
        with self.assertRaises(ValidationError):
            Rule.create({"name": "重叠版本", "type_id": self.construction.id, "date_from": "2025-01-01"})
        with self.assertRaises(ValidationError):
            Rule.create(
                {
                    "name": "重叠旧版本",
                    "type_id": self.construction.id,
                    "date_from": "2018-01-01",
                    "date_to": "2019-01-01",
                }
            )
        # Closing the current version first makes room for the next one.
        current = self.env.ref("city_resource_trading.city_trading_rule_construction_2024")
        current.with_user(self.trd_manager).date_to = "2026-12-31"
        new = Rule.create({"name": "2027版", "type_id": self.construction.id, "date_from": "2027-01-01"})
        self.assertEqual(self.env["city.trading.rule"]._rule_for(self.construction, datetime.date(2027, 2, 1)), new)

    def test_publicity_at_least_three_days(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["city.trading.rule"].create(
                {"name": "短公示", "type_id": self.construction.id, "date_from": "2030-01-01", "publicity_days": 2}
            )

    def test_only_managers_edit_rules(self):
        rule = self.env.ref("city_resource_trading.city_trading_rule_construction_2024")
        self.assertCannotWrite(self.officer, rule, {"min_bidders": 1})
        self.assertCannotWrite(self.trd_supervisor, rule, {"min_bidders": 1})
        self.assertCannotWrite(self.bidder_a, rule, {"min_bidders": 1})
        self.assertCanRead(self.bidder_a, rule)
        with self.assertRaises(AccessError):
            self.env["city.trading.type"].with_user(self.officer).create({"name": "x", "code": "land"})
