import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.city_base.tests.common import make_uscc
from odoo.addons.city_special_care.tests.common import CareCase

NOW = datetime.datetime(2025, 3, 3, 2, 0)
# The alarm near building A; about 111 m per 0.001° of latitude.
ALARM_LAT, ALARM_LNG = 43.8378, 126.5496


@tagged("post_install", "-at_install")
class TestAlarmLink(CareCase, TransactionCase):
    """An SOS alarm dispatched to the nearest on-duty carer of a contracted provider serving the elder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.building_a.write({"latitude": ALARM_LAT, "longitude": ALARM_LNG})
        cls.contracted = cls.make_provider("吉林市报警联动测试养老服务站", "91220204MA0TAL001")
        cls.uncontracted = cls.make_provider("吉林市未签约测试养老服务站", "91220204MA0TAL002", contracted=False)
        located = NOW - datetime.timedelta(minutes=20)
        cls.near = cls.make_carer(cls.contracted, "近护理员", 0.002, located)  # about 220 m
        cls.far = cls.make_carer(cls.contracted, "远护理员", 0.02, located)  # about 2.2 km
        cls.off_duty = cls.make_carer(cls.contracted, "休班护理员", 0.0001, located, on_duty=False)
        cls.stale = cls.make_carer(cls.contracted, "失联护理员", 0.0002, NOW - datetime.timedelta(hours=3))
        cls.elsewhere = cls.make_carer(cls.contracted, "乙社区护理员", 0.0003, located, areas=cls.community_b)
        cls.outsider = cls.make_carer(cls.uncontracted, "未签约护理员", 0.0004, located)
        cls.carer_user = new_test_user(
            cls.env,
            login="t_eld_alarm_carer",
            groups="base.group_portal,city_elderly_care.group_city_elderly_care_provider",
            name="近护理员",
            partner_id=cls.near.partner_id.id,
        )
        cls.near.user_id = cls.carer_user

    @classmethod
    def make_provider(cls, name, uscc_body, contracted=True):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True, "uscc": make_uscc(uscc_body)})
        return cls.env["city.elderly.provider"].create(
            {
                "partner_id": partner.id,
                "kind": "station",
                "division_ids": [cls.street.id],
                "contract_start": "2024-01-01" if contracted else "2030-01-01",
            }
        )

    @classmethod
    def make_carer(cls, provider, name, offset, located_at, on_duty=True, areas=None):
        person = cls.env["res.partner"].create({"name": name, "parent_id": provider.partner_id.id})
        return cls.env["city.elderly.carer"].create(
            {
                "partner_id": person.id,
                "provider_id": provider.id,
                "on_duty": on_duty,
                "latitude": ALARM_LAT + offset,
                "longitude": ALARM_LNG,
                "location_at": located_at,
                "division_ids": [(6, 0, areas.ids)] if areas else [],
            }
        )

    def called_alarm(self, located=True):
        """An SOS alarm of elder A that nobody answered at the call-back (state 'called')."""
        values = {"recipient_id": self.recipient_a.id, "kind": "sos", "device_id": self.device_a.id}
        if located:
            values.update(latitude=ALARM_LAT, longitude=ALARM_LNG)
        alarm = self.env["city.care.alarm"].create(values).with_user(self.worker_a)
        alarm.action_acknowledge()
        alarm.action_callback_no_answer()
        self.assertEqual(alarm.state, "called")
        return alarm

    def test_nearest_on_duty_contracted_carer(self):
        with freeze_time(NOW):
            alarm = self.called_alarm()
            alarm.action_dispatch_nearest_carer()
        self.assertEqual(alarm.state, "dispatched")
        self.assertEqual(alarm.responder_type, "carer")
        self.assertEqual(alarm.elderly_carer_id, self.near)
        self.assertEqual(alarm.dispatched_at, NOW)
        notified = self.env["mail.message"].search([("partner_ids", "in", self.near.partner_id.ids)])
        self.assertTrue(notified)
        self.assertIn(self.recipient_a.name, notified[0].subject)

    def test_without_alarm_position_the_home_counts(self):
        # Far is nearest to the alarm's own position, unknown here; from the home the near carer wins.
        with freeze_time(NOW):
            alarm = self.called_alarm(located=False)
            alarm.action_dispatch_nearest_carer()
        self.assertEqual(alarm.elderly_carer_id, self.near)

    def test_position_age_is_configurable(self):
        self.env["ir.config_parameter"].set_param("city_elderly_care.carer_position_max_age_hours", "4")
        with freeze_time(NOW):
            alarm = self.called_alarm()
            alarm.action_dispatch_nearest_carer()
        self.assertEqual(alarm.elderly_carer_id, self.stale)

    def test_none_found(self):
        (self.near | self.far).write({"on_duty": False})
        with freeze_time(NOW):
            alarm = self.called_alarm()
            with self.assertRaisesRegex(UserError, "No on-duty carer"):
                alarm.action_dispatch_nearest_carer()
        self.assertEqual(alarm.state, "called")
        self.assertFalse(alarm.elderly_carer_id)

    def test_only_when_called_and_carer_required(self):
        alarm = self.env["city.care.alarm"].create({"recipient_id": self.recipient_a.id, "kind": "sos"})
        with self.assertRaises(UserError):
            alarm.with_user(self.worker_a).action_dispatch_nearest_carer()
        with freeze_time(NOW):
            alarm = self.called_alarm()
            alarm.write({"responder_type": "carer"})
            with self.assertRaisesRegex(UserError, "carer"):
                alarm.action_dispatch()
            alarm.write({"elderly_carer_id": self.far.id})
            alarm.action_dispatch()
        self.assertEqual((alarm.state, alarm.elderly_carer_id), ("dispatched", self.far))
