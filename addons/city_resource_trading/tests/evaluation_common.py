"""Fixtures of the evaluation, publicity and supervision tests: experts and opened procedures."""

import datetime

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import make_uscc

from .common import TradingCase


class EvaluationCase(TradingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls._extra_companies()
        cls.rule = env["city.trading.rule"]._rule_for(cls.construction, datetime.date(2026, 3, 2))
        Specialty = env["city.trading.expert.specialty"]
        cls.road = Specialty.create({"name": "道路工程", "code": "T-ROAD"})
        cls.bridge = Specialty.create({"name": "桥梁工程", "code": "T-BRIDGE"})
        cls.experts = env["city.trading.expert"]
        for index in range(7):
            user = new_test_user(
                env,
                login=f"t_trd_expert_{index}",
                name=f"专家{index}",
                groups="city_resource_trading.group_city_resource_trading_expert",
            )
            cls.experts |= env["city.trading.expert"].create(
                {
                    "partner_id": user.partner_id.id,
                    "user_id": user.id,
                    "specialty_ids": [Command.set(cls.road.ids)],
                }
            )

    @classmethod
    def opened_procedure(cls, prices=(4_500_000, 4_700_000, 4_900_000), state="evaluation", **values):
        """A procedure whose bids were opened: one opened bid per price, companies a, b, c in order."""
        now = datetime.datetime(2026, 3, 2, 1, 0)
        vals = {
            "name": "松花江大街道路改造工程施工",
            "type_id": cls.construction.id,
            "buyer_id": cls.buyer.id,
            "division_id": cls.district.id,
            "estimate_amount": 5_000_000,
            "published_at": now,
            "bid_deadline": now + datetime.timedelta(days=25),
            "opening_at": now + datetime.timedelta(days=25),
            "rule_id": cls.rule.id,
            "state": state,
        }
        vals.update(values)
        procedure = cls.env["city.trading.procedure"].with_context(city_trading_internal=True).create(vals)
        companies = (cls.company_a, cls.company_b, cls.company_c, cls.company_d, cls.company_e)
        cls.env["city.trading.bid"].sudo().create(
            [
                {
                    "procedure_id": procedure.id,
                    "bidder_id": companies[index].id,
                    "state": "opened",
                    "price": price,
                    "submitted_at": now + datetime.timedelta(days=20, minutes=index),
                    "contact_phone": f"0432-6{index}000000",
                    "contact_email": f"bid{index}@example.cn",
                    "upload_ip": f"10.0.0.{index + 1}",
                }
                for index, price in enumerate(prices)
            ]
        )
        return procedure.with_env(cls.env)

    @classmethod
    def _extra_companies(cls):
        Partner = cls.env["res.partner"]
        cls.company_d = Partner.create(
            {"name": "吉林丁建设集团有限公司", "is_company": True, "uscc": make_uscc("91220203MA0TR1004")}
        )
        cls.company_e = Partner.create(
            {"name": "松原戊工程有限公司", "is_company": True, "uscc": make_uscc("91220700MA0TR1005")}
        )
