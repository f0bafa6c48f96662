import { registry } from "@web/core/registry";

// An elder books a home-care service from the portal, then rates a service that is done
// (login and the done order are prepared by the test).
registry.category("web_tour.tours").add("city_elderly_care_book_and_rate", {
    url: "/my/elderly/orders",
    steps: () => [
        {
            content: "Open the booking form",
            trigger: "a.o_eld_book_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Choose the service",
            trigger: "form.o_eld_book_form select[name='service_id']",
            run: "selectByLabel 测试上门助浴",
        },
        {
            content: "Choose the afternoon slot",
            trigger: "form.o_eld_book_form select[name='slot']",
            run: "select 14",
        },
        {
            content: "Write a note",
            trigger: "form.o_eld_book_form textarea[name='note']",
            run: "edit 希望下午两点后上门。",
        },
        {
            content: "Book",
            trigger: "button.o_eld_book_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The booking is confirmed",
            trigger: ".o_eld_message[data-message='booked'], .o_eld_message[data-message='dispatched']",
        },
        {
            content: "Back to the orders",
            trigger: ".o_portal_submenu a[href$='/my/elderly/orders']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the done order",
            trigger: "tr.o_eld_order_row:has(.o_eld_state[data-state='done']) a.o_eld_order_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Give four stars",
            trigger: "form.o_eld_rate_form label[for='o_eld_star_4']",
            run: "click",
        },
        {
            content: "Comment",
            trigger: "form.o_eld_rate_form textarea[name='comment']",
            run: "edit 护理员很耐心，洗得很干净。",
        },
        {
            content: "Send the rating",
            trigger: "button.o_eld_rate_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The rating is recorded and cannot be given again",
            trigger:
                ".o_eld_order_page:not(:has(.o_eld_rate_form)) .o_eld_message[data-message='rated'] ~ .o_eld_rated .o_eld_rating[data-rating='4']",
        },
    ],
});
