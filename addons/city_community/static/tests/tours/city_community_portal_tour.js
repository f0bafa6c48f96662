import { registry } from "@web/core/registry";

// The resident submits a request from the catalogue (login done by the test).
registry.category("web_tour.tours").add("city_community_portal_submit", {
    url: "/my/services",
    steps: () => [
        {
            content: "Open the street-lamp item of the catalogue",
            trigger: ".o_city_service_item:contains(测试路灯报修)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Apply online",
            trigger: "a.o_city_apply",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Describe the problem",
            trigger: "textarea#description",
            run: "edit 三单元门口路灯坏了，晚上很黑",
        },
        {
            content: "Say where",
            trigger: "input#address_note",
            run: "edit 三单元门口",
        },
        {
            content: "Submit",
            trigger: "button.o_city_request_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request page shows the reference and the timeline",
            trigger: "#city_request_communication",
        },
    ],
});

// After the reply, the resident rates the handling as unsatisfied.
registry.category("web_tour.tours").add("city_community_portal_rate", {
    url: "/my/requests",
    steps: () => [
        {
            content: "Open the replied request",
            trigger: "a.o_city_request_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The reply is shown",
            trigger: ".o_city_request_reply:contains(已更换灯泡)",
        },
        {
            content: "Choose unsatisfied",
            trigger: "input#rate_unsatisfied",
            run: "click",
        },
        {
            content: "Explain",
            trigger: ".o_city_rate textarea[name=comment]",
            run: "edit 灯还是不亮",
        },
        {
            content: "Send the rating",
            trigger: "button.o_city_rate_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The rating form is gone once rated",
            trigger: "#city_request_communication:not(:has(.o_city_rate))",
        },
    ],
});
