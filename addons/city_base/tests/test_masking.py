from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..tools.validators import resident_id_check_char
from .common import CityTransactionCase


@tagged("post_install", "-at_install")
class TestMasking(CityTransactionCase):
    def test_masked_value(self):
        self.assertEqual(self.resident_a.resident_id_masked, self.id_a[:6] + "********" + self.id_a[14:])
        self.assertNotIn(self.id_a[6:14], self.resident_a.resident_id_masked)

    def test_full_number_needs_personal_data_group(self):
        with self.assertRaises(AccessError):
            self.resident_a.with_user(self.worker_a).read(["resident_id_number"])
        with self.assertRaises(AccessError):
            self.resident_a.with_user(self.supervisor).read(["resident_id_number"])
        data = self.resident_a.with_user(self.privacy).read(["resident_id_number", "resident_id_masked"])[0]
        self.assertEqual(data["resident_id_number"], self.id_a)
        # the privacy viewer is still scoped to its community
        with self.assertRaises(AccessError):
            self.resident_b.with_user(self.privacy).read(["resident_id_number"])

    def test_views_hide_the_full_number(self):
        action_views = [(self.env.ref("base.view_partner_form").id, "form")]
        for user, visible in ((self.worker_a, False), (self.privacy, True)):
            views = self.env["res.partner"].with_user(user).get_views(action_views)
            arch = views["views"]["form"]["arch"]
            self.assertEqual('name="resident_id_number"' in arch, visible, user.login)
            self.assertEqual('name="resident_id_input"' in arch, not visible, user.login)
            fields = views["models"]["res.partner"]["fields"]
            self.assertEqual("resident_id_number" in fields, visible, user.login)
        list_arch = (
            self.env["res.partner"]
            .with_user(self.worker_a)
            .get_views([(self.env.ref("city_base.res_partner_view_list_resident").id, "list")])["views"]["list"]["arch"]
        )
        self.assertIn("resident_id_masked", list_arch)

    def test_export(self):
        self.worker_a.groups_id += self.env.ref("base.group_allow_export")
        rows = self.resident_a.with_user(self.worker_a).export_data(["name", "resident_id_masked"])["datas"]
        self.assertEqual(rows, [[self.resident_a.name, self.resident_a.resident_id_masked]])
        with self.assertRaises(AccessError):
            self.resident_a.with_user(self.worker_a).export_data(["resident_id_number"])
        fields = self.env["res.partner"].with_user(self.worker_a).fields_get()
        self.assertNotIn("resident_id_number", fields)
        self.assertIn("resident_id_number", self.env["res.partner"].with_user(self.privacy).fields_get())

    def test_search_by_full_number_without_seeing_it(self):
        found = self.env["res.partner"].with_user(self.worker_a).search([("resident_id_search", "=", self.id_a)])
        self.assertEqual(found, self.resident_a)
        # name search (many2one fields) by full ID number as well
        results = self.env["res.partner"].with_user(self.worker_a).name_search(self.id_a)
        self.assertEqual([r[0] for r in results], [self.resident_a.id])
        # but never across the division scope
        self.assertFalse(
            self.env["res.partner"].with_user(self.worker_a).search([("resident_id_search", "=", self.id_b)])
        )

    def test_chatter_tracks_masked_value_only(self):
        partner = self.resident_a.with_context(tracking_disable=False)
        new_id = self.id_a[:14] + "9" + self.id_a[15:17]
        new_id = new_id + resident_id_check_char(new_id)
        partner.sudo().resident_id_number = new_id
        self.env.flush_all()
        self.env.cr.precommit.run()
        values = self.env["mail.tracking.value"].search(
            [("mail_message_id.model", "=", "res.partner"), ("mail_message_id.res_id", "=", partner.id)]
        )
        bodies = " ".join(f"{value.old_value_char} {value.new_value_char}" for value in values)
        self.assertIn(partner.resident_id_masked, bodies)
        self.assertNotIn(new_id, bodies)
        self.assertNotIn(self.id_a, bodies)
