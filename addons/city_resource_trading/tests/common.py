"""Shared fixtures of the trading tests: one user per role, three bidding organisations."""

import datetime

from freezegun import freeze_time

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

    # 2026-03-02 09:00 in the city
    T0 = datetime.datetime(2026, 3, 2, 1, 0)

    @classmethod
    def at(cls, days=0, hours=0):
        return cls.T0 + datetime.timedelta(days=days, hours=hours)

    @classmethod
    def make_procedure(cls, **values):
        now = cls.T0
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

    @classmethod
    def published_procedure(cls, bidders=(), **values):
        """A construction procedure published at T0 (deadline and opening T0 + 25 days), with registrations."""
        with freeze_time(cls.T0):
            procedure = cls.make_procedure(**values)
            procedure.document_ids = [
                (0, 0, {"name": "招标文件", "filename": "zbwj.pdf", "datas": "JVBERi0xLjQKJeLjz9MK"}),
            ]
            procedure.with_user(cls.officer).action_publish()
            for user in bidders:
                procedure.with_user(user)._register_bidder()
        return procedure

    @classmethod
    def submit(cls, user, procedure, price, files=None, when=None, **kwargs):
        files = files or [("技术标.pdf", f"技术标 {user.login} {price}".encode()), ("商务标.pdf", b"%PDF-1.4 commerce")]
        with freeze_time(when or cls.at(days=10)):
            return procedure.with_user(user)._submit_bid(price, files, **kwargs)

    def advance(self, when):
        with freeze_time(when):
            self.env["city.trading.procedure"]._cron_advance()
