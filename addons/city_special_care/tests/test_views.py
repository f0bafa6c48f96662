import json
from ast import literal_eval

from lxml import etree

from odoo.tests import HttpCase, TransactionCase, tagged

from .common import CareCase

WORKER_GROUP = "city_special_care.group_city_special_care_worker"
RECORD_VIEWS = ("list", "kanban", "form")


def spec_from_arch(model, node):
    """The ``web_read`` specification the web client builds for the fields of a view ``node``."""
    spec = {}
    for field_node in node.iter("field"):
        parent = field_node.getparent()
        while parent is not None and parent is not node and parent.tag != "field":
            parent = parent.getparent()
        if parent is not node:
            continue  # a field of an embedded x2many view
        name = field_node.get("name")
        field = model._fields[name]
        if field.type in ("one2many", "many2many"):
            subview = next((child for child in field_node if child.tag in ("list", "kanban")), None)
            comodel = model.env[field.comodel_name]
            spec[name] = {"fields": spec_from_arch(comodel, subview) if subview is not None else {"display_name": {}}}
        elif field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


class CareViewsMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alarm_a = (
            cls.env["city.care.alarm"]
            .sudo()
            .create({"recipient_id": cls.recipient_a.id, "device_id": cls.device_a.id, "kind": "sos"})
        )
        cls.env["city.care.contact"].create(
            {"recipient_id": cls.recipient_b.id, "name": "李强", "phone": "13904329876", "relation": "child"}
        )

    @classmethod
    def addon_actions(cls):
        data = cls.env["ir.model.data"].search(
            [("module", "=", "city_special_care"), ("model", "=", "ir.actions.act_window")]
        )
        return cls.env["ir.actions.act_window"].browse(data.mapped("res_id"))

    def open_views(self, user, action):
        """Load an action's views as the web client does; read a few records with each record view."""
        model = self.env[action.res_model].with_user(user)
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
        modes = {mode for _id, mode in views}
        views += [(False, mode) for mode in action.view_mode.split(",") if mode not in modes]
        result = model.get_views(views + [(False, "search")], {"action_id": action.id, "load_filters": True})
        for mode, view in result["views"].items():
            self.assertTrue(view["arch"], f"{action.name} {mode} for {user.login}")
            if mode not in RECORD_VIEWS:
                continue
            arch = etree.fromstring(view["arch"])
            spec = spec_from_arch(model, arch)
            domain = literal_eval(action.domain) if action.domain else []
            records = model.search(domain, limit=5)
            if mode == "form":
                for record in records[:2]:
                    self.assertTrue(record.web_read(spec), f"{action.name} form for {user.login}")
            elif records:
                self.assertTrue(model.web_search_read(domain, spec, limit=5)["records"])
        return result


@tagged("post_install", "-at_install")
class TestViews(CareViewsMixin, CareCase, TransactionCase):
    def test_actions_render_for_each_role(self):
        """Every window action of the addon renders its views and reads its records for each role that
        can read its model."""
        actions = self.addon_actions()
        self.assertGreaterEqual(len(actions), 17)
        self.assertIn(self.env.ref("city_special_care.city_care_alarm_action"), actions)
        opened = 0
        for user in (self.worker_a, self.duty_a, self.counsellor, self.manager, self.supervisor):
            # Each user in a request of their own: x2many values cached for the previous user (activities
            # only a manager may see) are not what this user would read.
            self.env.invalidate_all()
            for action in actions:
                if not self.env[action.res_model].with_user(user).has_access("read"):
                    continue
                try:
                    self.open_views(user, action)
                except Exception as error:
                    raise AssertionError(f"{action.name} as {user.login}: {error}") from error
                opened += 1
        # Nobody here reads the settings; the three care roles not the access log either; the care manager
        # everything else; the supervisor neither assessments, device events nor counselling.
        count = len(actions)
        self.assertEqual(opened, 3 * (count - 2) + (count - 1) + (count - 4))

    def test_alarm_inbox_is_live(self):
        action = self.env.ref("city_special_care.city_care_alarm_action_inbox")
        result = (
            self.env["city.care.alarm"]
            .with_user(self.duty_a)
            .get_views([(view.view_id.id, view.view_mode) for view in action.view_ids], {"action_id": action.id})
        )
        arch = etree.fromstring(result["views"]["list"]["arch"])
        self.assertEqual(arch.get("js_class"), "care_alarm_inbox")
        self.assertEqual(literal_eval(action.domain), [("state", "!=", "resolved")])
        # The other alarm lists are plain lists.
        all_alarms = self.env.ref("city_special_care.city_care_alarm_action")
        result = self.env["city.care.alarm"].with_user(self.duty_a).get_views([(False, "list")])
        self.assertFalse(etree.fromstring(result["views"]["list"]["arch"]).get("js_class"))
        self.assertEqual(all_alarms.view_ids[0].view_id, self.env.ref("city_special_care.city_care_alarm_view_list"))

    def test_recipient_form_as_worker(self):
        """A care worker opens the full care file of a recipient of their division; reading it as the
        responsible worker leaves no access-log entry, as another worker it does."""
        Recipient = self.env["city.care.recipient"].with_user(self.worker_a)
        form = Recipient.get_views([(False, "form")])["views"]["form"]
        arch = etree.fromstring(form["arch"])
        for name in ("health_note", "assessment_ids", "zone_ids", "contact_ids", "manual_category_ids"):
            self.assertTrue(arch.xpath(f"//field[@name='{name}']"), name)
        self.assertTrue(arch.xpath("//button[@name='action_major_change']"))
        self.assertTrue(arch.xpath("//button[@name='action_view_alarms']"))
        values = Recipient.browse(self.recipient_a.id).web_read(spec_from_arch(Recipient, arch))[0]
        self.assertEqual(values["name"], self.resident_a.name)
        self.assertEqual(values["open_alarm_count"], 1)
        log = self.env["city.care.access.log"].search([("recipient_id", "=", self.recipient_a.id)])
        self.assertFalse(log)
        # Another care worker of the division opening the same form is logged.
        Recipient = Recipient.with_user(self.duty_a)
        Recipient.browse(self.recipient_a.id).web_read(spec_from_arch(Recipient, arch))
        log = self.env["city.care.access.log"].search([("recipient_id", "=", self.recipient_a.id)])
        self.assertEqual(log.user_id, self.duty_a)
        self.assertIn("health_note", log.fields_read)

    def test_recipient_views_as_supervisor(self):
        """A city supervisor (no care group) lists and opens care files: the health data and the safe
        zones are left out of the views instead of raising an access error."""
        Recipient = self.env["city.care.recipient"].with_user(self.supervisor)
        views = Recipient.get_views([(False, "list"), (False, "kanban"), (False, "form"), (False, "search")])["views"]
        records = Recipient.web_search_read([], spec_from_arch(Recipient, etree.fromstring(views["list"]["arch"])))
        self.assertLessEqual(
            {self.recipient_a.id, self.recipient_b.id}, {record["id"] for record in records["records"]}
        )
        form = etree.fromstring(views["form"]["arch"])
        for name in ("health_note", "assessment_ids", "care_level", "zone_ids", "last_heart_rate"):
            self.assertFalse(form.xpath(f"//field[@name='{name}']"), name)
        self.assertFalse(form.xpath("//page[@name='health']"))
        self.assertFalse(form.xpath("//button[@name='action_major_change']"))
        values = Recipient.browse(self.recipient_a.id).web_read(spec_from_arch(Recipient, form))[0]
        self.assertEqual(values["contact_ids"][0]["name"], self.family_contact.name)
        self.assertFalse(etree.fromstring(views["search"]["arch"]).xpath("//filter[@name='severe']"))

    def test_alarm_form_as_duty_operator(self):
        Alarm = self.env["city.care.alarm"].with_user(self.duty_a)
        form = etree.fromstring(Alarm.get_views([(False, "form")])["views"]["form"]["arch"])
        buttons = {button.get("name") for button in form.xpath("//header/button")}
        self.assertLessEqual(
            {
                "action_acknowledge",
                "action_callback_verified",
                "action_callback_no_answer",
                "action_dispatch",
                "action_arrived",
                "action_resolve",
            },
            buttons,
        )
        values = Alarm.browse(self.alarm_a.id).web_read(spec_from_arch(Alarm, form))[0]
        self.assertEqual(values["recipient_phone"], self.resident_a.mobile)
        self.assertEqual([contact["name"] for contact in values["contact_ids"]], [self.family_contact.name])
        # Supervisors read the alarm without the device events (no access to them) and without buttons.
        form = etree.fromstring(
            self.env["city.care.alarm"].with_user(self.supervisor).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertFalse(form.xpath("//field[@name='event_ids']"))
        self.assertFalse(form.xpath("//header/button"))

    def test_menus_by_role(self):
        def visible(user):
            return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

        ref = self.env.ref
        worker, duty, manager, supervisor = (
            visible(self.worker_a),
            visible(self.duty_a),
            visible(self.manager),
            visible(self.supervisor),
        )
        city_worker = visible(self.city_worker)
        root = ref("city_special_care.city_special_care_menu_root").id
        inbox = ref("city_special_care.city_care_alarm_menu_inbox").id
        statistics = ref("city_special_care.city_care_alarm_menu_statistics").id
        categories = ref("city_special_care.city_care_category_menu").id
        access_log = ref("city_special_care.city_care_access_log_menu").id
        events = ref("city_special_care.city_care_event_menu").id
        assessments = ref("city_special_care.city_care_assessment_menu").id
        recipients = ref("city_special_care.city_care_recipient_menu").id
        config = ref("city_special_care.city_special_care_menu_config").id
        self.assertNotIn(root, city_worker)
        self.assertTrue({root, recipients, assessments, events} <= worker)
        self.assertFalse({inbox, statistics, categories, access_log, config} & worker)
        self.assertIn(inbox, duty)
        self.assertTrue({inbox, statistics, categories, access_log, config} <= manager)
        self.assertTrue({root, recipients, statistics, access_log} <= supervisor)
        self.assertFalse({inbox, categories, events, assessments} & supervisor)
        # Every menu a role sees opens a model it may read.
        for user, menu_ids in ((self.worker_a, worker), (self.supervisor, supervisor), (self.manager, manager)):
            menus = (
                self.env["ir.ui.menu"]
                .browse(menu_ids)
                .filtered(lambda m: m.action and m.action._name == "ir.actions.act_window")
            )
            for menu in menus:
                if menu.action.res_model.startswith("city.care"):
                    self.assertTrue(
                        self.env[menu.action.res_model].with_user(user).has_access("read"),
                        f"{menu.complete_name} for {user.login}",
                    )

    def test_duty_toggle(self):
        Users = self.env["res.users"]
        preferences = self.env.ref("base.view_users_form_simple_modif").id
        arch = Users.with_user(self.duty_a).get_views([(preferences, "form")])["views"]["form"]["arch"]
        self.assertIn('name="care_on_duty"', arch)
        arch = Users.with_user(self.worker_a).get_views([(preferences, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="care_on_duty"', arch)
        self.assertTrue(self.duty_a.care_on_duty)
        self.duty_a.with_user(self.duty_a).action_care_toggle_duty()
        self.assertFalse(self.duty_a.care_on_duty)
        self.env.ref("city_special_care.res_users_action_care_toggle_duty").with_user(self.duty_a).run()
        self.assertTrue(self.duty_a.care_on_duty)

    def test_settings(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        tree = etree.fromstring(arch)
        app = tree.xpath("//app[@name='city_special_care']")
        self.assertTrue(app)
        for name in (
            "care_ack_escalation_seconds",
            "care_arrival_timeout_minutes",
            "care_follow_up_hours",
            "care_visit_escalate_days",
        ):
            self.assertTrue(app[0].xpath(f".//field[@name='{name}']"), name)


@tagged("post_install", "-at_install")
class TestViewsBrowser(CareViewsMixin, CareCase, HttpCase):
    def test_inbox_duty_toggle(self):
        """The inbox list loads in the browser with its duty switch; switching it off reaches the server."""
        self.assertTrue(self.duty_a.care_on_duty)
        code = """
            (async () => {
                const rows = document.querySelectorAll(".o_list_view .o_data_row");
                if (!rows.length) {
                    throw new Error("the open alarm is not in the inbox");
                }
                const toggle = document.querySelector(".o_care_duty_toggle");
                if (!toggle.classList.contains("btn-success")) {
                    throw new Error("the on-duty user is shown off duty");
                }
                toggle.click();
                for (let i = 0; i < 100; i++) {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                    if (document.querySelector(".o_care_duty_toggle.btn-secondary")) {
                        console.log("test successful");
                        return;
                    }
                }
                throw new Error("the duty switch did not turn off");
            })();
        """
        self.browser_js(
            "/odoo/action-city_special_care.city_care_alarm_action_inbox",
            code,
            ready="Boolean(document.querySelector('.o_care_duty_toggle') && document.querySelector('.o_data_row'))",
            login=self.duty_a.login,
        )
        self.duty_a.invalidate_recordset(["care_on_duty"])
        self.assertFalse(self.duty_a.care_on_duty)

    def test_inbox_reloads_on_new_alarm(self):
        """A fall posted by the device gateway raises an alarm; the server announces it on the bus and the
        open inbox shows it at once, with a warning."""
        key = self.env["res.users.apikeys"].with_user(self.gateway).sudo()._generate(None, "test gateway", None)
        code = """
            (async (key, imei) => {
                const rows = () => document.querySelectorAll(".o_list_view .o_data_row").length;
                if (rows() !== 1) {
                    throw new Error(`expected the one open alarm, got ${rows()} rows`);
                }
                const response = await fetch("/api/city/v1/care/events", {
                    method: "POST",
                    headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
                    body: JSON.stringify({
                        event_id: "browser-fall-1",
                        imei,
                        type: "fall",
                        occurred_at: new Date(Date.now() - 5000).toISOString(),
                    }),
                });
                if (!response.ok) {
                    throw new Error(`the device API answered ${response.status}: ${await response.text()}`);
                }
                // Ask the websocket for the notifications sent since the page was loaded.
                odoo.__WOWL_DEBUG__.root.env.services.bus_service.forceUpdateChannels();
                for (let i = 0; i < 200; i++) {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                    const toast = document.querySelector(".o_notification");
                    if (rows() === 2 && toast) {
                        console.log("test successful");
                        return;
                    }
                }
                throw new Error(`the inbox was not refreshed: ${rows()} rows`);
            })"""
        code += f"({json.dumps(key)}, {json.dumps(self.device_a.imei)});"
        self.browser_js(
            "/odoo/action-city_special_care.city_care_alarm_action_inbox",
            code,
            ready="Boolean(document.querySelector('.o_care_duty_toggle') && document.querySelector('.o_data_row'))",
            login=self.duty_a.login,
        )
        self.assertEqual(len(self.alarms(self.recipient_a, "fall")), 1)

    def test_every_view_renders_in_the_browser(self):
        """Each action of the addon opens in the web client in each of its view types, and its first record
        opens in the form view, without a client error."""
        records = self.addon_actions().filtered(lambda action: action.res_model != "res.config.settings")
        xmlids = records.get_external_id()
        actions = [[xmlids[action.id], action.view_mode.split(",")] for action in records]
        code = """
            (async (actions) => {
                const env = odoo.__WOWL_DEBUG__.root.env;
                const wait = async (selector, what) => {
                    for (let i = 0; i < 200; i++) {
                        const element = document.querySelector(selector);
                        if (element) {
                            return element;
                        }
                        await new Promise((resolve) => setTimeout(resolve, 25));
                    }
                    throw new Error(`${what}: ${selector} did not appear`);
                };
                let forms = 0;
                for (const [xmlid, modes] of actions) {
                    await env.services.action.doAction(xmlid, { clearBreadcrumbs: true });
                    for (const mode of modes.filter((mode) => mode !== "form")) {
                        await env.services.action.switchView(mode);
                        await wait(`.o_action_manager .o_view_controller.o_${mode}_view`, `${xmlid} ${mode}`);
                    }
                    if (modes.includes("list") && modes.includes("form")) {
                        await env.services.action.switchView("list");
                        const list = await wait(".o_action_manager .o_list_view", `${xmlid} list`);
                        const cell = list.querySelector(".o_data_row:not(.o_sample_data_disabled) .o_data_cell");
                        if (cell && !list.querySelector(".o_view_sample_data")) {
                            cell.click();
                            await wait(".o_action_manager .o_form_view", `${xmlid} form`);
                            forms++;
                        }
                    }
                }
                if (forms < 8) {
                    throw new Error(`only ${forms} records were opened in a form`);
                }
                await env.services.action.doAction("city_special_care.res_config_settings_action");
                await wait(".o_action_manager .o_setting_container [name='care_ack_escalation_seconds']", "settings");
                console.log("test successful");
            })"""
        code += f"({json.dumps(actions)});"
        self.browser_js("/odoo", code, ready="Boolean(odoo.__WOWL_DEBUG__)", login="admin", timeout=180)
