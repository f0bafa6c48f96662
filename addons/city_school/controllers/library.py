"""The public resource library of the city's schools: search by the textbook taxonomy, a resource
page with its viewer, download and rating, and the contributor ranking.

The pages read as the visitor: website_slides' record rules let the public and portal users read
published resources of published public courses, and a school resource is published only when the
city approves it, so the searches need no ``sudo()``. The list searches along the partial indexes
of the three sort orders, one row more than a page to know whether a next page exists: it never
counts the matches (with 100,000 resources a count costs ten times the page), so a page costs the
same with 100,000 resources as with 100. The rows found (by the visitor's own search, record
rules applied) are then read with one query that joins the names shown, instead of a few hundred
field reads through the ORM.
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.city_school import GRADES, STAGES
from ..models.city_school_chapter import VOLUMES
from ..models.slide_slide import LIBRARY_SORTS

PAGE_SIZE = 20
# the pager links at most this many pages ahead of the current one
PAGES_AHEAD = 1
SORTS = {sort: ", ".join(columns) for sort, columns in LIBRARY_SORTS.items()}
# the columns of the list, for the resources the visitor's search returned (the names by scalar
# subqueries: planning them costs less than planning joins)
LIST_SQL = """
    SELECT s.id,
           COALESCE(s.name->>%(lang)s, s.name->>'en_US') AS name,
           (SELECT name FROM city_school WHERE id = s.school_id) AS school,
           (SELECT COALESCE(name->>%(lang)s, name->>'en_US') FROM city_school_subject
             WHERE id = s.school_subject_id) AS subject,
           s.school_grade AS grade,
           (SELECT COALESCE(name->>%(lang)s, name->>'en_US') FROM city_school_edition
             WHERE id = s.school_edition_id) AS edition,
           s.school_volume AS volume,
           (SELECT complete_name FROM city_school_chapter WHERE id = s.school_chapter_id) AS chapter,
           COALESCE(s.total_views, 0) AS views,
           COALESCE(s.library_download_count, 0) AS downloads,
           COALESCE(s.library_rating_avg, 0) AS rating,
           COALESCE(s.library_rating_count, 0) AS ratings
      FROM slide_slide s
     WHERE s.id = ANY(%(ids)s)
"""


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class SchoolLibrary(http.Controller):
    @staticmethod
    def _library_filters(kw):
        """The taxonomy filters of the query string, cleaned to known values."""
        grades, stages, volumes = dict(GRADES), dict(STAGES), dict(VOLUMES)
        return {
            "stage": kw.get("stage") if kw.get("stage") in stages else "",
            "subject": _int(kw.get("subject")),
            "grade": kw.get("grade") if kw.get("grade") in grades else "",
            "edition": _int(kw.get("edition")),
            "volume": kw.get("volume") if kw.get("volume") in volumes else "",
            "chapter": _int(kw.get("chapter")),
            "search": (kw.get("search") or "").strip()[:100],
            "sort": kw.get("sort") if kw.get("sort") in SORTS else "newest",
        }

    @staticmethod
    def _library_domain(filters):
        domain = [("library_state", "=", "published"), ("school_id", "!=", False)]
        if filters["stage"]:
            domain.append(("school_stage", "=", filters["stage"]))
        if filters["subject"]:
            domain.append(("school_subject_id", "=", filters["subject"]))
        if filters["grade"]:
            domain.append(("school_grade", "=", filters["grade"]))
        if filters["edition"]:
            domain.append(("school_edition_id", "=", filters["edition"]))
        if filters["volume"]:
            domain.append(("school_volume", "=", filters["volume"]))
        if filters["chapter"]:
            domain.append(("school_chapter_id", "child_of", filters["chapter"]))
        if filters["search"]:
            domain.append(("name", "ilike", filters["search"]))
        return domain

    def _library_chapters(self, filters):
        """The chapters of the chosen book (only once subject, grade, edition and volume are chosen)."""
        if not (filters["subject"] and filters["grade"] and filters["edition"] and filters["volume"]):
            return request.env["city.school.chapter"]
        return request.env["city.school.chapter"].search(
            [
                ("subject_id", "=", filters["subject"]),
                ("grade", "=", filters["grade"]),
                ("edition_id", "=", filters["edition"]),
                ("volume", "=", filters["volume"]),
            ]
        )

    @staticmethod
    def _library_rows(ids):
        """The list's values of the resources ``ids`` (found by the visitor's search), in their order.

        One query by primary key reads the columns shown and the names of the school, subject,
        edition and chapter in the visitor's language. (One query joining the names to the search
        costs more: planning the joins beside the search's conditions takes longer than a second
        query by primary key.)
        """
        if not ids:
            return []
        request.env.cr.execute(LIST_SQL, {"lang": request.env.lang or "en_US", "ids": list(ids)})
        columns = [column.name for column in request.env.cr.description]
        by_id = {row[0]: dict(zip(columns, row, strict=True)) for row in request.env.cr.fetchall()}
        return [by_id[resource_id] for resource_id in ids if resource_id in by_id]

    @http.route(
        ["/school/library", "/school/library/page/<int:page>"],
        type="http",
        auth="public",
        website=True,
        sitemap=True,
        readonly=True,
    )
    def school_library(self, page=1, **kw):
        filters = self._library_filters(kw)
        domain = self._library_domain(filters)
        page = max(1, page)
        offset = (page - 1) * PAGE_SIZE
        # the visitor's search (record rules included), one row more than the pages linked ahead
        found = (
            request.env["slide.slide"]
            ._search(domain, offset=offset, limit=PAGE_SIZE * PAGES_AHEAD + 1, order=SORTS[filters["sort"]])
            .get_result_ids()
        )
        url_args = {key: value for key, value in filters.items() if value and not (key == "sort" and value == "newest")}
        pager = portal_pager(
            url="/school/library",
            total=offset + len(found),
            page=page,
            step=PAGE_SIZE,
            url_args=url_args,
        )
        values = {
            "resources": self._library_rows(found[:PAGE_SIZE]),
            # the resources' pages are in the list page's language: its address prefixes them
            "library_url": request.env["ir.http"]._url_for("/school/library"),
            "pager": pager,
            "filters": filters,
            "url_args": url_args,
            "stages": STAGES,
            "grades": GRADES,
            "volumes": VOLUMES,
            "grade_labels": dict(GRADES),
            "volume_labels": dict(VOLUMES),
            "chapters": self._library_chapters(filters),
            "sorts": [
                ("newest", request.env._("Newest")),
                ("viewed", request.env._("Most Viewed")),
                ("rated", request.env._("Best Rated")),
            ],
        }
        return request.render("city_school.school_library_page", values)

    @staticmethod
    def _library_resource(slide_id):
        """The published resource, readable by the visitor, or None."""
        slide = request.env["slide.slide"].browse(slide_id)
        try:
            slide.check_access("read")
            if not slide.exists() or slide.library_state != "published" or not slide.school_id:
                return None
        except (AccessError, MissingError):
            return None
        return slide

    @http.route("/school/library/<int:slide_id>", type="http", auth="public", website=True, sitemap=False)
    def school_library_resource(self, slide_id, **kw):
        slide = self._library_resource(slide_id)
        if slide is None:
            raise request.not_found()
        slide._library_count_view()
        my_rating = request.env["city.school.resource.rating"]
        if not request.env.user._is_public():
            my_rating = my_rating.sudo().search([("slide_id", "=", slide.id), ("user_id", "=", request.env.uid)])
        values = {
            "slide": slide,
            "my_stars": my_rating.stars or 0,
            "grade_labels": dict(GRADES),
            "volume_labels": dict(VOLUMES),
            "license_labels": selection_labels(slide, "library_license"),
        }
        return request.render("city_school.school_library_resource_page", values)

    def _library_stream(self, slide, as_attachment):
        # the visitor may read the resource (checked by _library_resource); the file is read as superuser
        slide_sudo = slide.sudo()
        version_sudo = slide_sudo.library_version_ids[:1]
        if version_sudo.attachment_id:
            stream = request.env["ir.binary"]._get_stream_from(version_sudo.attachment_id)
        elif slide_sudo.binary_content:
            stream = request.env["ir.binary"]._get_stream_from(slide_sudo, "binary_content")
        else:
            raise request.not_found()
        return stream.get_response(as_attachment=as_attachment)

    @http.route("/school/library/<int:slide_id>/file", type="http", auth="public", sitemap=False, readonly=True)
    def school_library_file(self, slide_id, **kw):
        slide = self._library_resource(slide_id)
        if slide is None:
            raise request.not_found()
        return self._library_stream(slide, as_attachment=False)

    @http.route("/school/library/<int:slide_id>/download", type="http", auth="public", sitemap=False)
    def school_library_download(self, slide_id, **kw):
        slide = self._library_resource(slide_id)
        if slide is None:
            raise request.not_found()
        response = self._library_stream(slide, as_attachment=True)
        slide._library_count_download()
        return response

    @http.route("/school/library/<int:slide_id>/rate", type="json", auth="user", methods=["POST"])
    def school_library_rate(self, slide_id, stars):
        slide = self._library_resource(slide_id)
        stars = _int(stars)
        if slide is None:
            return {"error": request.env._("This resource is not in the library.")}
        if not 1 <= stars <= 5:
            return {"error": request.env._("A rating is 1 to 5 stars.")}
        try:
            slide._library_rate(stars)
        except UserError as error:
            return {"error": str(error)}
        slide.invalidate_recordset(["library_rating_avg", "library_rating_count"])
        return {
            "stars": stars,
            "average": round(slide.library_rating_avg, 2),
            "count": slide.library_rating_count,
        }

    @http.route("/school/library/ranking", type="http", auth="public", website=True, sitemap=True, readonly=True)
    def school_library_ranking(self, school=None, **kw):
        Ranking = request.env["city.school.points.ranking"]
        domain = [("points", ">", 0)]
        school_id = _int(school)
        if school_id:
            domain.append(("school_id", "=", school_id))
        rows = Ranking.search_fetch(
            domain,
            ["teacher_name", "school_name", "school_id", "points", "resource_count", "school_rank", "city_rank"],
            limit=50,
            order="school_rank, id" if school_id else "city_rank, id",
        )
        schools = request.env["city.school"].search([])
        return request.render(
            "city_school.school_library_ranking_page", {"rows": rows, "schools": schools, "school_id": school_id}
        )
