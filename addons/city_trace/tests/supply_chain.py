"""A crafted supply chain for the query, export and label tests (no demo data).

Farm (稻谷 lots P1 and P2) -> mill, which merges both paddy lots into rice lot R1 (a
transformation) -> distributor -> two supermarkets. Every move is recorded twice, as the
sender's shipping and the receiver's receiving event, like real enterprises do.
"""

import datetime

from odoo.addons.city_base.tests.common import make_uscc

from .common import TraceCase

T0 = datetime.datetime(2026, 10, 2, 1, 0)  # UTC; 09:00 in the events' +08:00


class SupplyChainCase(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partners = cls.env["res.partner"]
        cls.dist = partners.create(
            {
                "name": "吉林市粮油批发有限公司",
                "is_company": True,
                "uscc": make_uscc("91220204MA0TR0003"),
                "trace_logistics": True,
            }
        )
        cls.shop_a = partners.create(
            {"name": "北山超市", "is_company": True, "uscc": make_uscc("91220204MA0TR0004"), "trace_retailer": True}
        )
        cls.shop_b = partners.create(
            {"name": "江南超市", "is_company": True, "uscc": make_uscc("91220204MA0TR0005"), "trace_retailer": True}
        )
        cls.paddy = cls.env["city.trace.product"].create(
            {
                "name": "稻谷",
                "gtin": "6901234567809",
                "category": "agricultural",
                "partner_id": cls.farm.id,
                "uom": "kg",
            }
        )
        lots = cls.env["city.trace.lot"]
        day = datetime.date(2026, 10, 1)
        cls.paddy_1 = lots.create(
            {
                "name": "P1",
                "product_id": cls.paddy.id,
                "partner_id": cls.farm.id,
                "production_date": day,
                "quantity": 1000,
            }
        )
        cls.paddy_2 = lots.create(
            {
                "name": "P2",
                "product_id": cls.paddy.id,
                "partner_id": cls.farm.id,
                "production_date": day,
                "quantity": 800,
            }
        )
        cls.rice_lot = lots.create(
            {
                "name": "R1",
                "product_id": cls.rice.id,
                "partner_id": cls.mill.id,
                "production_date": day,
                "quantity": 300,
            }
        )
        cls.Event = cls.env["city.trace.event"]

    @classmethod
    def capture(cls, **vals):
        vals.setdefault("event_tz", "+08:00")
        return cls.Event._capture([vals])[0]["event"]

    @classmethod
    def move(cls, lot, sender, receiver, qty, hours, receipt=True):
        """The sender ships ``qty`` of ``lot``; the receiver records the receipt an hour later."""
        shipment = cls.capture(
            event_type="object",
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            event_time=T0 + datetime.timedelta(hours=hours),
            partner_id=sender.id,
            dest_partner_id=receiver.id,
            biz_transaction_type="desadv",
            biz_transaction_ref=f"DA-{lot.name}-{receiver.id}",
            lines=[{"role": "epc", "lot_id": lot.id, "quantity": qty}],
        )
        if receipt:
            cls.capture(
                event_type="object",
                action="OBSERVE",
                biz_step="receiving",
                disposition="in_progress",
                event_time=T0 + datetime.timedelta(hours=hours + 1),
                partner_id=receiver.id,
                source_partner_id=sender.id,
                lines=[{"role": "epc", "lot_id": lot.id, "quantity": qty}],
            )
        return shipment

    @classmethod
    def transform(cls, inputs, outputs, partner, hours):
        lines = [{"role": "input", "lot_id": lot.id, "quantity": qty} for lot, qty in inputs]
        lines += [{"role": "output", "lot_id": lot.id, "quantity": qty} for lot, qty in outputs]
        return cls.capture(
            event_type="transformation",
            biz_step="commissioning",
            disposition="active",
            event_time=T0 + datetime.timedelta(hours=hours),
            partner_id=partner.id,
            lines=lines,
        )

    @classmethod
    def build_chain(cls):
        cls.move(cls.paddy_1, cls.farm, cls.mill, 1000, 0)
        cls.move(cls.paddy_2, cls.farm, cls.mill, 800, 2)
        cls.milling = cls.transform([(cls.paddy_1, 1000), (cls.paddy_2, 800)], [(cls.rice_lot, 300)], cls.mill, 4)
        cls.move(cls.rice_lot, cls.mill, cls.dist, 300, 6)
        cls.move(cls.rice_lot, cls.dist, cls.shop_a, 100, 8)
        # two deliveries to the same shop: their quantities add up
        cls.move(cls.rice_lot, cls.dist, cls.shop_b, 120, 10)
        cls.move(cls.rice_lot, cls.dist, cls.shop_b, 80, 12)
