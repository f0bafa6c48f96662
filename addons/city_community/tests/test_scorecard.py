import base64
import io
import zipfile

from odoo.tests import TransactionCase, tagged

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestScorecard(CommunityCase, TransactionCase):
    def test_rates_per_department(self):
        with self.at(2025, 11, 3, 1, 0):
            on_time = self.accepted()
            late = self.accepted()
            refused = self.submitted()
            refused.action_refuse("不属于受理范围")
        with self.at(2025, 11, 4, 2, 0):
            on_time.with_user(self.officer_city).action_reply("<p>好了</p>")
            on_time.action_visit("satisfied")
        with self.at(2025, 11, 20, 2, 0):
            late.with_user(self.officer_city).action_reply("<p>晚了</p>")
            late.action_visit("unsatisfied")
        self.env.flush_all()
        Report = self.env["city.request.report"]
        domain = [("request_id", "in", (on_time | late | refused).ids)]
        [(count, one_stop, on_time_rate, satisfaction, reopen)] = Report._read_group(
            domain + [("department_id", "=", self.dept_city.id)],
            [],
            ["__count", "one_stop_rate:avg", "on_time_rate:avg", "satisfaction_rate:avg", "reopen_rate:avg"],
        )
        self.assertEqual(count, 2)
        self.assertEqual(one_stop, 100)
        self.assertEqual(on_time_rate, 50)
        self.assertEqual(satisfaction, 50)
        self.assertEqual(reopen, 50)
        self.assertEqual(Report.search_count(domain), 3, "refused requests count as received")
        # visits: the unsatisfied one counts against the department
        [(rate,)] = self.env["city.request.visit"]._read_group(
            [("department_id", "=", self.dept_city.id)], [], ["satisfied:avg"]
        )
        self.assertEqual(rate, 50)

    def test_export_workbook(self):
        with self.at(2025, 11, 3, 1, 0):
            self.accepted()
        wizard = (
            self.env["city.scorecard.export.wizard"]
            .with_user(self.supervisor)
            .create({"date_from": "2025-11-01", "date_to": "2025-11-30"})
        )
        action = wizard.action_export()
        self.assertIn("download=true", action["url"])
        data = base64.b64decode(wizard.file)
        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            sheet = workbook.read("xl/sharedStrings.xml").decode()
        self.assertIn(self.dept_city.name, sheet)
        self.assertIn(self.community_a.name, sheet)
