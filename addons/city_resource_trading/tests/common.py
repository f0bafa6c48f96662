"""Shared fixtures of the trading tests: one user per role, three bidding organisations."""

import datetime

from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import CityCase, make_uscc


class TradingCase(CityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.construction = cls.env.ref("city_resource_trading.city_trading_type_construction")
        cls.procurement = cls.env.ref("city_resource_trading.city_trading_type_procurement")
        cls.buyer = Partner.create(
            {"name": "吉林市测试建设局", "is_company": True, "uscc": make_uscc("11220200MB0TR0001")}
        )
        cls.company_a = Partner.create(
            {"name": "吉林省甲建筑工程有限公司", "is_company": True, "uscc": make_uscc("91220201MA0TR1001")}
        )
        cls.company_b = Partner.create(
            {"name": "吉林市乙路桥建设有限公司", "is_company": True, "uscc": make_uscc("91220202MA0TR1002")}
        )
        cls.company_c = Partner.create(
            {"name": "长春丙市政工程有限公司", "is_company": True, "uscc": make_uscc("91220104MA0TR1003")}
        )

        def user(login, groups, **values):
            return new_test_user(cls.env, login=login, groups=groups, name=login, **values)

        cls.officer = user("t_trd_officer", "city_resource_trading.group_city_resource_trading_officer")
        cls.officer.city_division_ids = cls.city
        cls.officer_other = user("t_trd_officer_b", "city_resource_trading.group_city_resource_trading_officer")
        cls.officer_other.city_division_ids = cls.community_b
        cls.trd_manager = user("t_trd_manager", "city_resource_trading.group_city_resource_trading_manager")
        cls.trd_supervisor = user("t_trd_supervisor", "city_resource_trading.group_city_resource_trading_supervisor")
        cls.auditor = user("t_trd_auditor", "city_resource_trading.group_city_resource_trading_auditor")
        cls.bidder_a = cls.bidder_user("t_bidder_a", cls.company_a, "甲经理")
        cls.bidder_b = cls.bidder_user("t_bidder_b", cls.company_b, "乙经理")
        cls.bidder_c = cls.bidder_user("t_bidder_c", cls.company_c, "丙经理")

    @classmethod
    def bidder_user(cls, login, company, name):
        contact = cls.env["res.partner"].create({"name": name, "parent_id": company.id})
        return new_test_user(
            cls.env, login=login, name=name, groups="city_base.group_city_base_business", partner_id=contact.id
        )

    @classmethod
    def make_procedure(cls, **values):
        now = datetime.datetime(2026, 3, 2, 1, 0)
        vals = {
            "name": "松花江大街道路改造工程施工",
            "type_id": cls.construction.id,
            "buyer_id": cls.buyer.id,
            "division_id": cls.district.id,
            "estimate_amount": 5_000_000,
            "bid_deadline": now + datetime.timedelta(days=25),
            "opening_at": now + datetime.timedelta(days=25),
        }
        vals.update(values)
        return cls.env["city.trading.procedure"].create(vals)
