import { registry } from "@web/core/registry";

// A supermarket's enterprise user confirms a recall notice in the portal and reports the returned
// quantity (login done by the test; the test starts the recall "TOUR-召回" reaching the supermarket).
registry.category("web_tour.tours").add("city_trace_recall_confirm", {
    url: "/my/recalls",
    steps: () => [
        {
            content: "The notice waits for confirmation",
            trigger: "tr.o_trace_recall_row:contains(TOUR-召回) .o_trace_recall_state",
        },
        {
            content: "Open the recall notice",
            trigger: "a.o_trace_recall_link:contains(TOUR-召回)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page shows what the supermarket received",
            trigger: ".o_trace_recall_received:contains(100)",
        },
        {
            content: "Enter the returned quantity",
            trigger: "input#quantity_returned",
            run: "edit 60",
        },
        {
            content: "Explain",
            trigger: "textarea#note",
            run: "edit 已下架60袋，其余已售出",
        },
        {
            content: "Confirm",
            trigger: "button.o_trace_recall_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation is recorded",
            trigger: ".o_trace_recall_confirmed",
        },
        {
            content: "The returned quantity is shown",
            trigger: ".o_trace_recall_returned:contains(60)",
        },
    ],
});

// An officer starts a recall from the lot form (login done by the test; the mill shipped the lot R2 to
// supermarket 船营超市 only).
registry.category("web_tour.tours").add("city_trace_recall_backend", {
    steps: () => [
        {
            content: "Recall the lot from its form",
            trigger: ".o_form_view .o_trace_recall_button",
            run: "click",
        },
        {
            content: "The new recall names the lot",
            trigger: ".o_field_widget[name=lot_ids] .o_tag:contains(R2)",
        },
        {
            content: "Title",
            trigger: ".o_field_widget[name=title] input",
            run: "edit TOUR 大米 R2 召回",
        },
        {
            content: "Reason",
            trigger: ".o_field_widget[name=reason] textarea",
            run: "edit 抽检镉超标",
        },
        {
            content: "Level I",
            trigger: ".o_field_widget[name=hazard_level] select",
            run: "selectByIndex 1",
        },
        {
            content: "Start the recall",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            content: "Confirm the start",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The recall is in progress: open the list of enterprises",
            trigger: ".o_notebook .nav-link[name=lines]",
            run: "click",
        },
        {
            content: "The supermarket that received the lot is notified",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(船营超市)",
        },
        {
            content: "The mill that made it too",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(丰谷米业)",
        },
    ],
});
