"""Shared fixtures for Smart City tests: a small city, one user per role, helpers.

Other addons build on these classes (``from odoo.addons.city_base.tests.common import ...``).
Nothing here relies on demo data.
"""

import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, new_test_user

from ..tools.validators import resident_id_check_char, uscc_check_char


def make_resident_id(region="220204", birth="19800101", sequence="123"):
    """A valid 18-character identity number (odd last sequence digit: male)."""
    body = f"{region}{birth}{sequence}"
    return body + resident_id_check_char(body)


def make_uscc(body="91220204MA0000001"):
    """A valid unified social credit code from its first 17 characters."""
    return body + uscc_check_char(body)


class CityCase:
    """Mixin creating the city fixture in ``setUpClass``; used with TransactionCase or HttpCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        Division = cls.env["city.division"]
        cls.city = cls.env.ref("city_base.city_division_jilin")
        cls.district = cls.env.ref("city_base.city_division_chuanying")
        cls.street = Division.create(
            {"name": "测试街道", "code": "220204901000", "type": "street", "parent_id": cls.district.id}
        )
        cls.community_a = Division.create(
            {"name": "甲社区", "code": "220204901001", "type": "community", "parent_id": cls.street.id}
        )
        cls.community_b = Division.create(
            {"name": "乙社区", "code": "220204901002", "type": "community", "parent_id": cls.street.id}
        )
        cls.grid_a = Division.create(
            {"name": "甲一网格", "code": "220204901001001", "type": "grid", "parent_id": cls.community_a.id}
        )
        cls.grid_b = Division.create(
            {"name": "乙一网格", "code": "220204901002001", "type": "grid", "parent_id": cls.community_b.id}
        )
        cls.building_a = cls.env["city.building"].create({"name": "1号楼", "grid_id": cls.grid_a.id})
        cls.household_a = cls.env["city.household"].create({"name": "1单元101", "building_id": cls.building_a.id})
        cls.building_b = cls.env["city.building"].create({"name": "9号楼", "grid_id": cls.grid_b.id})

        cls.id_a = make_resident_id("220204", "19520314", "031")
        cls.id_b = make_resident_id("220204", "19900707", "042")
        Partner = cls.env["res.partner"]
        cls.resident_a = Partner.create(
            {
                "name": "张桂兰",
                "is_resident": True,
                "resident_id_number": cls.id_a,
                "mobile": "13904321234",
                "city_division_id": cls.grid_a.id,
                "city_building_id": cls.building_a.id,
                "city_household_id": cls.household_a.id,
                "email": "guilan@example.com",
            }
        )
        cls.resident_b = Partner.create(
            {
                "name": "李明",
                "is_resident": True,
                "resident_id_number": cls.id_b,
                "city_division_id": cls.grid_b.id,
                "city_building_id": cls.building_b.id,
            }
        )
        cls.organisation = Partner.create(
            {"name": "吉林市测试食品有限公司", "is_company": True, "uscc": make_uscc("91220204MA0TE0001")}
        )
        cls.org_contact = Partner.create({"name": "赵经理", "parent_id": cls.organisation.id})

        def user(login, groups, divisions=None, **values):
            record = new_test_user(cls.env, login=login, groups=groups, name=login, **values)
            if divisions is not None:
                record.city_division_ids = divisions
            return record

        cls.worker_a = user("t_worker_a", "city_base.group_city_base_worker", cls.community_a)
        cls.worker_b = user("t_worker_b", "city_base.group_city_base_worker", cls.community_b)
        cls.manager = user("t_manager", "city_base.group_city_base_manager", cls.street)
        cls.supervisor = user("t_supervisor", "city_base.group_city_base_supervisor")
        cls.privacy = user(
            "t_privacy", "city_base.group_city_base_worker,city_base.group_city_base_personal_data", cls.community_a
        )
        cls.portal_resident = user("t_resident", "city_base.group_city_base_resident", partner_id=cls.resident_a.id)
        cls.portal_business = user("t_business", "city_base.group_city_base_business", partner_id=cls.org_contact.id)

    # ------------------------------------------------------------------
    # Assertions
    # ------------------------------------------------------------------
    def assertCannotRead(self, user, records, fields=None):
        """``user`` gets AccessError reading ``records`` (or some of ``fields``)."""
        with self.assertRaises(AccessError, msg=f"{user.login} should not read {records}"):
            records.with_user(user).read(fields or ["display_name"])

    def assertCanRead(self, user, records, fields=None):
        self.assertTrue(records.with_user(user).read(fields or ["display_name"]))

    def assertCannotWrite(self, user, records, values):
        with self.assertRaises(AccessError, msg=f"{user.login} should not write {records}"):
            records.with_user(user).write(values)

    def assertCannotCreate(self, user, model, values):
        with self.assertRaises(AccessError, msg=f"{user.login} should not create {model}"):
            self.env[model].with_user(user).create(values)


class CityTransactionCase(CityCase, TransactionCase):
    pass


class CityHttpCase(CityCase, HttpCase):
    """HttpCase with an API client for /api/city/v1/ using real user API keys."""

    API = "/api/city/v1"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "website" in cls.env:
            # With the website installed (school resources bring website_slides), a portal page speaks
            # one of the website's languages: offer English beside the city's Chinese.
            english = cls.env.ref("base.lang_en")
            english.active = True
            for website in cls.env["website"].search([]):
                website.language_ids |= english

    def authenticate(self, user, password, browser=None):
        """Log in; the portal pages then speak the user's language.

        With the website installed (school resources bring website_slides), a page's language is
        the ``frontend_lang`` cookie before the user's own: a cookie left by an earlier user of the
        same session would otherwise decide.
        """
        session = super().authenticate(user, password, browser=browser)
        if user:
            lang = self.env["res.users"].sudo().search([("login", "=", user)], limit=1).lang
            self.opener.cookies.set("frontend_lang", lang or "en_US")
        else:
            self.opener.cookies.pop("frontend_lang", None)
        return session

    @classmethod
    def api_key(cls, user):
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(None, f"test {user.login}", None)

    def api(self, method, path, payload=None, key=None, data=None, headers=None):
        """Call the API; returns (status, decoded JSON body)."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        if payload is not None:
            data = json.dumps(payload)
        response = self.opener.request(
            method, self.base_url() + self.API + path, data=data, headers=all_headers, timeout=30
        )
        return response.status_code, response.json()
