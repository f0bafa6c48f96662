import { registry } from "@web/core/registry";

// A merchant's business user opens its settlements from the portal home, then one settlement, whose
// statement can be downloaded (login done by the test, which settles a day for the canteen).
registry.category("web_tour.tours").add("city_card_settlement_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the one-card settlements from the portal home",
            trigger: ".o_portal_index_card a[href$='/my/card-settlements']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The canteen's settlement is listed",
            trigger: "tr.o_card_settlement_row:contains(测试社区食堂)",
        },
        {
            content: "Open the settlement",
            trigger: "a.o_card_settlement_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The settled operations are summed up",
            trigger: "table.o_card_settlement_summary tr[data-kind='payment']",
        },
        {
            content: "The statement can be downloaded as a PDF",
            trigger: "a.o_card_settlement_pdf[href*='report_type=pdf']",
        },
    ],
});
