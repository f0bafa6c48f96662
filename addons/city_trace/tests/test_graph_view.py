import base64
import datetime
from unittest.mock import patch

import qrcode

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.city_trace.models import city_trace_lot
from odoo.addons.city_trace.tools import labels

from .supply_chain import SupplyChainCase

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@tagged("post_install", "-at_install")
class TestGraphView(SupplyChainCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.build_chain()

    def graph(self, lot, direction="down", user=None):
        lot = lot.with_user(user or self.officer)
        return lot.action_trace_graph_data(direction)

    def by_node(self, data):
        return {(node["lot_id"], node["partner_id"]): node for node in data["nodes"]}

    def test_downstream_graph_through_the_merging_transformation(self):
        data = self.graph(self.paddy_2)
        nodes = self.by_node(data)
        P2, R1 = self.paddy_2.id, self.rice_lot.id
        self.assertEqual(
            set(nodes),
            {
                (P2, self.farm.id),
                (P2, self.mill.id),
                (R1, self.mill.id),
                (R1, self.dist.id),
                (R1, self.shop_a.id),
                (R1, self.shop_b.id),
            },
        )
        # paddy 1 was merged into the same rice, but is not downstream of paddy 2
        self.assertNotIn(self.paddy_1.id, {lot for lot, _partner in nodes})
        self.assertFalse(data["truncated"])
        self.assertEqual(data["direction"], "down")
        # layers: the longest path from the lot's first holder, left to right
        layers = {key: node["layer"] for key, node in nodes.items()}
        self.assertEqual(layers[P2, self.farm.id], 0)
        self.assertEqual(layers[P2, self.mill.id], 1)
        self.assertEqual(layers[R1, self.mill.id], 2)
        self.assertEqual(layers[R1, self.dist.id], 3)
        self.assertEqual(layers[R1, self.shop_a.id], 4)
        self.assertEqual(layers[R1, self.shop_b.id], 4)
        self.assertEqual(data["layers"], 5)
        self.assertEqual({nodes[R1, self.shop_a.id]["row"], nodes[R1, self.shop_b.id]["row"]}, {0, 1})
        # what each node shows
        shop_b = nodes[R1, self.shop_b.id]
        self.assertEqual(shop_b["lot_name"], "R1")
        self.assertEqual(shop_b["product"], self.rice.name)
        self.assertEqual(shop_b["enterprise"], self.shop_b.name)
        self.assertEqual(shop_b["role"], "retailer")
        self.assertEqual(shop_b["uom"], "Bag")
        self.assertFalse(shop_b["seed"])
        self.assertTrue(nodes[P2, self.farm.id]["seed"])
        self.assertEqual(nodes[R1, self.dist.id]["role"], "logistics")
        # quantities: a shipment and its receipt count once, two deliveries add up, the
        # transformation's output counts once although it has two inputs
        self.assertEqual(nodes[P2, self.farm.id]["quantity"], 800)  # produced
        self.assertEqual(nodes[P2, self.mill.id]["quantity"], 800)
        self.assertEqual(nodes[R1, self.mill.id]["quantity"], 300)
        self.assertEqual(nodes[R1, self.dist.id]["quantity"], 300)
        self.assertEqual(nodes[R1, self.shop_a.id]["quantity"], 100)
        self.assertEqual(shop_b["quantity"], 200)
        edges = {(edge["source"], edge["target"]): edge for edge in data["edges"]}
        self.assertEqual(len(edges), 5)
        milling = edges[f"{P2}-{self.mill.id}", f"{R1}-{self.mill.id}"]
        self.assertTrue(milling["transformation"])
        self.assertEqual(milling["quantity"], 300)
        self.assertEqual(milling["event_id"], self.milling.id)
        self.assertEqual(edges[f"{R1}-{self.dist.id}", f"{R1}-{self.shop_b.id}"]["quantity"], 200)
        self.assertFalse(edges[f"{R1}-{self.dist.id}", f"{R1}-{self.shop_b.id}"]["transformation"])

    def test_upstream_graph_reaches_both_merged_lots(self):
        data = self.graph(self.rice_lot, "up")
        nodes = self.by_node(data)
        P1, P2, R1 = self.paddy_1.id, self.paddy_2.id, self.rice_lot.id
        self.assertEqual(
            set(nodes),
            {
                (P1, self.farm.id),
                (P2, self.farm.id),
                (P1, self.mill.id),
                (P2, self.mill.id),
                (R1, self.mill.id),
                (R1, self.dist.id),
                (R1, self.shop_a.id),
                (R1, self.shop_b.id),
            },
        )
        # upstream is mirrored: time still flows from left to right
        self.assertEqual(nodes[P1, self.farm.id]["layer"], 0)
        self.assertEqual(nodes[P2, self.farm.id]["layer"], 0)
        self.assertEqual(nodes[P1, self.mill.id]["layer"], 1)
        self.assertEqual(nodes[R1, self.mill.id]["layer"], 2)
        self.assertEqual(nodes[R1, self.shop_a.id]["layer"], 4)
        # rows follow the nodes before them: P1 stays above P2
        self.assertEqual(nodes[P1, self.mill.id]["row"], 0)
        self.assertEqual(nodes[P2, self.mill.id]["row"], 1)
        self.assertTrue(all(node["seed"] for (lot, _p), node in nodes.items() if lot == R1))
        self.assertFalse(nodes[P1, self.farm.id]["seed"])
        self.assertEqual(nodes[P1, self.farm.id]["quantity"], 1000)
        self.assertEqual(nodes[P1, self.farm.id]["role"], "producer")
        self.assertEqual(len(data["edges"]), 7)

    def test_cycle_and_truncation(self):
        # the distributor sends part of the rice back to the mill: a cycle in the graph
        self.move(self.rice_lot, self.dist, self.mill, 10, 14)
        data = self.graph(self.paddy_2)
        nodes = self.by_node(data)
        self.assertEqual(len(nodes), 6)
        self.assertEqual(len(data["edges"]), 6)
        self.assertEqual(nodes[self.rice_lot.id, self.mill.id]["layer"], 2)
        self.assertEqual(nodes[self.rice_lot.id, self.dist.id]["layer"], 3)
        with patch.object(city_trace_lot, "GRAPH_LIMIT", 3):
            data = self.graph(self.paddy_2)
        self.assertTrue(data["truncated"])
        self.assertEqual(data["limit"], 3)
        self.assertEqual(len(data["nodes"]), 3)
        kept = {node["id"] for node in data["nodes"]}
        self.assertTrue(all(edge["source"] in kept and edge["target"] in kept for edge in data["edges"]))

    def test_erroneous_event_leaves_the_graph(self):
        wrong = self.move(self.rice_lot, self.dist, self.farm, 5, 15, receipt=False)
        self.assertIn((self.rice_lot.id, self.farm.id), self.by_node(self.graph(self.paddy_2)))
        self.capture(
            event_type="object",
            action="OBSERVE",
            event_time=wrong.event_time + datetime.timedelta(minutes=5),
            partner_id=self.dist.id,
            declares_error_of_id=wrong.id,
            error_reason="did_not_occur",
            lines=[],
        )
        self.assertNotIn((self.rice_lot.id, self.farm.id), self.by_node(self.graph(self.paddy_2)))

    def test_access_and_direction(self):
        with self.assertRaises(AccessError):
            self.graph(self.paddy_2, user=self.portal_business)
        data = self.graph(self.paddy_2, user=self.supervisor)
        self.assertEqual(len(data["nodes"]), 6)
        with self.assertRaises(UserError):
            self.graph(self.paddy_2, "sideways")
        action = self.paddy_2.with_user(self.officer).action_trace_graph()
        self.assertEqual(action["tag"], "city_trace.trace_graph")
        self.assertEqual(action["params"], {"lot_id": self.paddy_2.id, "direction": "down"})

    def test_one_up_one_down_and_events(self):
        paddy = self.paddy_1.with_user(self.officer)
        down = str(paddy.one_down_html)
        self.assertIn(self.mill.name, down)
        self.assertIn(">R1<", down)
        self.assertIn("1,000", down)  # shipped and received: counted once
        self.assertIn("300", down)  # the rice made from it
        up = str(paddy.one_up_html)  # the paddy at the mill came from the farm
        self.assertIn(self.farm.name, up)
        self.assertNotIn(self.mill.name, up)
        fresh = (
            self.env["city.trace.lot"]
            .create(
                {
                    "name": "P3",
                    "product_id": self.paddy.id,
                    "partner_id": self.farm.id,
                    "production_date": "2026-10-05",
                    "quantity": 10,
                }
            )
            .with_user(self.officer)
        )
        self.assertIn("produced here", str(fresh.one_up_html))
        self.assertIn("not left its holders", str(fresh.one_down_html))
        up = str(self.rice_lot.with_user(self.officer).one_up_html)
        self.assertIn(">P1<", up)
        self.assertIn(">P2<", up)
        # what the milling consumed of each paddy lot, in the paddy's unit (not the rice made)
        self.assertIn("1,000 Kilogram", up)
        self.assertIn("800 Kilogram", up)
        self.assertNotIn("300 Kilogram", up)
        # enterprises do not see other enterprises' flows on the lot form
        self.assertFalse(self.rice_lot.with_user(self.portal_business).one_up_html)
        rice = self.rice_lot.with_user(self.officer)
        self.assertEqual(rice.event_count, 9)
        action = rice.action_view_events()
        events = self.env["city.trace.event"].search(action["domain"])
        self.assertEqual(len(events), 9)
        self.assertIn(self.milling, events)

    def test_qr_image_encodes_the_digital_link(self):
        labels._qr_matrix.cache_clear()
        payloads = []
        original = qrcode.QRCode.add_data

        def spy(code, data, *args, **kwargs):
            payloads.append(data)
            return original(code, data, *args, **kwargs)

        with patch.object(qrcode.QRCode, "add_data", spy):
            image = base64.b64decode(self.rice_lot.with_user(self.officer).qr_image)
        self.assertTrue(image.startswith(PNG_SIGNATURE))
        self.assertEqual(payloads, [self.rice_lot.digital_link])
        self.assertIn("/01/06901234567892/10/R1", payloads[0])


@tagged("post_install", "-at_install")
class TestGraphTour(SupplyChainCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.build_chain()

    def test_graph_tour(self):
        self.start_tour(f"/odoo/city.trace.lot/{self.paddy_2.id}", "city_trace_graph", login="t_trace_officer")
