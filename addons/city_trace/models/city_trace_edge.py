from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

# Custody moves between enterprises: the sender ships, the receiver receives.
SHIP_STEPS = ("shipping", "transporting")
RECEIVE_STEPS = ("receiving",)


class CityTraceEdge(models.Model):
    """The trace graph, derived from the events: an edge from (lot, holder) to (lot, holder).

    A shipment of lot L from A to B gives (L, A) -> (L, B); a receipt at B from A the same edge;
    a transformation at P gives (input, P) -> (output, P) for every input and output lot. Edges
    of an event declared erroneous are dropped; the events themselves stay. Queries over the
    graph are recursive CTEs, set-based, whatever the depth.
    """

    _name = "city.trace.edge"
    _description = "Trace Graph Edge"
    _log_access = False

    event_id = fields.Many2one("city.trace.event", required=True, index=True, ondelete="cascade")
    src_lot_id = fields.Many2one("city.trace.lot", required=True, ondelete="cascade")
    src_partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    dst_lot_id = fields.Many2one("city.trace.lot", required=True, ondelete="cascade")
    dst_partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    quantity = fields.Float()

    def init(self):
        cr = self.env.cr
        cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_edge_src_idx ON city_trace_edge (src_lot_id, src_partner_id) "
            "INCLUDE (dst_lot_id, dst_partner_id)"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_edge_dst_idx ON city_trace_edge (dst_lot_id, dst_partner_id) "
            "INCLUDE (src_lot_id, src_partner_id)"
        )

    # ------------------------------------------------------------------
    # Indexing events
    # ------------------------------------------------------------------
    @api.model
    def _unit_lots(self, units):
        """Lots packed in each unit, including the units nested inside it: ``{unit_id: {lot_id: qty}}``."""
        if not units:
            return {}
        self.env.cr.execute(
            SQL(
                """SELECT top.id, rel.city_trace_lot_id
                     FROM city_trace_logistic_unit top
                     JOIN city_trace_logistic_unit inner_unit ON starts_with(inner_unit.parent_path, top.parent_path)
                     JOIN city_trace_logistic_unit_city_trace_lot_rel rel
                       ON rel.city_trace_logistic_unit_id = inner_unit.id
                    WHERE top.id = ANY(%s)""",
                units.ids,
            )
        )
        result = defaultdict(dict)
        for unit_id, lot_id in self.env.cr.fetchall():
            result[unit_id][lot_id] = None
        return result

    @api.model
    def _line_lots(self, line, unit_lots):
        if line.lot_id:
            return {line.lot_id.id: line.quantity or None}
        if line.serial_id:
            return {line.serial_id.lot_id.id: 1.0}
        if line.unit_id:
            return unit_lots.get(line.unit_id.id, {})
        return {}

    @api.model
    def _index(self, events):
        """Add the edges of ``events`` (one INSERT for the batch)."""
        events = events.filtered(lambda e: not e.is_erroneous and not e.declares_error_of_id)
        self._apply_aggregations(events.filtered(lambda e: e.event_type == "aggregation"))
        relevant = events.filtered(
            lambda e: (
                e.event_type == "transformation"
                or (e.biz_step in SHIP_STEPS and e.dest_partner_id)
                or (e.biz_step in RECEIVE_STEPS and e.source_partner_id)
            )
        )
        if not relevant:
            return
        unit_lots = self._unit_lots(relevant.line_ids.unit_id)
        rows = []
        for event in relevant:
            if event.event_type == "transformation":
                inputs, outputs = {}, {}
                for line in event.line_ids:
                    target = inputs if line.role == "input" else outputs if line.role == "output" else None
                    if target is not None:
                        target.update(self._line_lots(line, unit_lots))
                partner = event.partner_id.id
                rows += [
                    (event.id, src, partner, dst, partner, qty)
                    for src in inputs
                    for dst, qty in outputs.items()
                    if src != dst
                ]
                continue
            if event.biz_step in SHIP_STEPS:
                src_partner, dst_partner = event.partner_id.id, event.dest_partner_id.id
            else:
                src_partner, dst_partner = event.source_partner_id.id, event.partner_id.id
            if src_partner == dst_partner:
                continue
            for line in event.line_ids:
                for lot, qty in self._line_lots(line, unit_lots).items():
                    rows.append((event.id, lot, src_partner, lot, dst_partner, qty))
        if rows:
            columns = list(zip(*rows, strict=True))
            self.env.cr.execute(
                SQL(
                    """INSERT INTO city_trace_edge
                            (event_id, src_lot_id, src_partner_id, dst_lot_id, dst_partner_id, quantity)
                       SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::float8[])""",
                    *[list(column) for column in columns],
                )
            )

    @api.model
    def _apply_aggregations(self, events):
        """Packing (ADD) puts lots into a logistic unit, unpacking (DELETE) takes them out."""
        for event in events.sorted("event_time"):
            parent = event.line_ids.filtered(lambda line: line.role == "parent").unit_id
            children = event.line_ids.filtered(lambda line: line.role == "child")
            lots = children.lot_id | children.serial_id.lot_id
            units = children.unit_id
            if not parent:
                continue
            if event.action == "ADD":
                parent.sudo().write({"lot_ids": [fields.Command.link(lot.id) for lot in lots]})
                units.sudo().write({"parent_id": parent.id})
            elif event.action == "DELETE":
                parent.sudo().write({"lot_ids": [fields.Command.unlink(lot.id) for lot in lots]})
                units.filtered(lambda unit, parent=parent: unit.parent_id == parent).sudo().write({"parent_id": False})

    @api.model
    def _drop_for(self, events):
        """Forget the edges of events declared erroneous."""
        self.env.cr.execute(SQL("DELETE FROM city_trace_edge WHERE event_id = ANY(%s)", events.ids))

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------
    @api.model
    def _graph(self, lots, direction="down", limit=None):
        """The part of the trace graph reachable from ``lots``, following custody downstream or upstream.

        Returns ``{"nodes": [(lot_id, partner_id), ...], "edges": [(src_lot, src_partner, dst_lot,
        dst_partner, quantity, event_id), ...], "truncated": bool}`` computed in one recursive query.
        Every holder of the starting lots (the producer and everyone who shipped or received them)
        is a starting node.
        """
        self.env["city.trace.edge"].flush_model()
        self.env["city.trace.lot"].flush_model(["partner_id"])
        if direction == "down":
            near, far = ("src_lot_id", "src_partner_id"), ("dst_lot_id", "dst_partner_id")
        else:
            near, far = ("dst_lot_id", "dst_partner_id"), ("src_lot_id", "src_partner_id")
        lot_ids = list(lots.ids)
        cap = limit + 1 if limit else None
        query = SQL(
            """WITH RECURSIVE seed(lot_id, partner_id) AS (
                     SELECT id, partner_id FROM city_trace_lot WHERE id = ANY(%(lots)s)
                     UNION SELECT src_lot_id, src_partner_id FROM city_trace_edge WHERE src_lot_id = ANY(%(lots)s)
                     UNION SELECT dst_lot_id, dst_partner_id FROM city_trace_edge WHERE dst_lot_id = ANY(%(lots)s)
               ), reach(lot_id, partner_id) AS (
                     SELECT lot_id, partner_id FROM seed
                     UNION
                     SELECT e.%(far_lot)s, e.%(far_partner)s
                       FROM city_trace_edge e
                       JOIN reach r ON e.%(near_lot)s = r.lot_id AND e.%(near_partner)s = r.partner_id
               )
               SELECT lot_id, partner_id FROM reach %(limit)s""",
            lots=lot_ids,
            far_lot=SQL.identifier(far[0]),
            far_partner=SQL.identifier(far[1]),
            near_lot=SQL.identifier(near[0]),
            near_partner=SQL.identifier(near[1]),
            limit=SQL("LIMIT %s", cap) if cap else SQL(""),
        )
        cr = self.env.cr
        cr.execute(query)
        nodes = cr.fetchall()
        truncated = bool(limit and len(nodes) > limit)
        if truncated:
            nodes = nodes[:limit]
        if not nodes:
            return {"nodes": [], "edges": [], "truncated": False}
        node_lots, node_partners = zip(*nodes, strict=True)
        cr.execute(
            SQL(
                """WITH n(lot_id, partner_id) AS (SELECT * FROM unnest(%s::int[], %s::int[]))
                   SELECT DISTINCT ON (e.src_lot_id, e.src_partner_id, e.dst_lot_id, e.dst_partner_id)
                          e.src_lot_id, e.src_partner_id, e.dst_lot_id, e.dst_partner_id, e.quantity, e.event_id
                     FROM city_trace_edge e
                     JOIN n a ON a.lot_id = e.src_lot_id AND a.partner_id = e.src_partner_id
                     JOIN n b ON b.lot_id = e.dst_lot_id AND b.partner_id = e.dst_partner_id
                    ORDER BY e.src_lot_id, e.src_partner_id, e.dst_lot_id, e.dst_partner_id, e.event_id""",
                list(node_lots),
                list(node_partners),
            )
        )
        return {"nodes": nodes, "edges": cr.fetchall(), "truncated": truncated}

    @api.model
    def _one_step(self, lot, direction="down"):
        """One-up / one-down: the holders and lots directly before or after ``lot``.

        Returns ``[(lot_id, partner_id, quantity, [event ids])]``. A move recorded by both the
        shipment and the receipt counts once: the shipped quantity when there is one, else the received.
        """
        far = ("dst_lot_id", "dst_partner_id") if direction == "down" else ("src_lot_id", "src_partner_id")
        near = "src_lot_id" if direction == "down" else "dst_lot_id"
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT e.%(lot)s, e.%(partner)s,
                          COALESCE(SUM(e.quantity) FILTER (WHERE ev.biz_step <> 'receiving'
                                                              OR ev.biz_step IS NULL),
                                   SUM(e.quantity)),
                          array_agg(DISTINCT e.event_id)
                     FROM city_trace_edge e JOIN city_trace_event ev ON ev.id = e.event_id
                    WHERE e.%(near)s = %(id)s
                    GROUP BY 1, 2""",
                lot=SQL.identifier(far[0]),
                partner=SQL.identifier(far[1]),
                near=SQL.identifier(near),
                id=lot.id,
            )
        )
        return self.env.cr.fetchall()
