import json
import re

from odoo.tests import HttpCase, tagged

from ..tools import lottery
from .enrolment_common import PDF, EnrolmentCase


@tagged("post_install", "-at_install")
class TestSchoolPortal(EnrolmentCase, HttpCase):
    def test_tour_parent_apply_and_result(self):
        placed = self.make_app("王小明", household=self.grid_a, home=self.grid_a)
        self.approve(placed)
        # a second campaign stage is not needed: the same campaign stays open for the tour's new application
        self.campaign.order_rule = "lottery"
        self.env.cr.execute(
            "UPDATE city_school_application SET state = 'placed', result_school_id = %s WHERE id = %s",
            [self.school_a.id, placed.id],
        )
        placed.invalidate_recordset()
        self.start_tour("/my/school/applications", "city_school_parent_apply", login="t_parent")
        new = self.env["city.school.application"].search(
            [("parent_partner_id", "=", self.parent_partner.id), ("child_name", "=", "王小雨")]
        )
        self.assertEqual(len(new), 1)
        self.assertEqual((new.state, new.category, new.school_id), ("draft", "2", self.school_a))
        self.assertEqual(set(new.material_ids.mapped("kind")), {"birth", "household"})

    def test_portal_pages_and_isolation(self):
        mine = self.make_app("我的", household=self.grid_a)
        theirs = self.make_app("别人的", household=self.grid_b, user=self.other_parent_user)
        self.authenticate("t_parent", "t_parent")
        response = self.url_open("/my/school/applications")
        self.assertEqual(response.status_code, 200)
        self.assertIn(mine.name, response.text)
        self.assertNotIn(theirs.name, response.text)
        response = self.url_open(f"/my/school/applications/{mine.id}")
        self.assertIn("o_school_materials", response.text)
        self.assertNotIn(mine.sudo().child_id_number, response.text)  # masked
        response = self.url_open(f"/my/school/applications/{theirs.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertNotIn(theirs.name, self.url_open(f"/my/school/applications/{theirs.id}").text)
        # upload then submit through the portal
        material = mine.material_ids[0]
        page = self.url_open(f"/my/school/applications/{mine.id}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.url_open(
            f"/my/school/applications/{mine.id}/material/{material.id}",
            data={"csrf_token": csrf},
            files={"upload": ("scan.pdf", b"%PDF-1.4 test", "application/pdf")},
        )
        self.assertTrue(material.attachment)
        mine.material_ids.write({"attachment": PDF})
        self.url_open(f"/my/school/applications/{mine.id}/submit", data={"csrf_token": csrf})
        self.assertEqual(mine.state, "submitted")
        # another parent cannot upload to or submit my application
        self.url_open(f"/my/school/applications/{theirs.id}/submit", data={"csrf_token": csrf})
        self.assertEqual(theirs.state, "draft")

    def test_public_lottery_page(self):
        apps = self.env["city.school.application"]
        for index in range(5):
            apps |= self.make_app(f"公开{index}", household=self.grid_a, home=self.grid_a)
        self.approve(apps)
        self.campaign.action_close_applications()
        self.campaign.action_publish_seed()
        response = self.url_open(f"/school/enrolment/{self.campaign.id}/lottery")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.campaign.seed, response.text)
        before = json.loads(self.url_open(f"/school/enrolment/{self.campaign.id}/lottery.json").text)
        self.assertEqual(
            lottery.input_digest(before["applications"], before["seats"], before["order_rule"]),
            self.campaign.input_digest,
        )
        self.campaign.action_draw()
        published = json.loads(self.url_open(f"/school/enrolment/{self.campaign.id}/lottery.json").text)
        self.assertEqual(len(published["applications"]), 5)
        self.assertEqual(lottery.verify(published), [])
        script = self.url_open("/school/enrolment/lottery.py")
        self.assertIn("def assign(", script.text)
        draft = self.env["city.school.enrolment.campaign"].create(
            {"name": "草稿", "year": 2027, "stage": "junior", "date_start": "2027-06-01", "date_end": "2027-06-30"}
        )
        self.assertEqual(self.url_open(f"/school/enrolment/{draft.id}/lottery").status_code, 404)
