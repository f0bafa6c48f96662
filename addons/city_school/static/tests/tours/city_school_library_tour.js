import { registry } from "@web/core/registry";

// A portal user searches the library by subject, grade and volume, opens a resource and rates it.
registry.category("web_tour.tours").add("city_school_library", {
    url: "/school/library",
    steps: () => [
        {
            content: "Choose the subject",
            trigger: "form.o_school_library_filters select[name='subject']",
            run: "selectByLabel Mathematics",
        },
        {
            content: "Choose the grade",
            trigger: "form.o_school_library_filters select[name='grade']",
            run: "selectByLabel Grade 3",
        },
        {
            content: "Choose the volume",
            trigger: "form.o_school_library_filters select[name='volume']",
            run: "selectByLabel Second Volume",
        },
        {
            content: "Search",
            trigger: "button.o_school_library_search",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the resource found",
            trigger: "a.o_school_library_item:contains('巡检测试：两位数乘两位数')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Rate it four stars",
            trigger: ".o_school_library_rate button[data-stars='4']",
            run: "click",
        },
        {
            content: "The rating is saved",
            trigger: ".o_school_library_rated",
        },
        {
            content: "The average shows the rating",
            trigger: ".o_school_library_average:contains('4.00')",
        },
    ],
});
