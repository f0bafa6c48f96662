import { registry } from "@web/core/registry";

function assertNodeCount(expected) {
    const count = document.querySelectorAll(".o_city_trace_graph svg .o_city_trace_node").length;
    if (count !== expected) {
        throw new Error(`The trace graph shows ${count} nodes instead of ${expected}`);
    }
}

// An officer opens a paddy lot, traces it downstream through the mill to the shops, then upstream.
registry.category("web_tour.tours").add("city_trace_graph", {
    steps: () => [
        {
            content: "The lot form shows the one-up/one-down page",
            trigger: ".o_form_view .o_notebook a[name=one_step]",
        },
        {
            content: "Open the trace graph",
            trigger: ".o_form_view button[name=action_trace_graph]",
            run: "click",
        },
        {
            content: "The downstream graph reaches the second supermarket",
            trigger: ".o_city_trace_graph svg .o_city_trace_node text:contains(江南超市)",
        },
        {
            content: "Six holdings downstream: the paddy at the farm and the mill, the rice at the mill, distributor and two shops",
            trigger: ".o_city_trace_graph svg .o_city_trace_node_seed",
            run: () => assertNodeCount(6),
        },
        {
            content: "Trace upstream",
            trigger: ".o_city_trace_graph button.o_city_trace_graph_up",
            run: "click",
        },
        {
            content: "Upstream of the paddy lot: only its own holders",
            trigger: ".o_city_trace_graph button.o_city_trace_graph_up.btn-primary",
        },
        {
            content: "The upstream graph is drawn",
            trigger: ".o_city_trace_graph svg .o_city_trace_node_seed",
            run: () => assertNodeCount(2),
        },
        {
            content: "Open the lot from its node",
            trigger: ".o_city_trace_graph svg .o_city_trace_node",
            run: "click",
        },
        {
            content: "Back on the lot form",
            trigger: ".o_form_view button[name=action_trace_graph]",
        },
    ],
});
