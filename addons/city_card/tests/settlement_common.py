"""Fixtures of the settlement tests: business days in the future (clear of any existing history),
postings at given local times, and the merchants' business portal users."""

import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user

from .common import CardCase

LOCAL_OFFSET = datetime.timedelta(hours=8)  # Asia/Shanghai, the default settlement time zone


class SettlementCase(CardCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.day = fields.Date.today() + datetime.timedelta(days=30)
        cls.next_day = cls.day + datetime.timedelta(days=1)
        cls.canteen.bank_account = "中国银行吉林分行 6217 0000 1111 2222"
        ops = cls.env["city.card.operation"].sudo()
        ops._topup(cls.card_a, 200000, desk=cls.desk)
        ops._topup(cls.card_b, 200000, desk=cls.desk)
        Partner = cls.env["res.partner"]
        cls.canteen_contact = Partner.create({"name": "食堂会计", "parent_id": cls.canteen_org.id})
        cls.bus_contact = Partner.create({"name": "公交会计", "parent_id": cls.bus_org.id})
        cls.canteen_user = new_test_user(
            cls.env,
            login="t_canteen_portal",
            groups="city_base.group_city_base_business",
            name="食堂会计",
            partner_id=cls.canteen_contact.id,
            lang="en_US",
        )
        cls.bus_user = new_test_user(
            cls.env,
            login="t_bus_portal",
            groups="city_base.group_city_base_business",
            name="公交会计",
            partner_id=cls.bus_contact.id,
            lang="en_US",
        )

    @staticmethod
    def at(day, hour, minute=0):
        """Freeze the clock at ``hour:minute`` local time (Asia/Shanghai) of ``day``."""
        local = datetime.datetime.combine(day, datetime.time(0, 0)) + datetime.timedelta(hours=hour, minutes=minute)
        return freeze_time(local - LOCAL_OFFSET)

    def settle(self, day):
        return self.env["city.card.settlement"]._settle(day)

    @staticmethod
    def of(settlements, merchant):
        return settlements.filtered(lambda s: s.merchant_id == merchant)

    def clearing_balance(self):
        clearing = self.env["city.card.account"]._system_account("clearing")
        return clearing._derived_balances().get(clearing.id, 0)

    def payable_balance(self, merchant):
        return merchant.account_id._derived_balances().get(merchant.account_id.id, 0)
