import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("city_base_portal_resident", {
    url: "/web/login",
    steps: () => [
        {
            content: "Type the resident's login",
            trigger: "input#login",
            run: "edit t_resident",
        },
        {
            content: "Type the password",
            trigger: "input#password",
            run: "edit t_resident",
        },
        {
            content: "Log in",
            trigger: ".oe_login_form button[type=submit].btn-primary",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open my resident record from the portal home",
            trigger: ".o_portal_my_home a[href$='/my/resident']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ID number is shown masked",
            trigger: ".o_city_resident_id:contains(********)",
        },
        {
            content: "The home division is shown",
            trigger: ".o_city_resident_division:contains(甲一网格)",
        },
    ],
});
