from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged

from .library_common import PDF_V1, LibraryCase


@tagged("post_install", "-at_install")
class TestLibraryHttp(LibraryCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Slide = cls.env["slide.slide"]
        cls.published = Slide.with_user(cls.teacher_user_a).create(
            cls.resource_values(cls.channel_a, "巡检测试：两位数乘两位数")
        )
        cls.published.with_user(cls.teacher_user_a).action_library_submit()
        for _level in range(3):
            cls.published.with_user(cls.bureau_user).action_library_approve()
        cls.draft = Slide.with_user(cls.teacher_user_a).create(cls.resource_values(cls.channel_a, "巡检测试：草稿"))

    def test_public_search_and_pages(self):
        response = self.url_open(f"/school/library?subject={self.math.id}&grade=3&edition={self.pep.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("巡检测试：两位数乘两位数", response.text)
        self.assertNotIn("巡检测试：草稿", response.text)
        response = self.url_open(f"/school/library?subject={self.math.id}&grade=4")
        self.assertNotIn("巡检测试：两位数乘两位数", response.text)
        response = self.url_open(f"/school/library?search=巡检&sort=rated&chapter={self.unit.id}")
        self.assertIn("巡检测试：两位数乘两位数", response.text)
        self.assertEqual(self.url_open(f"/school/library/{self.published.id}").status_code, 200)
        self.assertEqual(self.url_open(f"/school/library/{self.draft.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/school/library/{self.draft.id}/download").status_code, 404)
        self.assertEqual(self.url_open("/school/library/ranking").status_code, 200)

    def _page_queries(self, url):
        """The SQL queries of one request of ``url`` (the test cursor serves the request)."""
        before = self.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return self.cr.sql_log_count - before, response.text

    def test_list_queries_stay_flat(self):
        """A page of the list costs the same queries with one resource found as with many: one
        search for the page (one row more for the pager, no count) and one read of its rows."""
        url = f"/school/library?stage=primary&subject={self.math.id}&grade=3&sort=viewed&search=巡检测试"
        self._page_queries(url)  # caches (routing, views, rules)
        queries_one, page = self._page_queries(url)
        self.assertEqual(page.count("o_school_library_item"), 1)
        self.assertNotIn("/school/library/page/2", page)
        for number in range(25):
            copy = self.published.copy({"name": f"巡检测试：复本{number}"})
            copy.sudo()._library_move("published", is_published=True)
        self._page_queries(url)  # the caches the new resources cleared
        queries_many, page = self._page_queries(url)
        self.assertEqual(page.count("o_school_library_item"), 20)
        self.assertIn("/school/library/page/2", page)
        self.assertEqual(queries_many, queries_one)

    def test_resource_links_speak_the_page_language(self):
        """The list writes its resource links itself (one language prefix for the page instead of
        one rewrite per link): they keep the language of the page they are on."""
        website = self.env["website"].get_current_website()
        languages = self.env.ref("base.lang_zh_CN") | self.env.ref("base.lang_en")
        languages.active = True
        website.language_ids |= languages
        url = f"/school/library?subject={self.math.id}&grade=3&search=巡检测试"
        prefixes = set()
        for lang in languages:
            response = self.url_open(f"/{lang.url_code}{url}")
            self.assertEqual(response.status_code, 200)
            path = urlsplit(response.url).path
            prefix = "" if path == "/school/library" else path.removesuffix("/school/library")
            prefixes.add(prefix)
            self.assertIn(f'href="{prefix}/school/library/{self.published.id}"', response.text)
        # the default language has no prefix, the other one has its own
        self.assertEqual(len(prefixes), 2)
        self.assertIn("", prefixes)

    def test_portal_search(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(
            f"/school/library?stage=&subject={self.math.id}&grade=3&edition={self.pep.id}&volume=&search=&sort=newest"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("巡检测试：两位数乘两位数", response.text)

    def test_download_counts_and_logs(self):
        response = self.url_open(f"/school/library/{self.published.id}/download")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PDF_V1)
        self.assertIn("attachment", response.headers.get("Content-Disposition", ""))
        self.published.invalidate_recordset()
        self.assertEqual(self.published.library_download_count, 1)
        log = self.env["city.school.resource.download"].search([("slide_id", "=", self.published.id)])
        self.assertEqual(log.user_id, self.env.ref("base.public_user"))
        inline = self.url_open(f"/school/library/{self.published.id}/file")
        self.assertEqual(inline.status_code, 200)
        self.published.invalidate_recordset()
        self.assertEqual(self.published.library_download_count, 1)

    def test_tour_search_open_rate(self):
        self.start_tour("/school/library", "city_school_library", login=self.portal_user.login)
        rating = self.env["city.school.resource.rating"].search([("slide_id", "=", self.published.id)])
        self.assertEqual(rating.user_id, self.portal_user)
        self.assertEqual(rating.stars, 4)
