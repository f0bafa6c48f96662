from unittest.mock import Mock, patch

from odoo.tests import tagged

from ..controllers import portal
from ..tools.labels import selection_labels
from .common import CityTransactionCase

SORTINGS = {
    "code": {"label": "Code", "order": "code, id"},
    "code_desc": {"label": "Code, last first", "order": "code desc, id desc"},
}


@tagged("post_install", "-at_install")
class TestPortalHelpers(CityTransactionCase):
    """The helpers the portal controllers share: selection labels and the sorted, paged list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.community_c = cls.env["city.division"].create(
            {"name": "丙社区", "code": "220204901003", "type": "community", "parent_id": cls.street.id}
        )
        cls.communities = cls.community_a | cls.community_b | cls.community_c

    def list_page(self, **kwargs):
        """``_city_list_page`` outside a request: the session is a dict, the layout values a marker."""
        session = {}
        with (
            patch.object(portal, "request", Mock(session=session)),
            patch.object(portal.CityBasePortal, "_prepare_portal_layout_values", return_value={"layout": True}),
        ):
            records, values = portal.CityBasePortal()._city_list_page(
                self.env["city.division"],
                "/my/divisions",
                kwargs.pop("page", 1),
                kwargs.pop("sortby", None),
                SORTINGS,
                "code",
                domain=[("parent_id", "=", self.street.id)],
                per_page=2,
                **kwargs,
            )
        return records, values, session

    def test_selection_labels_in_the_environment_language(self):
        Division = self.env["city.division"]
        self.assertEqual(
            selection_labels(Division.with_context(lang="en_US"), "type")["community"], "Community / Village"
        )
        self.assertEqual(selection_labels(Division.with_context(lang="zh_CN"), "type")["community"], "社区/村")
        self.assertEqual(
            list(selection_labels(Division, "type")), [value for value, _label in Division._fields["type"].selection]
        )

    def test_first_page_default_sort(self):
        records, values, session = self.list_page(
            sortby="unknown", history="my_divisions_history", url_args={"filterby": "all"}
        )
        self.assertEqual(records, self.community_a | self.community_b)
        self.assertEqual(session, {"my_divisions_history": records.ids})
        self.assertTrue(values["layout"])
        self.assertEqual(values["sortby"], "code")
        self.assertEqual(values["searchbar_sortings"], SORTINGS)
        self.assertEqual(values["default_url"], "/my/divisions")
        pager = values["pager"]
        self.assertEqual(pager["page_count"], 2)
        # the pager keeps the sort first, then the route's own arguments
        self.assertEqual(pager["page_next"]["url"], "/my/divisions/page/2?sortby=code&filterby=all")

    def test_later_page_other_sort(self):
        records, values, session = self.list_page(page=2, sortby="code_desc", fields=["name", "code"])
        self.assertEqual(records, self.community_a)
        self.assertEqual(session, {}, "no history key: the session is left alone")
        self.assertEqual(values["sortby"], "code_desc")
        self.assertEqual(values["pager"]["offset"], 2)
        self.assertEqual(values["pager"]["page_previous"]["url"], "/my/divisions?sortby=code_desc")
