import { registry } from "@web/core/registry";

// The community worker accepts a submitted request (it is dispatched by the rules).
registry.category("web_tour.tours").add("city_community_backend_accept", {
    steps: () => [
        {
            content: "The request form shows the submitted request",
            trigger: ".o_form_view .o_statusbar_status button[data-value=submitted].o_arrow_button_current",
        },
        {
            content: "Accept it",
            trigger: ".o_form_view button[name=action_accept]",
            run: "click",
        },
        {
            content: "It is dispatched to the lead department",
            trigger: ".o_form_view .o_statusbar_status button[data-value=dispatched].o_arrow_button_current",
        },
    ],
});

// The department officer replies through the reply wizard.
registry.category("web_tour.tours").add("city_community_backend_reply", {
    steps: () => [
        {
            content: "Open the reply wizard",
            trigger: ".o_form_view button[name=action_open_reply_wizard]",
            run: "click",
        },
        {
            content: "Write the reply",
            trigger: ".modal .o_field_html .odoo-editor-editable",
            run: "editor 已更换灯泡",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The request is replied",
            trigger: ".o_form_view .o_statusbar_status button[data-value=replied].o_arrow_button_current",
        },
    ],
});
