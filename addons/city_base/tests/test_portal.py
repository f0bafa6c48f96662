from odoo.tests import tagged

from .common import CityHttpCase


@tagged("post_install", "-at_install")
class TestPortal(CityHttpCase):
    def test_resident_page_shows_masked_id_only(self):
        self.authenticate("t_resident", "t_resident")
        response = self.url_open("/my/resident")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.resident_a.resident_id_masked, response.text)
        self.assertNotIn(self.id_a, response.text)
        self.assertIn(self.grid_a.name, response.text)
        home = self.url_open("/my")
        self.assertIn("/my/resident", home.text)
        self.assertNotIn("/my/organisation", home.text)

    def test_business_page(self):
        self.env["city.credit.record"].create(
            {"partner_id": self.organisation.id, "kind": "blacklist", "source": "测试", "reason": "虚假宣传"}
        )
        self.authenticate("t_business", "t_business")
        response = self.url_open("/my/organisation")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.organisation.uscc, response.text)
        self.assertIn("o_city_blacklisted", response.text)
        # a business user has no resident page
        self.assertTrue(self.url_open("/my/resident").url.endswith("/my"))

    def test_other_users_are_redirected(self):
        self.authenticate("t_business", "t_business")
        self.assertNotIn(self.resident_a.resident_id_masked, self.url_open("/my/resident").text)
        self.authenticate("t_resident", "t_resident")
        self.assertTrue(self.url_open("/my/organisation").url.endswith("/my"))

    def test_tour_resident_logs_in(self):
        self.start_tour("/web/login", "city_base_portal_resident", login=None)
