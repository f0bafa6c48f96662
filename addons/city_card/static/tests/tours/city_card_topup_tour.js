import { registry } from "@web/core/registry";

// The holder tops the card up online with Odoo's demo payment provider (login done by the test).
registry.category("web_tour.tours").add("city_card_topup_tour", {
    url: "/my/cards",
    steps: () => [
        {
            content: "Open the card",
            trigger: "a.o_city_card_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Top up online",
            trigger: "a.o_city_card_topup",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Enter 50 yuan",
            trigger: "input#city_card_topup_amount",
            run: "edit 50",
        },
        {
            content: "Continue to the payment",
            trigger: "button.o_city_card_topup_continue",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The amount to pay is shown",
            trigger: ".o_city_card_topup_amount:contains(50.00)",
        },
        {
            content: "Choose the demo provider",
            trigger: "input[name='o_payment_radio'][data-provider-code='demo']",
            run: "click",
        },
        {
            content: "Fill in the test card",
            trigger: "input#customer_input",
            run: "edit 4111 1111 1111 1111",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']:not(:disabled)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the card: the top-up is credited",
            trigger: ".o_city_card_topup_done",
            timeout: 30000,
        },
        {
            content: "The new balance is shown",
            trigger: ".o_city_card_purse_cash:contains(150.00)",
        },
    ],
});
