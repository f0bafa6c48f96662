import { registry } from "@web/core/registry";

// An elder complains about a done service from its order page (login and the order are prepared by
// the test); the complaint becomes a community request listed on the page.
registry.category("web_tour.tours").add("city_elderly_care_community_complaint", {
    steps: () => [
        {
            content: "Describe the problem",
            trigger: "form.o_eld_complain_form textarea[name='description']",
            run: "edit 护理员迟到了四十分钟。",
        },
        {
            content: "Submit the complaint",
            trigger: "button.o_eld_complain_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint is filed and listed; no second one can be filed while it is open",
            trigger:
                ".o_eld_order_page:not(:has(.o_eld_complain_form)) .o_eld_message[data-message='complained'] ~ .o_eld_complaints .o_eld_complaint",
        },
    ],
});
