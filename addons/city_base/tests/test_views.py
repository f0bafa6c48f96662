from odoo.tests import tagged

from .common import CityTransactionCase


@tagged("post_install", "-at_install")
class TestViews(CityTransactionCase):
    def test_actions_render_for_each_role(self):
        """Every window action of the addon renders its views for the roles that reach its menu."""
        actions = self.env["ir.actions.act_window"].search(
            [
                (
                    "id",
                    "in",
                    self.env["ir.model.data"]
                    .search([("module", "=", "city_base"), ("model", "=", "ir.actions.act_window")])
                    .mapped("res_id"),
                )
            ]
        )
        self.assertGreaterEqual(len(actions), 8)
        for user in (self.worker_a, self.manager, self.supervisor, self.privacy):
            for action in actions:
                model = self.env[action.res_model].with_user(user)
                if not model.has_access("read"):
                    continue
                views = [(view.view_id.id, view.view_mode) for view in action.view_ids] or [
                    (False, mode) for mode in action.view_mode.split(",")
                ]
                result = model.get_views(views + [(False, "search")])
                self.assertTrue(result["views"], f"{action.name} for {user.login}")

    def test_menus_by_role(self):
        audit_menu = self.env.ref("city_base.city_audit_log_menu")
        visible_worker = self.env["ir.ui.menu"].with_user(self.worker_a)._visible_menu_ids()
        visible_supervisor = self.env["ir.ui.menu"].with_user(self.supervisor)._visible_menu_ids()
        self.assertNotIn(audit_menu.id, visible_worker)
        self.assertIn(audit_menu.id, visible_supervisor)
        self.assertIn(self.env.ref("city_base.res_partner_menu_resident").id, visible_worker)
