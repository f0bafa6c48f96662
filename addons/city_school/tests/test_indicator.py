import base64
import io
import zipfile

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

from .common import SchoolCase


@tagged("post_install", "-at_install")
class TestIndicator(SchoolCase, TransactionCase):
    @freeze_time("2026-11-20 08:00:00")
    def test_indicators_by_district(self):
        # only the test's schools count (demo schools are archived)
        self.env["city.school"].search([("id", "not in", (self.school_a | self.school_b).ids)]).action_archive()
        channel = self.env["slide.channel"].create({"name": "一年级语文资源", "school_id": self.school_a.id})
        slide = self.env["slide.slide"].create(
            {
                "name": "《秋天》课件",
                "channel_id": channel.id,
                "slide_category": "document",
                "user_id": self.teacher_user_a.id,
            }
        )
        # Published by the city's approval at the end of the review (the only way onto the website).
        slide.sudo()._library_move("published", is_published=True)
        self.assertEqual(slide.school_id, self.school_a)
        self.env["slide.slide"].create(
            {"name": "未发布", "channel_id": channel.id, "slide_category": "document", "school_id": self.school_b.id}
        )
        report = self.env["city.school.indicator.report"].with_user(self.bureau_user).create({"date": "2026-11-20"})
        report.action_compute()
        lines = {line.district_id: line for line in report.line_ids}
        self.assertEqual(lines[self.district].school_with_resources, 1)
        self.assertEqual(lines[self.district].active_teacher_count, 1)
        self.assertEqual(lines[self.other_district].school_with_resources, 0)
        self.assertEqual(lines[self.other_district].active_teacher_count, 0)
        self.assertEqual(report.school_count, 2)
        self.assertEqual((report.school_rate, report.teacher_rate), (50.0, 50.0))
        action = report.action_export()
        self.assertIn("download=true", action["url"])
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(report.file_data))) as book:
            self.assertIn("xl/worksheets/sheet1.xml", book.namelist())
        # 40 days later the teacher is no longer active
        later = self.env["city.school.indicator.report"].with_user(self.bureau_user).create({"date": "2026-12-30"})
        later.action_compute()
        self.assertEqual(later.active_teacher_count, 0)
        self.assertEqual(later.school_with_resources, 1)
        # school staff see only their own school in the indicators
        own = self.env["city.school.indicator.report"].with_user(self.admin_user_b).create({"date": "2026-11-20"})
        own.action_compute()
        self.assertEqual(own.school_count, 1)
