import { registry } from "@web/core/registry";

// The holder opens the one-card from the portal home, filters the history and reports the card
// lost (login done by the test).
registry.category("web_tour.tours").add("city_card_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the one-card tile",
            trigger: ".o_portal_index_card a[href$='/my/cards']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the card",
            trigger: "a.o_city_card_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The history lists top-ups and payments",
            trigger: ".o_city_card_history_table tr.o_city_card_entry[data-kind='payment']",
        },
        {
            content: "Show the top-ups only",
            trigger: "select#city_card_kind",
            run: "select topup",
        },
        {
            content: "Filter",
            trigger: "button.o_city_card_history_filter",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Only top-ups are listed",
            trigger:
                ".o_city_card_history_table:not(:has(tr.o_city_card_entry:not([data-kind='topup']))) tr.o_city_card_entry[data-kind='topup']",
        },
        {
            content: "Report the card lost",
            trigger: "button.o_city_card_report_lost",
            run: "click",
        },
        {
            content: "Confirm in the dialog",
            trigger: "#city_card_lost_modal.show button.o_city_card_lost_confirm",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The card is marked lost",
            trigger: ".o_city_card_lost_done",
        },
        {
            content: "The status badge says so and the buttons are gone",
            trigger: ".o_city_card_page:not(:has(.o_city_card_report_lost)) .o_city_card_state[data-state='lost']",
        },
    ],
});
