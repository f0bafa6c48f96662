import { registry } from "@web/core/registry";

// An elder orders a delivered low-salt lunch from the community canteen, then cancels it before the
// cut-off (login and the open menu are prepared by the test).
registry.category("web_tour.tours").add("city_elderly_care_meal_order", {
    url: "/my/elderly/meals",
    steps: () => [
        {
            content: "Choose the open lunch",
            trigger: "form.o_eld_meal_form select[name='menu_id']",
            run: "selectByIndex 1",
        },
        {
            content: "Two meals",
            trigger: "form.o_eld_meal_form input[name='quantity']",
            run: "edit 2",
        },
        {
            content: "Delivered to the home",
            trigger: "form.o_eld_meal_form select[name='fulfilment']",
            run: "select delivery",
        },
        {
            content: "Low salt",
            trigger: "form.o_eld_meal_form select[name='dietary_note']",
            run: "select low_salt",
        },
        {
            content: "Dietary details",
            trigger: "form.o_eld_meal_form input[name='dietary_text']",
            run: "edit 饭菜软一些",
        },
        {
            content: "Order",
            trigger: "button.o_eld_meal_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The meal is ordered",
            trigger: ".o_eld_message[data-message='ordered']",
        },
        {
            content: "Cancel it before the cut-off",
            trigger: "tr.o_eld_meal_row[data-state='ordered'] button.o_eld_meal_cancel",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The meal order is cancelled",
            trigger: ".o_eld_message[data-message='cancelled'] ~ .table tr.o_eld_meal_row[data-state='cancelled'], .o_eld_message[data-message='cancelled']",
        },
    ],
});
