import datetime
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import gs1
from .city_trace_edge import SHIP_STEPS

# The backend trace graph draws at most this many nodes (the rest is reported as truncated).
GRAPH_LIMIT = 2000
# Enterprise roles in the order a node's role is chosen (res.partner boolean fields).
PARTNER_ROLES = ("trace_producer", "trace_processor", "trace_logistics", "trace_retailer")


class CityTraceLot(models.Model):
    """A batch (lot) of a product: GS1 AI (10)."""

    _name = "city.trace.lot"
    _description = "Product Lot"
    _inherit = ["mail.thread", "city.trace.qr.mixin"]
    _order = "production_date desc, id desc"

    name = fields.Char(string="Batch Number", required=True, tracking=True)
    product_id = fields.Many2one("city.trace.product", required=True, index=True, ondelete="restrict", tracking=True)
    category = fields.Selection(related="product_id.category", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Producer", required=True, index=True, domain=[("trace_enterprise", "=", True)]
    )
    location_id = fields.Many2one("city.trace.location", string="Origin", index=True)
    production_date = fields.Date(required=True, tracking=True)
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        store=True,
        readonly=False,
        tracking=True,
        help="Defaults to the production date plus the product's shelf life.",
    )
    quantity = fields.Float(required=True, tracking=True)
    uom = fields.Selection(related="product_id.uom", string="Unit")
    is_expired = fields.Boolean(compute="_compute_is_expired", search="_search_is_expired")
    digital_link = fields.Char(compute="_compute_digital_link")
    serial_ids = fields.One2many("city.trace.serial", "lot_id", string="Serial Items")
    inspection_ids = fields.One2many("city.trace.inspection", "lot_id", string="Inspections")
    recalled = fields.Boolean(
        readonly=True, index=True, tracking=True, help="Set by a recall that started; stays set once it is closed."
    )

    _sql_constraints = [
        ("name_product_unique", "unique(product_id, name)", "This batch number already exists for the product."),
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity of a lot must be positive."),
    ]

    @api.depends("production_date", "product_id.shelf_life_days")
    def _compute_expiry_date(self):
        for lot in self:
            if lot.production_date and lot.product_id.shelf_life_days:
                lot.expiry_date = lot.production_date + datetime.timedelta(days=lot.product_id.shelf_life_days)
            else:
                lot.expiry_date = lot.expiry_date

    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for lot in self:
            lot.is_expired = bool(lot.expiry_date and lot.expiry_date < today)

    def _search_is_expired(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Expired can only be searched with = or !=."))
        today = fields.Date.context_today(self)
        if (operator == "=") == bool(value):
            return [("expiry_date", "<", today)]
        return ["|", ("expiry_date", "=", False), ("expiry_date", ">=", today)]

    @api.depends("name", "product_id.gtin")
    def _compute_digital_link(self):
        domain = self.env["city.trace.product"]._digital_link_domain()
        for lot in self:
            if gs1.is_valid_gtin(lot.product_id.gtin or "") and gs1.is_valid_ai_text(lot.name or ""):
                lot.digital_link = gs1.build_digital_link(domain, lot.product_id.gtin, lot=lot.name)
            else:
                lot.digital_link = False

    @api.depends("name", "product_id.name")
    def _compute_display_name(self):
        for lot in self:
            lot.display_name = f"{lot.product_id.name} / {lot.name}" if lot.product_id else lot.name

    @api.constrains("name")
    def _check_name(self):
        for lot in self:
            if not gs1.is_valid_ai_text(lot.name or ""):
                raise ValidationError(
                    self.env._(
                        "Batch number %(name)s: 1 to 20 letters, digits or GS1 symbols, no spaces or Chinese.",
                        name=lot.name,
                    )
                )

    @api.constrains("production_date", "expiry_date")
    def _check_dates(self):
        for lot in self:
            if lot.expiry_date and lot.production_date and lot.expiry_date < lot.production_date:
                raise ValidationError(self.env._("A lot cannot expire before it is produced."))

    def write(self, vals):
        self.env["city.trace.scan"]._page_touch(lot_ids=self.ids)
        return super().write(vals)

    def unlink(self):
        self.env["city.trace.scan"]._page_touch(lot_ids=self.ids)
        return super().unlink()

    # ------------------------------------------------------------------
    # Queries and codes: events of the lot, one-up/one-down, the trace graph, QR code
    # ------------------------------------------------------------------
    event_count = fields.Integer(string="Events", compute="_compute_event_count")
    one_up_html = fields.Html(string="One Up", compute="_compute_one_step_html", sanitize=False)
    one_down_html = fields.Html(string="One Down", compute="_compute_one_step_html", sanitize=False)

    def _events_domain(self):
        """Events naming the lots of ``self``, directly or through one of their serial items."""
        return ["|", ("line_ids.lot_id", "in", self.ids), ("line_ids.serial_id.lot_id", "in", self.ids)]

    @api.depends_context("uid")
    def _compute_event_count(self):
        Event = self.env["city.trace.event"]
        can_read = Event.has_access("read")
        for lot in self:
            lot.event_count = Event.search_count(lot._events_domain()) if can_read and lot.id else 0

    @api.depends_context("uid")
    def _compute_one_step_html(self):
        allowed = self._trace_query_allowed()
        for lot in self:
            if allowed and lot.id:
                lot.one_up_html = lot._one_step_html("up")
                lot.one_down_html = lot._one_step_html("down")
            else:
                lot.one_up_html = lot.one_down_html = False

    def action_view_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Events of %(lot)s", lot=self.display_name),
            "res_model": "city.trace.event",
            "view_mode": "list,form",
            "domain": self._events_domain(),
            "context": {"create": False},
        }

    def action_trace_graph(self):
        """Open the backend trace graph (client action ``city_trace.trace_graph``), downstream first."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "city_trace.trace_graph",
            "name": self.env._("Trace of %(lot)s", lot=self.display_name),
            "context": {"active_id": self.id, "active_model": self._name},
            "params": {"lot_id": self.id, "direction": "down"},
        }

    def action_trace_graph_data(self, direction="down"):
        """The trace graph of the lot for the backend drawing, as JSON-able data.

        ``direction`` is ``down`` (where the lot went) or ``up`` (where it came from). Nodes are
        (lot, holder) pairs from :meth:`city.trace.edge._graph` (at most GRAPH_LIMIT of them,
        ``truncated`` says when there were more), each with its lot, product, enterprise, the
        enterprise's role, the quantity the holder received (or produced) and its place in a
        left-to-right layered layout: ``layer`` is the longest path from the lot's first holders
        (time flows left to right in both directions), ``row`` the position inside the layer.
        Edges carry the quantity moved (a shipment and its receipt count once).
        """
        self.ensure_one()
        self._trace_check_query_access()
        if direction not in ("down", "up"):
            raise UserError(self.env._("The trace direction is down or up, not %(direction)s.", direction=direction))
        graph = self.env["city.trace.edge"]._graph(self, direction, limit=GRAPH_LIMIT)
        nodes = [tuple(node) for node in graph["nodes"]]
        node_set = set(nodes)
        pairs = {
            (src_lot, src_partner, dst_lot, dst_partner)
            for src_lot, src_partner, dst_lot, dst_partner, *_rest in graph["edges"]
        }
        pair_qty, received = self._trace_quantities(nodes)
        layer, row = self._trace_layout(nodes, pairs, {node for node in nodes if node[0] == self.id}, direction)

        lots_sudo = self.sudo().browse({lot_id for lot_id, _partner in nodes})
        partners_sudo = self.env["res.partner"].sudo().browse({partner for _lot, partner in nodes})
        partner_fields = self.env["res.partner"]._fields
        role_labels = {name: partner_fields[name]._description_string(self.env) for name in PARTNER_ROLES}
        uom_labels = dict(self.env["city.trace.product"]._fields["uom"]._description_selection(self.env))
        partner_info = {}
        for partner in partners_sudo:
            role = next((name for name in PARTNER_ROLES if partner[name]), False)
            partner_info[partner.id] = (partner.name, role and role.removeprefix("trace_"), role and role_labels[role])
        lot_info = {lot.id: lot for lot in lots_sudo}

        def key(lot_id, partner_id):
            return f"{lot_id}-{partner_id}"

        node_list = []
        for lot_id, partner_id in nodes:
            lot = lot_info[lot_id]
            name, role, role_label = partner_info[partner_id]
            quantity = received.get((lot_id, partner_id))
            if quantity is None and partner_id == lot.partner_id.id:
                quantity = lot.quantity
            node_list.append(
                {
                    "id": key(lot_id, partner_id),
                    "lot_id": lot_id,
                    "lot_name": lot.name,
                    "product": lot.product_id.name,
                    "partner_id": partner_id,
                    "enterprise": name,
                    "role": role,
                    "role_label": role_label,
                    "quantity": quantity,
                    "uom": uom_labels.get(lot.product_id.uom, ""),
                    "recalled": lot.recalled,
                    "seed": lot_id == self.id,
                    "layer": layer[lot_id, partner_id],
                    "row": row[lot_id, partner_id],
                }
            )
        edge_list = [
            {
                "source": key(src_lot, src_partner),
                "target": key(dst_lot, dst_partner),
                "quantity": pair_qty.get((src_lot, src_partner, dst_lot, dst_partner)),
                "event_id": event_id,
                "transformation": src_lot != dst_lot,
            }
            for src_lot, src_partner, dst_lot, dst_partner, _qty, event_id in graph["edges"]
            if (src_lot, src_partner) in node_set and (dst_lot, dst_partner) in node_set
        ]
        return {
            "lot": {"id": self.id, "name": self.display_name},
            "direction": direction,
            "nodes": node_list,
            "edges": edge_list,
            "layers": max(layer.values(), default=-1) + 1,
            "truncated": graph["truncated"],
            "limit": GRAPH_LIMIT,
        }

    # ------------------------------------------------------------------
    # Trace helpers
    # ------------------------------------------------------------------
    @api.model
    def _trace_query_allowed(self):
        """Following lots across enterprises is for traceability officers and supervisors."""
        user = self.env.user
        return (
            self.env.su
            or user.has_group("city_trace.group_city_trace_user")
            or user.has_group("city_base.group_city_base_supervisor")
        )

    def _trace_check_query_access(self):
        self.check_access("read")
        if not self._trace_query_allowed():
            raise AccessError(
                self.env._("Only traceability officers and supervisors can follow lots across enterprises.")
            )

    @api.model
    def _trace_edge_rows(self, condition):
        """Edges matching the SQL ``condition`` (on alias ``e``) with what their event was: ``(src_lot,
        src_partner, dst_lot, dst_partner, event_id, quantity, kind)``, kind ``transform``, ``ship``
        or ``receive``."""
        self.env["city.trace.edge"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT e.src_lot_id, e.src_partner_id, e.dst_lot_id, e.dst_partner_id, e.event_id, e.quantity,
                          CASE WHEN ev.event_type = 'transformation' THEN 'transform'
                               WHEN ev.biz_step = ANY(%(ship)s) THEN 'ship' ELSE 'receive' END
                     FROM city_trace_edge e JOIN city_trace_event ev ON ev.id = e.event_id
                    WHERE %(condition)s""",
                ship=list(SHIP_STEPS),
                condition=condition,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _trace_flows(self, rows):
        """Quantities of ``rows`` (from :meth:`_trace_edge_rows`): ``(pair_qty, received)``.

        ``pair_qty[(src_lot, src_partner, dst_lot, dst_partner)]`` is what moved along the edge: the
        shipments and the receipts of one move are two events with one edge each, so the larger of
        the shipped and the received totals counts, plus what transformations made. ``received[(lot,
        partner)]`` is what the holder received or made: a transformation has one edge per input lot
        carrying the same output quantity, so each transformation event counts once.
        """
        moved = defaultdict(lambda: {"ship": 0.0, "receive": 0.0, "transform": 0.0})
        made = defaultdict(dict)
        for src_lot, src_partner, dst_lot, dst_partner, event_id, quantity, kind in rows:
            moved[src_lot, src_partner, dst_lot, dst_partner][kind] += quantity or 0.0
            if kind == "transform":
                made[dst_lot, dst_partner][event_id] = quantity or 0.0
        pair_qty, received = {}, defaultdict(float)
        for pair, totals in moved.items():
            transported = max(totals["ship"], totals["receive"])
            pair_qty[pair] = transported + totals["transform"]
            received[pair[2], pair[3]] += transported
        for node, events in made.items():
            received[node] += sum(events.values())
        return pair_qty, dict(received)

    @api.model
    def _trace_quantities(self, nodes):
        """:meth:`_trace_flows` of every edge arriving at one of ``nodes`` (a list of (lot, partner))."""
        if not nodes:
            return {}, {}
        node_lots, node_partners = zip(*nodes, strict=True)
        rows = self._trace_edge_rows(
            SQL(
                """(e.dst_lot_id, e.dst_partner_id) IN (SELECT * FROM unnest(%s::int[], %s::int[]))""",
                list(node_lots),
                list(node_partners),
            )
        )
        return self._trace_flows(rows)

    @api.model
    def _trace_layout(self, nodes, pairs, seeds, direction):
        """Layered left-to-right layout: ``(layer, row)``, two dicts keyed by node.

        The layer of a node is the longest path to it from the nodes nothing leads to (the lot's
        first holders), following the trace direction; cycles (a lot sent back) are broken at the
        edges a depth-first search finds going back. Upstream graphs are mirrored so that time
        flows left to right. Inside a layer, nodes are ordered by the mean row of the nodes before
        them (barycentre heuristic, fewer crossings), then by enterprise and lot.
        """
        forward = defaultdict(list)
        for src_lot, src_partner, dst_lot, dst_partner in sorted(pairs):
            src, dst = (src_lot, src_partner), (dst_lot, dst_partner)
            if direction == "down":
                forward[src].append(dst)
            else:
                forward[dst].append(src)
        # Reverse post-order of a depth-first search from the seeds: a topological order without back edges.
        state, order = {}, []
        for root in sorted(seeds) + list(nodes):
            if root in state:
                continue
            state[root] = True
            stack = [(root, iter(forward[root]))]
            while stack:
                node, children = stack[-1]
                child = next((c for c in children if c not in state), None)
                if child is None:
                    stack.pop()
                    order.append(node)
                else:
                    state[child] = True
                    stack.append((child, iter(forward[child])))
        order.reverse()
        position = {node: index for index, node in enumerate(order)}
        depth = dict.fromkeys(order, 0)
        for node in order:
            for child in forward[node]:
                if position[child] > position[node]:
                    depth[child] = max(depth[child], depth[node] + 1)
        deepest = max(depth.values(), default=0)
        layer = depth if direction == "down" else {node: deepest - value for node, value in depth.items()}

        # Rows: barycentre of the drawn predecessors (edges are drawn from src on the left to dst).
        before = defaultdict(list)
        for src_lot, src_partner, dst_lot, dst_partner in pairs:
            src, dst = (src_lot, src_partner), (dst_lot, dst_partner)
            if layer[src] < layer[dst]:
                before[dst].append(src)
        names = {
            partner.id: partner.name or ""
            for partner in self.env["res.partner"].sudo().browse({partner for _lot, partner in nodes})
        }
        lot_names = {lot.id: lot.name for lot in self.sudo().browse({lot for lot, _partner in nodes})}
        by_layer = defaultdict(list)
        for node in nodes:
            by_layer[layer[node]].append(node)
        row = {}

        def sort_key(node):
            placed = [row[p] for p in before[node] if p in row]
            centre = sum(placed) / len(placed) if placed else -1.0
            return (centre, names[node[1]], lot_names[node[0]], node)

        for index in sorted(by_layer):
            for rank, node in enumerate(sorted(by_layer[index], key=sort_key)):
                row[node] = rank
        return layer, row

    def _one_step_html(self, direction):
        """One-up (``up``) or one-down (``down``) of the lot as a small HTML table."""
        self.ensure_one()
        steps = self.env["city.trace.edge"]._one_step(self, direction)
        if not steps:
            if direction == "up":
                return Markup("<p class='text-muted'>%s</p>") % self.env._(
                    "No lot or enterprise before this one: it was produced here."
                )
            return Markup("<p class='text-muted'>%s</p>") % self.env._("The lot has not left its holders yet.")
        near = "src_lot_id" if direction == "down" else "dst_lot_id"
        rows = self._trace_edge_rows(SQL("e.%s = %s", SQL.identifier(near), self.id))
        # Upstream, a transformation edge carries the quantity made of this lot, not what the input
        # lot gave: that is the input's line of the event, in the input's own unit.
        consumed = direction == "up" and {(row[0], row[1], row[4]) for row in rows if row[6] == "transform"}
        pair_qty, _received = self._trace_flows([row for row in rows if not consumed or row[6] != "transform"])
        moved = defaultdict(float)
        for (src_lot, src_partner, dst_lot, dst_partner), quantity in pair_qty.items():
            far = (dst_lot, dst_partner) if direction == "down" else (src_lot, src_partner)
            moved[far] += quantity
        if consumed:
            self.env["city.trace.event.line"].flush_model()
            self.env.cr.execute(
                SQL(
                    """SELECT lot_id, event_id, SUM(quantity) FROM city_trace_event_line
                        WHERE role = 'input' AND event_id = ANY(%s) AND lot_id = ANY(%s) GROUP BY 1, 2""",
                    list({event_id for _lot, _partner, event_id in consumed}),
                    list({lot_id for lot_id, _partner, _event in consumed}),
                )
            )
            inputs = {(lot_id, event_id): quantity for lot_id, event_id, quantity in self.env.cr.fetchall()}
            for lot_id, partner_id, event_id in consumed:
                moved[lot_id, partner_id] += inputs.get((lot_id, event_id)) or 0.0
        lots_sudo = self.sudo().browse({lot_id for lot_id, *_rest in steps})
        partners_sudo = self.env["res.partner"].sudo().browse({partner_id for _lot, partner_id, *_rest in steps})
        lot_by_id = {lot.id: lot for lot in lots_sudo}
        partner_by_id = {partner.id: partner for partner in partners_sudo}
        uom_labels = dict(self.env["city.trace.product"]._fields["uom"]._description_selection(self.env))
        body = Markup()
        for lot_id, partner_id, _quantity, event_ids in sorted(
            steps, key=lambda step: (partner_by_id[step[1]].name or "", lot_by_id[step[0]].name)
        ):
            lot, partner = lot_by_id[lot_id], partner_by_id[partner_id]
            quantity = moved.get((lot_id, partner_id), 0.0)
            body += Markup(
                "<tr><td><a href='/odoo/city.trace.lot/%s'>%s</a></td><td>%s</td><td>%s</td>"
                "<td class='text-end'>%s %s</td><td class='text-end'>%s</td></tr>"
            ) % (
                lot.id,
                lot.name,
                lot.product_id.name,
                partner.name,
                f"{quantity:,.10g}",
                uom_labels.get(lot.product_id.uom, ""),
                len(event_ids),
            )
        header = Markup(
            "<table class='table table-sm o_city_trace_one_step'><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Lot"),
            self.env._("Product"),
            self.env._("Enterprise"),
            self.env._("Quantity"),
            self.env._("Events"),
        )
        return header + body + Markup("</tbody></table>")
