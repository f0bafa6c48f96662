import { registry } from "@web/core/registry";

// A parent applies for a school place in the portal, then reads the result of an application the
// test placed beforehand (the draw is run in the backend).
registry.category("web_tour.tours").add("city_school_parent_apply", {
    url: "/my/school/applications",
    steps: () => [
        {
            content: "Open the application form",
            trigger: "a.o_school_apply",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Child's name",
            trigger: "form.o_school_apply_form input[name='child_name']",
            run: "edit 王小雨",
        },
        {
            content: "Child's resident ID",
            trigger: "form.o_school_apply_form input[name='child_id_number']",
            run: "edit 220204202003150518",
        },
        {
            content: "Household division",
            trigger: "form.o_school_apply_form select[name='household_division_id']",
            run: "selectByLabel 吉林市 / 船营区 / 测试街道 / 甲社区 / 甲一网格",
        },
        {
            content: "Household registered on",
            trigger: "form.o_school_apply_form input[name='household_registered_on']",
            run() {
                this.anchor.value = "2020-04-01";
            },
        },
        {
            content: "Save",
            trigger: "button.o_school_apply_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new application is a draft with its checklist",
            trigger: ".o_school_application .o_school_state[data-state='draft']",
        },
        {
            content: "Back to the applications",
            trigger: ".o_portal_submenu a[href$='/my/school/applications']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the placed application",
            trigger: "tr.o_school_application_row:has(.o_school_state[data-state='placed']) a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The result names the school",
            trigger: ".o_school_placed:contains('测试第一实验小学')",
        },
    ],
});
