"""Fixtures of the special-care tests: care users per role, two care files, a wearable, family access.

Built on city_base's city (``CityCase``): ``community_a``/``grid_a`` with ``resident_a`` and
``community_b``/``grid_b`` with ``resident_b``. City_base's own worker and manager stay available as
``city_worker`` (a community worker without any care group) and ``city_manager``; ``worker_a``,
``worker_b`` and ``manager`` are the care roles here. Nothing relies on demo data.
"""

from freezegun import freeze_time

from odoo.tests import new_test_user

from odoo.addons.city_base.tests.common import CityCase, make_resident_id

from ..tools.imei import luhn_check_digit

# Highest score of each Barthel item, in the order points are taken away by ``barthel_items``.
BARTHEL_MAX = {
    "feeding": 10,
    "bathing": 5,
    "grooming": 5,
    "dressing": 10,
    "bowels": 10,
    "bladder": 10,
    "toilet": 10,
    "transfer": 15,
    "mobility": 15,
    "stairs": 10,
}


def make_imei(body="86012345678901"):
    """A valid 15-digit IMEI from its first 14 digits (Luhn check digit)."""
    return body + luhn_check_digit(body)


def barthel_items(score):
    """Item values (selection keys) adding up to ``score`` (a multiple of 5 from 0 to 100)."""
    assert score % 5 == 0 and 0 <= score <= 100, score
    deficit = 100 - score
    values = {}
    for item, maximum in BARTHEL_MAX.items():
        taken = min(deficit, maximum)
        deficit -= taken
        values[item] = str(maximum - taken)
    return values


class CareCase(CityCase):
    """City fixture plus care users per role, care files for ``resident_a`` (responsible ``worker_a``)
    and ``resident_b`` (``worker_b``), a wearable worn by ``recipient_a`` and a family member of
    ``recipient_a`` with a portal user and an active consent sharing alarms and visits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.city_worker = cls.worker_a  # city_base community worker of community A, no care group
        cls.city_manager = cls.manager

        def user(login, groups, name, divisions=None, **values):
            record = new_test_user(env, login=login, groups=groups, name=name, **values)
            if divisions is not None:
                record.city_division_ids = divisions
            return record

        cls.worker_a = user(
            "t_care_worker_a", "city_special_care.group_city_special_care_worker", "甲社区护理员", cls.community_a
        )
        cls.worker_b = user(
            "t_care_worker_b", "city_special_care.group_city_special_care_worker", "乙社区护理员", cls.community_b
        )
        cls.duty_a = user(
            "t_care_duty_a",
            "city_special_care.group_city_special_care_duty",
            "甲社区值班员",
            cls.community_a,
            care_on_duty=True,
        )
        cls.counsellor = user(
            "t_care_counsellor", "city_special_care.group_city_special_care_counsellor", "心理咨询师", cls.community_a
        )
        cls.manager = user("t_care_manager", "city_special_care.group_city_special_care_manager", "关爱中心主任")
        cls.gateway = user("t_care_gateway", "city_special_care.group_city_special_care_gateway", "穿戴设备网关")

        Recipient = env["city.care.recipient"]
        cls.recipient_a = Recipient.create({"partner_id": cls.resident_a.id, "responsible_user_id": cls.worker_a.id})
        cls.recipient_b = Recipient.create({"partner_id": cls.resident_b.id, "responsible_user_id": cls.worker_b.id})

        cls.device_model = env["city.care.device.model"].create(
            {
                "name": "测试定位手表",
                "manufacturer": "测试厂商",
                "heartbeat_interval": 300,
                "offline_after": 900,
                "low_battery_percent": 15,
            }
        )
        Device = env["city.care.device"]
        cls.device_a = Device.create(
            {"imei": make_imei("86012345000001"), "model_id": cls.device_model.id, "recipient_id": cls.recipient_a.id}
        )
        cls.device_b = Device.create(
            {"imei": make_imei("86012345000002"), "model_id": cls.device_model.id, "recipient_id": cls.recipient_b.id}
        )

        # The daughter of resident A follows her mother in the family portal.
        cls.family_partner = env["res.partner"].create(
            {"name": "王芳", "mobile": "13804325678", "email": "wangfang@example.com"}
        )
        cls.family_user = user("t_care_family", "base.group_portal", "王芳", partner_id=cls.family_partner.id)
        cls.family_contact = env["city.care.contact"].create(
            {
                "recipient_id": cls.recipient_a.id,
                "partner_id": cls.family_partner.id,
                "name": "王芳",
                "phone": "13804325678",
                "relation": "child",
                "is_guardian": True,
            }
        )
        cls.consent = env["city.care.consent"].create(
            {
                "recipient_id": cls.recipient_a.id,
                "shared_with": "family",
                "contact_id": cls.family_contact.id,
                "share_alarms": True,
                "share_visits": True,
                "signed_by": "self",
                "signer_name": "张桂兰",
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @classmethod
    def category(cls, code):
        return cls.env["city.care.category"].search([("code", "=", code)])

    @classmethod
    def make_resident(cls, name, birth, sequence="051", grid=None):
        """A resident born on ``birth`` (YYYYMMDD) living in ``grid`` (grid A by default)."""
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_resident": True,
                "resident_id_number": make_resident_id("220204", birth, sequence),
                "city_division_id": (grid or cls.grid_a).id,
            }
        )

    @classmethod
    def make_recipient(cls, name="赵淑芬", birth="19500101", sequence="051", grid=None, **values):
        partner = cls.make_resident(name, birth, sequence, grid)
        return cls.env["city.care.recipient"].create({"partner_id": partner.id, **values})

    @classmethod
    def make_device(cls, recipient, body, model=None):
        return cls.env["city.care.device"].create(
            {"imei": make_imei(body), "model_id": (model or cls.device_model).id, "recipient_id": recipient.id}
        )

    @classmethod
    def make_assessment(cls, recipient, score, **values):
        return cls.env["city.care.assessment"].create({"recipient_id": recipient.id, **barthel_items(score), **values})

    def event(self, uid, kind="sos", at=None, device=None, **readings):
        """One validated event as the API hands it to ``_ingest`` (naive UTC time)."""
        return {
            "event_id": uid,
            "imei": (device or self.device_a).imei,
            "kind": kind,
            "occurred_at": at or self.now,
            **readings,
        }

    def ingest(self, *events):
        """Store events through the same entry point as the API; returns the per-event results.

        The API ingests in a request of its own, after everything before it was committed: the
        pending writes are flushed first, as the ingest reads devices, thresholds and zones in SQL.
        """
        self.env.flush_all()
        imeis = {event["imei"] for event in events}
        devices = {
            device.imei: (device.id, device.recipient_id.id or None, device.model_id.low_battery_percent)
            for device in self.env["city.care.device"].search([("imei", "in", list(imeis))])
        }
        return self.env["city.care.event"].with_context(city_care_event_capture=True)._ingest(devices, list(events))

    def alarms(self, recipient, kind=None):
        domain = [("recipient_id", "=", recipient.id)]
        if kind:
            domain.append(("kind", "=", kind))
        return self.env["city.care.alarm"].search(domain)

    def planned_routine(self, recipient):
        return self.env["city.care.visit"].search(
            [("recipient_id", "=", recipient.id), ("state", "=", "planned"), ("reason", "=", "routine")]
        )

    @property
    def now(self):
        """The transaction's time (what ``create_date`` and SQL ``now()`` use), to the second."""
        return self.env.cr.now().replace(microsecond=0)

    @staticmethod
    def at(moment):
        """freeze_time at a naive UTC datetime."""
        return freeze_time(moment)
