import { onMounted, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/** Bus notification sent to each on-duty operator's partner when new alarms are raised. */
export const NEW_ALARM_NOTIFICATION = "city_care_alarm/new";
/** Fallback refresh when a bus notification was missed (tab asleep, connection lost). */
export const REFRESH_INTERVAL = 30000;
const DUTY_GROUP = "city_special_care.group_city_special_care_duty";

/**
 * The duty worker's live alarm inbox: the list reloads as soon as the server announces a new alarm
 * (see city.care.alarm._announce) and every 30 seconds; the control panel switches the user's
 * alarm duty on and off.
 */
export class CareAlarmInboxController extends ListController {
    setup() {
        super.setup();
        this.busService = useService("bus_service");
        this.notification = useService("notification");
        this.orm = useService("orm");
        this.duty = useState({ allowed: false, onDuty: false });
        this.onNewAlarms = this.onNewAlarms.bind(this);

        onWillStart(async () => {
            this.duty.allowed = await user.hasGroup(DUTY_GROUP);
            if (this.duty.allowed) {
                await this.loadDuty();
            }
        });
        onMounted(() => {
            this.busService.subscribe(NEW_ALARM_NOTIFICATION, this.onNewAlarms);
            this.busService.start();
            this.refreshTimer = browser.setInterval(() => this.refresh(), REFRESH_INTERVAL);
        });
        onWillUnmount(() => {
            this.busService.unsubscribe(NEW_ALARM_NOTIFICATION, this.onNewAlarms);
            browser.clearInterval(this.refreshTimer);
        });
    }

    /** Whether reloading now would get in the user's way (a row being edited or selected). */
    get isBusy() {
        const root = this.model.root;
        return Boolean(root.editedRecord) || root.selection.length > 0;
    }

    async refresh() {
        if (!this.isBusy) {
            await this.model.load();
        }
    }

    async onNewAlarms({ count } = {}) {
        this.notification.add(_t("%(count)s new alarm(s) at the desk.", { count: count || 1 }), {
            title: _t("Care alarm"),
            type: "danger",
        });
        if (!this.model.root.editedRecord) {
            await this.model.load();
        }
    }

    async loadDuty() {
        const [values] = await this.orm.read("res.users", [user.userId], ["care_on_duty"]);
        this.duty.onDuty = Boolean(values && values.care_on_duty);
    }

    async onToggleDuty() {
        await this.orm.call("res.users", "action_care_toggle_duty", [[user.userId]]);
        await this.loadDuty();
        this.notification.add(
            this.duty.onDuty
                ? _t("You are on alarm duty: new alarms of your divisions come to you.")
                : _t("You are off alarm duty."),
            { type: this.duty.onDuty ? "success" : "info" }
        );
    }
}

export const careAlarmInboxView = {
    ...listView,
    Controller: CareAlarmInboxController,
    buttonTemplate: "city_special_care.CareAlarmInbox.Buttons",
};

registry.category("views").add("care_alarm_inbox", careAlarmInboxView);
