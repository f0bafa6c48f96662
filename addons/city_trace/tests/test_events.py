import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from .supply_chain import T0, SupplyChainCase


@tagged("post_install", "-at_install")
class TestEvents(SupplyChainCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t0 = T0

    def _ship(self, lot, sender, receiver, qty, hours=0):
        return self.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "shipping",
                    "disposition": "in_transit",
                    "event_time": self.t0 + datetime.timedelta(hours=hours),
                    "partner_id": sender.id,
                    "dest_partner_id": receiver.id,
                    "lines": [{"role": "epc", "lot_id": lot.id, "quantity": qty}],
                }
            ]
        )[0]["event"]

    def _transform(self, inputs, outputs, partner, hours=0):
        lines = [{"role": "input", "lot_id": lot.id, "quantity": 1} for lot in inputs]
        lines += [{"role": "output", "lot_id": lot.id, "quantity": 1} for lot in outputs]
        return self.Event._capture(
            [
                {
                    "event_type": "transformation",
                    "biz_step": "commissioning",
                    "event_time": self.t0 + datetime.timedelta(hours=hours),
                    "partner_id": partner.id,
                    "lines": lines,
                }
            ]
        )[0]["event"]

    def _build_chain(self):
        self._ship(self.paddy_1, self.farm, self.mill, 1000)
        self._ship(self.paddy_2, self.farm, self.mill, 800, 1)
        self._transform(self.paddy_1 | self.paddy_2, self.rice_lot, self.mill, 2)
        self._ship(self.rice_lot, self.mill, self.dist, 300, 3)
        self._ship(self.rice_lot, self.dist, self.shop_a, 100, 4)
        self._ship(self.rice_lot, self.dist, self.shop_b, 200, 5)

    def test_graph_downstream_through_transformation(self):
        self._build_chain()
        graph = self.env["city.trace.edge"]._graph(self.paddy_2, "down")
        nodes = set(graph["nodes"])
        expected = {
            (self.paddy_2.id, self.farm.id),
            (self.paddy_2.id, self.mill.id),
            (self.rice_lot.id, self.mill.id),
            (self.rice_lot.id, self.dist.id),
            (self.rice_lot.id, self.shop_a.id),
            (self.rice_lot.id, self.shop_b.id),
        }
        self.assertEqual(nodes, expected)
        # paddy 1 is a sibling input, not downstream of paddy 2
        self.assertNotIn((self.paddy_1.id, self.farm.id), nodes)
        self.assertEqual(len(graph["edges"]), 5)

    def test_graph_upstream_reaches_both_inputs(self):
        self._build_chain()
        graph = self.env["city.trace.edge"]._graph(self.rice_lot, "up")
        nodes = set(graph["nodes"])
        self.assertIn((self.paddy_1.id, self.farm.id), nodes)
        self.assertIn((self.paddy_2.id, self.farm.id), nodes)
        self.assertEqual(
            {p for _lot, p in nodes}, {self.farm.id, self.mill.id, self.dist.id, self.shop_a.id, self.shop_b.id}
        )

    def test_one_up_one_down(self):
        self._build_chain()
        down = self.env["city.trace.edge"]._one_step(self.paddy_1, "down")
        self.assertEqual(
            {(row[0], row[1]) for row in down}, {(self.paddy_1.id, self.mill.id), (self.rice_lot.id, self.mill.id)}
        )

    def test_duplicate_capture_is_reported(self):
        first = self._ship(self.rice_lot, self.mill, self.dist, 300)
        again = self.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "shipping",
                    "disposition": "in_transit",
                    "event_time": self.t0,
                    "partner_id": self.mill.id,
                    "dest_partner_id": self.dist.id,
                    "lines": [{"role": "epc", "lot_id": self.rice_lot.id, "quantity": 300}],
                }
            ]
            * 2
        )
        self.assertEqual([r["status"] for r in again], ["duplicate", "duplicate"])
        self.assertEqual(again[0]["event"], first)
        self.assertEqual(self.Event.search_count([("partner_id", "=", self.mill.id)]), 1)

    def test_events_are_immutable(self):
        event = self._ship(self.rice_lot, self.mill, self.dist, 300)
        with self.assertRaises(UserError):
            event.write({"biz_step": "receiving"})
        with self.assertRaises(UserError):
            event.line_ids.write({"quantity": 1})
        with self.assertRaises(UserError):
            event.unlink()
        with self.assertRaises(UserError):
            self.Event.create(
                {"event_type": "object", "event_time": self.t0, "partner_id": self.mill.id, "event_hash": "x"}
            )
        event.write({"public": False})
        self.assertFalse(event.public)

    def test_chain_links_and_detects_tampering(self):
        self._build_chain()
        chain = self.env["city.trace.chain"].search([("partner_id", "=", self.dist.id)])
        self.assertEqual(chain.last_sequence, 2)
        self.assertTrue(chain.verify()["ok"])
        event = self.Event.search([("partner_id", "=", self.dist.id)], order="chain_sequence", limit=1)
        self.env.cr.execute("UPDATE city_trace_event SET event_hash = 'x' || event_hash WHERE id = %s", [event.id])
        self.Event.invalidate_model()
        result = chain.verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["broken"]["reason"], "hash")

    def test_error_declaration_removes_edges(self):
        wrong = self._ship(self.rice_lot, self.mill, self.shop_a, 300)
        right = self._ship(self.rice_lot, self.mill, self.dist, 300, 1)
        self.assertIn((self.rice_lot.id, self.shop_a.id), self.env["city.trace.edge"]._graph(self.rice_lot)["nodes"])
        result = self.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "event_time": self.t0 + datetime.timedelta(hours=2),
                    "partner_id": self.mill.id,
                    "declares_error_of_id": wrong.id,
                    "error_reason": "incorrect_data",
                    "corrective_event_ids": [right.id],
                    "lines": [],
                }
            ]
        )
        declaration = result[0]["event"]
        self.assertTrue(wrong.is_erroneous)
        self.assertEqual(declaration.corrective_event_ids, right)
        nodes = self.env["city.trace.edge"]._graph(self.rice_lot)["nodes"]
        self.assertNotIn((self.rice_lot.id, self.shop_a.id), nodes)
        self.assertIn((self.rice_lot.id, self.dist.id), nodes)
        with self.assertRaises(ValidationError):
            self.Event._capture(
                [
                    {
                        "event_type": "object",
                        "action": "OBSERVE",
                        "event_time": self.t0 + datetime.timedelta(hours=3),
                        "partner_id": self.mill.id,
                        "declares_error_of_id": wrong.id,
                        "lines": [],
                    }
                ]
            )

    def test_invalid_events_are_refused(self):
        base = {
            "event_type": "transformation",
            "event_time": self.t0,
            "partner_id": self.mill.id,
            "lines": [{"role": "input", "lot_id": self.paddy_1.id, "quantity": 1}],
        }
        with self.assertRaises(ValidationError):
            self.Event._capture([base])
        with self.assertRaises(ValidationError):
            self.Event._capture([{**base, "event_time": datetime.datetime(2099, 1, 1)}])
        with self.assertRaises(ValidationError):
            self.Event._capture(
                [
                    {
                        "event_type": "object",
                        "action": "ADD",
                        "event_time": self.t0,
                        "partner_id": self.mill.id,
                        "lines": [],
                    }
                ]
            )
        self.assertFalse(self.Event.search([("partner_id", "=", self.mill.id)]))

    def test_enterprise_user_captures_only_for_itself(self):
        user = self.env["res.users"].create(
            {
                "name": "米业录入员",
                "login": "t_mill_clerk",
                "partner_id": self.env["res.partner"].create({"name": "米业录入员", "parent_id": self.mill.id}).id,
                "groups_id": [(6, 0, [self.env.ref("city_base.group_city_base_business").id])],
            }
        )
        events = self.Event.with_user(user)
        ship_paddy = {
            "event_type": "object",
            "action": "OBSERVE",
            "biz_step": "shipping",
            "event_time": self.t0,
            "partner_id": self.mill.id,
            "dest_partner_id": self.dist.id,
            "lines": [{"role": "epc", "lot_id": self.paddy_1.id, "quantity": 10}],
        }
        # The farm's paddy never reached the mill: the mill cannot ship it ...
        with self.assertRaises(AccessError):
            events._capture([ship_paddy])
        # ... until the mill records its receipt
        events._capture(
            [{**ship_paddy, "biz_step": "receiving", "dest_partner_id": False, "source_partner_id": self.farm.id}]
        )
        self.assertEqual(events._capture([ship_paddy])[0]["status"], "created")
        # a receipt and the shipment that follows it may come in one batch
        paddy_2 = {**ship_paddy, "lines": [{"role": "epc", "lot_id": self.paddy_2.id, "quantity": 5}]}
        results = events._capture(
            [
                {**paddy_2, "biz_step": "receiving", "dest_partner_id": False, "source_partner_id": self.farm.id},
                paddy_2,
            ]
        )
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        with self.assertRaises(AccessError):
            events._capture(
                [
                    {
                        "event_type": "object",
                        "action": "OBSERVE",
                        "biz_step": "shipping",
                        "event_time": self.t0,
                        "partner_id": self.dist.id,
                        "lines": [{"role": "epc", "lot_id": self.rice_lot.id, "quantity": 1}],
                    }
                ]
            )

    def test_shipping_a_logistic_unit_moves_the_lots_packed_in_it(self):
        units = self.env["city.trace.logistic.unit"]
        pallet = units.create({"sscc": "069012340000900019", "partner_id": self.mill.id})
        case = units.create({"sscc": "069012340000900026", "partner_id": self.mill.id})
        self.Event._capture(
            [
                {
                    "event_type": "aggregation",
                    "action": "ADD",
                    "biz_step": "packing",
                    "event_time": self.t0,
                    "partner_id": self.mill.id,
                    "lines": [{"role": "parent", "unit_id": pallet.id}, {"role": "child", "unit_id": case.id}],
                },
                {
                    "event_type": "aggregation",
                    "action": "ADD",
                    "biz_step": "packing",
                    "event_time": self.t0,
                    "partner_id": self.mill.id,
                    "lines": [
                        {"role": "parent", "unit_id": case.id},
                        {"role": "child", "lot_id": self.rice_lot.id, "quantity": 50},
                    ],
                },
            ]
        )
        self.assertEqual(case.parent_id, pallet)
        self.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "shipping",
                    "event_time": self.t0,
                    "partner_id": self.mill.id,
                    "dest_partner_id": self.dist.id,
                    "lines": [{"role": "epc", "unit_id": pallet.id}],
                }
            ]
        )
        nodes = self.env["city.trace.edge"]._graph(self.rice_lot)["nodes"]
        self.assertIn((self.rice_lot.id, self.dist.id), nodes)

    def test_one_step_counts_a_move_once(self):
        self._ship(self.rice_lot, self.mill, self.dist, 300)
        self.Event._capture(
            [
                {
                    "event_type": "object",
                    "action": "OBSERVE",
                    "biz_step": "receiving",
                    "event_time": self.t0,
                    "partner_id": self.dist.id,
                    "source_partner_id": self.mill.id,
                    "lines": [{"role": "epc", "lot_id": self.rice_lot.id, "quantity": 300}],
                }
            ]
        )
        rows = self.env["city.trace.edge"]._one_step(self.rice_lot, "down")
        self.assertEqual([(row[1], row[2]) for row in rows], [(self.dist.id, 300.0)])
