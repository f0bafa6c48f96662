import { registry } from "@web/core/registry";

// The enterprise user records a shipment through the portal form and finds it in the events list
// (login done by the test; the test creates the lot TOUR-R1 and the destination enterprise).
registry.category("web_tour.tours").add("city_trace_portal_shipping", {
    url: "/my/trace",
    steps: () => [
        {
            content: "Open the shipping form from the traceability dashboard",
            trigger: "a.o_trace_action_shipping",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Choose the lot",
            trigger: "select#lot_id",
            run: "selectByLabel TOUR-R1",
        },
        {
            content: "Quantity shipped",
            trigger: "input#quantity",
            run: "edit 120",
        },
        {
            content: "Destination enterprise by its name",
            trigger: "input#destination",
            run: "edit 吉林市粮油批发有限公司",
        },
        {
            content: "Despatch document number",
            trigger: "input#document",
            run: "edit FH-TOUR-001",
        },
        {
            content: "Record the shipment",
            trigger: "button.o_trace_capture_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The event page confirms the recording and shows the destination",
            trigger: ".o_trace_recorded",
        },
        {
            content: "The destination is the distributor",
            trigger: ".o_trace_event_destination:contains(吉林市粮油批发有限公司)",
        },
        {
            content: "Go to the events list",
            trigger: "a.o_trace_events_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The shipment is in the list",
            trigger: "tr.o_trace_event_row:contains(FH-TOUR-001):contains(TOUR-R1)",
        },
    ],
});
