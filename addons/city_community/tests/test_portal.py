import base64
import datetime

from lxml import html

from odoo.tests import tagged
from odoo.tools import format_date

from odoo.addons.city_base.tests.common import CityHttpCase

from .common import CommunityCase


@tagged("post_install", "-at_install")
class TestCommunityPortal(CommunityCase, CityHttpCase):
    def test_tour_submit_reply_unsatisfied_reopens(self):
        self.start_tour("/my/services", "city_community_portal_submit", login="t_resident")
        request = self.env["city.request"].search([("partner_id", "=", self.resident_a.id)], limit=1)
        self.assertEqual(request.channel, "portal")
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.address_note, "三单元门口")
        self.assertEqual(request.division_id, self.grid_a)
        # in the backend the worker accepts (auto-dispatch) and the department officer replies
        url = f"/odoo/action-city_community.city_request_action/{request.id}"
        self.start_tour(url, "city_community_backend_accept", login="t_worker_a")
        self.assertEqual(request.state, "dispatched")
        self.assertEqual(request.department_id, self.dept_city)
        self.start_tour(url, "city_community_backend_reply", login="t_officer_city")
        self.assertEqual(request.state, "replied")
        self.assertIn("已更换灯泡", str(request.reply))
        self.start_tour("/my/requests", "city_community_portal_rate", login="t_resident")
        self.assertEqual(request.state, "dispatched", "unsatisfied reopens and re-dispatches")
        self.assertEqual(request.reopen_count, 1)
        self.assertEqual(request.visit_ids.channel, "portal")
        self.assertEqual(request.visit_ids.satisfaction, "unsatisfied")

    def _csrf(self, url):
        page = self.url_open(url).text
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        return page[start : page.index('"', start)]

    def test_attachments_are_limited(self):
        self.authenticate("t_resident", "t_resident")
        self.env["ir.config_parameter"].sudo().set_param("city_community.portal_max_file_bytes", "1024")
        url = f"/my/requests/new/{self.item_lamp.id}"
        token = self._csrf(url)
        response = self.url_open(
            url,
            data={"csrf_token": token, "description": "附件太大"},
            files={"attachments": ("photo.jpg", b"x" * 2048, "image/jpeg")},
        )
        self.assertIn("o_city_request_error", response.text)
        response = self.url_open(
            url,
            data={"csrf_token": token, "description": "格式不对"},
            files={"attachments": ("virus.exe", b"MZ", "application/octet-stream")},
        )
        self.assertIn("o_city_request_error", response.text)
        self.assertFalse(self.env["city.request"].search([("partner_id", "=", self.resident_a.id)]))
        response = self.url_open(
            url,
            data={"csrf_token": token, "description": "正常附件"},
            files={"attachments": ("photo.jpg", base64.b64decode(b"R0lGODlhAQABAAAAACw="), "image/jpeg")},
        )
        request = self.env["city.request"].search([("partner_id", "=", self.resident_a.id)])
        self.assertEqual(len(request), 1)
        self.assertTrue(response.url.endswith(f"/my/requests/{request.id}"))
        self.assertEqual(
            self.env["ir.attachment"].search_count([("res_model", "=", "city.request"), ("res_id", "=", request.id)]), 1
        )

    def test_resident_cannot_open_someone_elses_request(self):
        other = self.env["city.request"].create(
            {"item_id": self.item_lamp.id, "channel": "window", "partner_id": self.resident_b.id, "description": "B"}
        )
        self.authenticate("t_resident", "t_resident")
        response = self.url_open(f"/my/requests/{other.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        # a wrong access token does not help
        response = self.url_open(f"/my/requests/{other.id}?access_token=wrong")
        self.assertTrue(response.url.endswith("/my"))

    def test_my_requests_page_stays_flat(self):
        """The number of queries of /my/requests does not grow with the resident's requests."""
        self.authenticate("t_resident", "t_resident")

        def add(count, item):
            for index in range(count):
                self.env["city.request"].create(
                    {
                        "item_id": item.id,
                        "channel": "window",
                        "partner_id": self.resident_a.id,
                        "description": f"第{index}件",
                    }
                ).action_submit()
            self.env.flush_all()

        def queries():
            self.url_open("/my/requests")  # warm the caches of this state
            before = self.cr.sql_log_count
            response = self.url_open("/my/requests")
            self.assertEqual(response.status_code, 200)
            return self.cr.sql_log_count - before

        add(3, self.item_lamp)
        first = queries()
        add(15, self.item)
        second = queries()
        self.assertGreater(first, 0)
        self.assertEqual(second, first, f"{first} queries for 3 requests, {second} for 18")

    def test_my_requests_lists_own_and_joined(self):
        """The list shows the resident's own requests and the ones he joined, with the texts t-field gives."""
        self.portal_resident.write({"lang": "zh_CN", "tz": "Asia/Shanghai"})
        draft = self.new_request()
        own = self.submitted()
        # 20:30 UTC is already the next day in Shanghai
        own.write(
            {"submit_date": datetime.datetime(2024, 5, 26, 20, 30), "reply_deadline": datetime.datetime(2024, 6, 9)}
        )
        joined = self.submitted(partner=self.resident_b, user=self.worker_b)
        joined.action_join(self.resident_a)
        other = self.submitted(partner=self.resident_b, user=self.worker_b)
        self.env.flush_all()
        self.authenticate("t_resident", "t_resident")

        def rows(url):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200)
            tree = html.fromstring(response.content)
            return [
                [
                    cell.text_content().strip() if index else cell.xpath("string(.//a/@href)")
                    for index, cell in enumerate(row)
                ]
                + [len(row.xpath(".//span"))]
                for row in tree.xpath("//tr[.//a[hasclass('o_city_request_link')]]")
            ]

        env = self.env(context={"lang": "zh_CN", "tz": "Asia/Shanghai"})
        states = dict(env["city.request"].fields_get(["state"])["state"]["selection"])
        listed = rows("/my/requests")
        self.assertNotIn(f"/my/requests/{other.id}", [row[0] for row in listed])
        self.assertEqual(
            listed,
            [
                [
                    f"/my/requests/{joined.id}",
                    self.item_lamp.name,
                    format_date(env, joined.submit_date),
                    format_date(env, joined.reply_deadline),
                    states["submitted"],
                    2 + bool(joined.reply_deadline),
                ],
                [
                    f"/my/requests/{own.id}",
                    self.item_lamp.name,
                    "2024年05月27日",
                    "2024年06月09日",
                    states["submitted"],
                    3,
                ],
                [f"/my/requests/{draft.id}", self.item_lamp.name, "", "", states["draft"], 1],
            ],
        )
        self.assertEqual(states["draft"], "草稿")
        self.assertEqual(
            [row[0] for row in rows("/my/requests?filterby=open&sortby=state")],
            [f"/my/requests/{joined.id}", f"/my/requests/{own.id}"],
        )
        # the list remembers its page: a request's page links to its neighbours in the list
        rows("/my/requests")
        detail = html.fromstring(self.url_open(f"/my/requests/{own.id}").content)
        self.assertEqual(
            [
                link.get("href").split("?")[0]
                for link in detail.xpath("//a[.//i[hasclass('oi-chevron-left') or hasclass('oi-chevron-right')]]")
            ],
            [f"/my/requests/{joined.id}", f"/my/requests/{draft.id}"],
        )
