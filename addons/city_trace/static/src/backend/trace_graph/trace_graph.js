import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

// Geometry of the drawing, in SVG user units (pixels at zoom 1).
const NODE_WIDTH = 200;
const NODE_HEIGHT = 58;
const GAP_X = 80;
const GAP_Y = 16;
const PADDING = 16;
const MAX_CHARS = 24;
const ZOOM_STEP = 1.25;

function shorten(text, max = MAX_CHARS) {
    text = text || "";
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function formatQuantity(quantity) {
    if (quantity === null || quantity === undefined || quantity === false) {
        return "";
    }
    return quantity.toLocaleString(undefined, { maximumFractionDigits: 3 });
}

/**
 * The trace graph of a lot: every (lot, holder) reachable downstream or upstream, drawn as an
 * SVG in layers from left to right (the server computes layers and rows, see
 * city.trace.lot.action_trace_graph_data). Clicking a node opens its lot.
 */
export class TraceGraph extends Component {
    static template = "city_trace.TraceGraph";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        const params = this.props.action.params || {};
        const context = this.props.action.context || {};
        this.lotId = Number(params.lot_id || context.active_id);
        this.display = { controlPanel: {}, searchPanel: false };
        this.nodeWidth = NODE_WIDTH;
        this.nodeHeight = NODE_HEIGHT;
        this.state = useState({
            direction: params.direction === "up" ? "up" : "down",
            data: null,
            loading: true,
            zoom: 1,
        });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.loading = true;
        this.state.data = await this.orm.call("city.trace.lot", "action_trace_graph_data", [[this.lotId]], {
            direction: this.state.direction,
        });
        this.state.loading = false;
    }

    async setDirection(direction) {
        if (direction === this.state.direction) {
            return;
        }
        this.state.direction = direction;
        this.props.updateActionState({ direction });
        await this.load();
    }

    zoom(factor) {
        this.state.zoom = factor ? Math.min(4, Math.max(0.1, this.state.zoom * factor)) : 1;
    }

    /** Positions of nodes and edges, and the size of the drawing. */
    get layout() {
        const data = this.state.data;
        const nodes = [];
        const byId = {};
        let rows = 0;
        for (const node of data.nodes) {
            const x = PADDING + node.layer * (NODE_WIDTH + GAP_X);
            const y = PADDING + node.row * (NODE_HEIGHT + GAP_Y);
            rows = Math.max(rows, node.row + 1);
            const quantity = formatQuantity(node.quantity);
            const placed = {
                ...node,
                x,
                y,
                line1: shorten(`${node.lot_name} · ${node.product}`),
                line2: shorten(node.enterprise),
                line3: shorten([node.role_label, quantity && `${quantity} ${node.uom}`].filter(Boolean).join(" · ")),
                title: [
                    `${node.product} / ${node.lot_name}`,
                    node.enterprise,
                    node.role_label,
                    quantity && `${quantity} ${node.uom}`,
                    node.recalled ? _t("Recalled") : "",
                ]
                    .filter(Boolean)
                    .join("\n"),
            };
            nodes.push(placed);
            byId[node.id] = placed;
        }
        const edges = [];
        for (const edge of data.edges) {
            const source = byId[edge.source];
            const target = byId[edge.target];
            if (!source || !target) {
                continue;
            }
            const x1 = source.x + NODE_WIDTH;
            const y1 = source.y + NODE_HEIGHT / 2;
            const x2 = target.x;
            const y2 = target.y + NODE_HEIGHT / 2;
            const back = target.layer <= source.layer;
            const bend = back ? NODE_WIDTH : GAP_X / 2;
            edges.push({
                key: `${edge.source}>${edge.target}`,
                path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
                transformation: edge.transformation,
                back,
                title: `${source.enterprise} → ${target.enterprise}: ${formatQuantity(edge.quantity)} ${target.uom}`,
            });
        }
        const width = 2 * PADDING + data.layers * NODE_WIDTH + Math.max(0, data.layers - 1) * GAP_X;
        const height = 2 * PADDING + rows * NODE_HEIGHT + Math.max(0, rows - 1) * GAP_Y;
        return { nodes, edges, width, height };
    }

    get summary() {
        const data = this.state.data;
        const enterprises = new Set(data.nodes.map((node) => node.partner_id)).size;
        return _t("%(nodes)s holdings of %(lots)s lots by %(enterprises)s enterprises, %(edges)s movements", {
            nodes: data.nodes.length,
            lots: new Set(data.nodes.map((node) => node.lot_id)).size,
            enterprises,
            edges: data.edges.length,
        });
    }

    openLot(node) {
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "city.trace.lot",
            res_id: node.lot_id,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("city_trace.trace_graph", TraceGraph);
