import { registry } from "@web/core/registry";

// A family member opens his relative's care page from the portal home, reads the alarms, visits
// and readings the consent shares, and acknowledges a new alarm (login done by the test).
registry.category("web_tour.tours").add("city_special_care_family_portal", {
    url: "/my",
    steps: () => [
        {
            content: "Open the relatives' care tile",
            trigger: ".o_portal_index_card a[href$='/my/care']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the relative",
            trigger: "a.o_care_recipient_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new SOS alarm is listed",
            trigger: ".o_care_alarms .o_care_alarm[data-state='new'][data-kind='sos']",
        },
        {
            content: "The recent visit is listed",
            trigger: ".o_care_visits .o_care_visit .o_care_visit_findings:contains(按时服药)",
        },
        {
            content: "The latest readings are shown",
            trigger: ".o_care_readings .o_care_heart_rate:contains(137)",
        },
        {
            content: "Acknowledge the new alarm",
            trigger: ".o_care_alarm[data-state='new'] button.o_care_alarm_acknowledge",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page confirms it",
            trigger: ".o_care_message[data-message='acknowledged']",
        },
        {
            content: "The user's acknowledgement is shown, cannot be repeated, and leaves the alarm to the desk",
            trigger:
                ".o_care_alarm[data-kind='sos'][data-state='new']:not(:has(.o_care_alarm_acknowledge)) .o_care_alarm_ack[data-by='self']",
        },
    ],
});
