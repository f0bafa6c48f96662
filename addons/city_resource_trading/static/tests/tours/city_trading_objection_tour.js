import { registry } from "@web/core/registry";

// From the procedure page, a bidder files an objection against the published candidates, reads it back and finds it in
// the list of its objections (login and the procedure in publicity prepared by the test).
registry.category("web_tour.tours").add("city_trading_objection_tour", {
    steps: () => [
        {
            content: "From the procedure page, object to the result",
            trigger: "a.o_trading_new_objection",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Write the objection",
            trigger: "form.o_trading_objection_form textarea[name='text']",
            run: "edit 第一中标候选人拟派项目经理有在建工程。",
        },
        {
            content: "Submit it",
            trigger: "form.o_trading_objection_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The objection page shows the text",
            trigger: ".o_trading_objection_text:contains('拟派项目经理有在建工程')",
        },
        {
            content: "Back to my objections",
            trigger: ".o_portal_submenu a[href$='/my/trading/objections']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The objection is listed",
            trigger: "tr.o_trading_objection_row",
        },
    ],
});
