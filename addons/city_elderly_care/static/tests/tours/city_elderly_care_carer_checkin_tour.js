import { registry } from "@web/core/registry";

// A carer opens the order assigned to her, checks in and checks out (login and the order are
// prepared by the test; the browser location is filled in directly).
function locate(form) {
    return {
        content: "Record the location",
        trigger: `form.${form}`,
        run() {
            document.querySelector(`form.${form} .o_eld_latitude`).value = "43.8379";
            document.querySelector(`form.${form} .o_eld_longitude`).value = "126.5497";
        },
    };
}

registry.category("web_tour.tours").add("city_elderly_care_carer_checkin", {
    url: "/my/elderly/provider-orders",
    steps: () => [
        {
            content: "Open the assigned order",
            trigger: "tr.o_eld_provider_order_row:has(.o_eld_state[data-state='assigned']) a.o_eld_provider_order_link",
            run: "click",
            expectUnloadPage: true,
        },
        locate("o_eld_checkin_form"),
        {
            content: "Check in",
            trigger: "button.o_eld_checkin_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The service has started",
            trigger: ".o_eld_provider_order_page[data-state='in_progress'] .o_eld_message[data-message='checked_in']",
        },
        locate("o_eld_checkout_form"),
        {
            content: "Write the completion notes",
            trigger: "form.o_eld_checkout_form textarea[name='notes']",
            run: "edit 已协助老人洗浴，皮肤无异常。",
        },
        {
            content: "Check out",
            trigger: "button.o_eld_checkout_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The service is done",
            trigger: ".o_eld_provider_order_page[data-state='done'] .o_eld_message[data-message='checked_out']",
        },
    ],
});
