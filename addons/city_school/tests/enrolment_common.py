import base64
import datetime

from odoo import fields

from odoo.addons.city_base.tests.common import make_resident_id

from .common import SchoolCase

PDF = base64.b64encode(b"%PDF-1.4 test")


class EnrolmentCase(SchoolCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        # the test's own campaign (a demo campaign of the same stage and year is closed)
        cls.env["city.school.enrolment.campaign"].search(
            [("stage", "=", "primary"), ("year", "=", 2026), ("state", "!=", "closed")]
        ).write({"state": "closed"})
        cls.campaign = cls.env["city.school.enrolment.campaign"].create(
            {
                "name": "2026年小学一年级招生",
                "year": 2026,
                "stage": "primary",
                "date_start": today - datetime.timedelta(days=10),
                "date_end": today + datetime.timedelta(days=10),
            }
        )
        cls.campaign.action_open()
        cls._seq = 100

    @classmethod
    def make_app(
        cls,
        name,
        household=None,
        household_on="2020-01-01",
        home=None,
        home_on="2020-01-01",
        policy=None,
        birth="20191001",
        user=None,
    ):
        cls._seq += 1
        values = {
            "campaign_id": cls.campaign.id,
            "parent_partner_id": (user or cls.parent_user).partner_id.id,
            "child_name": name,
            "child_id_number": make_resident_id("220204", birth, str(cls._seq)),
            "household_division_id": (household or cls.other_street).id,
            "household_registered_on": household_on,
            "household_address": "吉林市船营区测试路1号",
        }
        if home:
            values.update(
                {
                    "has_property": True,
                    "property_division_id": home.id,
                    "property_certificate_no": f"吉(2020)吉林市不动产权第{cls._seq:07d}号",
                    "property_registered_on": home_on,
                }
            )
        if policy:
            values.update({"policy_case": True, "policy_reason": "talent", "policy_school_id": policy.id})
        return cls.env["city.school.application"].create(values)

    @classmethod
    def upload_all(cls, apps):
        apps.material_ids.write({"attachment": PDF, "filename": "scan.pdf"})

    @classmethod
    def approve(cls, apps, user=None):
        cls.upload_all(apps)
        apps.action_submit()
        apps = apps.with_user(user or cls.bureau_user)
        apps.action_start_review()
        apps.material_ids.write({"verified": True})
        apps.action_approve()
        return apps
