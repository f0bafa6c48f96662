import { registry } from "@web/core/registry";

// A shopper (not logged in) scans the QR code of a lot, reads where it comes from and reports a
// problem (the test opens the lot's Digital Link URL; its product is 舒兰大米 5kg, batch TOUR-R1).
registry.category("web_tour.tours").add("city_trace_scan_report", {
    steps: () => [
        {
            content: "The scan page shows the product",
            trigger: ".o_trace_product_name:contains(舒兰大米 5kg)",
        },
        {
            content: "and the batch",
            trigger: ".o_trace_lot_name:contains(TOUR-R1)",
        },
        {
            content: "and the journey of the batch",
            trigger: ".o_trace_steps .o_trace_step",
        },
        {
            content: "Report a problem",
            trigger: "a.o_trace_report_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The form names the batch",
            trigger: ".o_trace_report .o_trace_lot_name:contains(TOUR-R1)",
        },
        {
            content: "Describe the problem",
            trigger: "textarea#description",
            run: "edit 米袋里有虫子，味道发霉",
        },
        {
            content: "Leave a phone number",
            trigger: "input#contact",
            run: "edit 13904320000",
        },
        {
            content: "Send the report",
            trigger: "button.o_trace_report_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Thank-you message with the reference",
            trigger: ".o_trace_thanks .o_trace_report_reference",
        },
    ],
});
