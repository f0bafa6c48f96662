import datetime
import json

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import CareCase

SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)
HOME = (43.8440, 126.5500)  # centre of recipient A's circular safe zone


@tagged("post_install", "-at_install")
class TestAlarm(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Alarm = cls.env["city.care.alarm"]
        cls.Event = cls.env["city.care.event"]
        cls.recipient_c = cls.make_recipient("吴玉珍", "19420808", "072", responsible_user_id=cls.worker_a.id)
        cls.device_c = cls.make_device(cls.recipient_c, "86012345000003")
        Zone = cls.env["city.care.zone"]
        cls.home_zone = Zone.create(
            {
                "recipient_id": cls.recipient_a.id,
                "name": "家附近",
                "latitude": HOME[0],
                "longitude": HOME[1],
                "radius": 500,
            }
        )
        cls.square = json.dumps([[43.80, 126.50], [43.80, 126.52], [43.82, 126.52], [43.82, 126.50]])
        cls.park_zone = Zone.create(
            {"recipient_id": cls.recipient_b.id, "name": "公园一带", "shape": "polygon", "polygon": cls.square}
        )
        cls.env["ir.config_parameter"].set_param("city_special_care.ack_escalation_seconds", 60)
        cls.env["ir.config_parameter"].set_param("city_special_care.arrival_timeout_minutes", 30)
        cls.env["ir.config_parameter"].set_param("city_special_care.follow_up_hours", 48)

    def location(self, uid, lat, lng, device=None, at=None):
        return self.event(uid, "location", at=at, device=device, latitude=lat, longitude=lng, accuracy=15)

    def raise_alarm(self, kind="sos", device=None, at=None, uid="x1"):
        self.ingest(self.event(uid, kind, at=at, device=device))
        return self.alarms((device or self.device_a).recipient_id, kind)

    def notifications(self, user):
        return self.env["mail.notification"].search([("res_partner_id", "=", user.partner_id.id)])

    # ------------------------------------------------------------------
    # Raising
    # ------------------------------------------------------------------
    def test_sos_and_fall_raise_alarms(self):
        at = self.now - MINUTE
        results = self.ingest(self.event("s1", "sos", at=at), self.event("f1", "fall", at=at + SECOND))
        sos = self.alarms(self.recipient_a, "sos")
        fall = self.alarms(self.recipient_a, "fall")
        self.assertEqual((len(sos), len(fall)), (1, 1))
        self.assertEqual(
            results,
            [
                {"event_id": "s1", "status": "accepted", "alarm": sos.name},
                {"event_id": "f1", "status": "accepted", "alarm": fall.name},
            ],
        )
        self.assertEqual(
            (sos.state, sos.severity, sos.raised_at, sos.device_id, sos.division_id, sos.community_id),
            ("new", "critical", at, self.device_a, self.grid_a, self.community_a),
        )
        self.assertEqual(fall.severity, "critical")
        self.assertNotEqual(sos.name, "/")
        events = self.Event.search([("device_id", "=", self.device_a.id)])
        self.assertEqual(events.mapped("event_uid"), ["f1", "s1"])
        self.assertEqual(events.alarm_id, sos | fall)
        self.assertEqual(self.device_a.last_heartbeat_at, at + SECOND)
        self.assertTrue(self.device_a.is_online)

    def test_heartbeat_and_ordinary_readings_raise_nothing(self):
        self.ingest(
            self.event("h1", "heartbeat", battery=80),
            self.location("l1", HOME[0] + 0.0005, HOME[1] + 0.0005),
            self.event("v1", "vitals", heart_rate=76, systolic=128, diastolic=82, spo2=97),
        )
        self.assertFalse(self.alarms(self.recipient_a))
        self.assertEqual(self.device_a.battery, 80)
        self.assertEqual(
            (self.recipient_a.last_heart_rate, self.recipient_a.last_systolic, self.recipient_a.last_spo2),
            (76, 128, 97),
        )
        self.assertAlmostEqual(self.recipient_a.last_latitude, HOME[0] + 0.0005, places=6)

    def test_geofence_circle(self):
        self.ingest(self.location("in", HOME[0] + 0.003, HOME[1]))  # about 330 m from the centre
        self.assertFalse(self.alarms(self.recipient_a, "geofence"))
        self.ingest(self.location("out", HOME[0] + 0.006, HOME[1]))  # about 670 m
        alarm = self.alarms(self.recipient_a, "geofence")
        self.assertEqual((len(alarm), alarm.severity, alarm.state), (1, "high", "new"))
        self.assertAlmostEqual(alarm.latitude, HOME[0] + 0.006, places=6)
        self.assertIn("outside every safe zone", alarm.detail)

    def test_geofence_polygon_and_several_zones(self):
        self.ingest(self.location("in", 43.81, 126.51, device=self.device_b))
        self.assertFalse(self.alarms(self.recipient_b, "geofence"))
        self.ingest(self.location("out", 43.83, 126.51, device=self.device_b))
        self.assertEqual(len(self.alarms(self.recipient_b, "geofence")), 1)
        # Inside any one of several zones is safe: A's circle plus a polygon far from it.
        self.env["city.care.zone"].create(
            {"recipient_id": self.recipient_a.id, "name": "女儿家", "shape": "polygon", "polygon": self.square}
        )
        self.ingest(self.location("p1", 43.81, 126.51), self.location("c1", HOME[0], HOME[1]))
        self.assertFalse(self.alarms(self.recipient_a, "geofence"))
        # An archived zone no longer protects.
        self.home_zone.active = False
        self.ingest(self.location("c2", HOME[0], HOME[1]))
        self.assertEqual(len(self.alarms(self.recipient_a, "geofence")), 1)

    def test_geofence_exit_reported_by_the_device(self):
        self.ingest(self.event("g1", "geofence_exit"))
        self.assertEqual(len(self.alarms(self.recipient_a, "geofence")), 1)

    def test_no_zone_no_geofence_alarm(self):
        self.ingest(self.location("far", 40.0, 116.4, device=self.device_c))
        self.assertFalse(self.alarms(self.recipient_c))

    def test_vitals_thresholds(self):
        self.recipient_a.write({"heart_rate_max": 110, "spo2_min": 92})
        at = self.now
        self.ingest(
            self.event("ok1", "vitals", at=at - 9 * MINUTE, heart_rate=110, spo2=92, systolic=160, diastolic=100),
            self.event("ok2", "vitals", at=at - 8 * MINUTE, heart_rate=50, systolic=90),  # on the limits
        )
        self.assertFalse(self.alarms(self.recipient_a), "readings on the thresholds are normal")
        self.assertEqual((self.recipient_a.last_heart_rate, self.recipient_a.last_spo2), (50, 92))
        results = self.ingest(
            self.event("hr", "vitals", at=at - 3 * MINUTE, heart_rate=111),
            self.event("o2", "vitals", at=at - 2 * MINUTE, spo2=91),
            self.event("bp", "vitals", at=at - MINUTE, systolic=165, diastolic=101),
        )
        alarm = self.alarms(self.recipient_a)
        self.assertEqual((len(alarm), alarm.kind, alarm.severity, alarm.event_count), (1, "vitals", "high", 3))
        self.assertEqual({result["alarm"] for result in results}, {alarm.name})
        self.assertIn("systolic 165", alarm.detail, "the latest problem is shown")
        self.assertIn("diastolic 101", alarm.detail)
        self.assertEqual(alarm.last_event_at, at - MINUTE)
        self.assertEqual(self.recipient_a.last_systolic, 165)
        self.assertEqual(self.recipient_a.last_heart_rate, 111, "kept from the reading that had one")
        # Another recipient's thresholds are their own.
        self.ingest(self.event("b1", "vitals", device=self.device_b, heart_rate=115))
        self.assertFalse(self.alarms(self.recipient_b))
        self.ingest(self.event("b2", "vitals", device=self.device_b, heart_rate=45))
        self.assertEqual(self.alarms(self.recipient_b).kind, "vitals")

    def test_low_battery(self):
        self.ingest(self.event("b16", "heartbeat", battery=16))
        self.assertFalse(self.alarms(self.recipient_a))
        self.ingest(self.event("b15", "heartbeat", battery=15))
        alarm = self.alarms(self.recipient_a)
        self.assertEqual((alarm.kind, alarm.severity), ("low_battery", "low"))
        self.assertEqual(self.device_a.battery, 15)

    # ------------------------------------------------------------------
    # Bursts and duty notifications
    # ------------------------------------------------------------------
    def test_burst_in_one_batch(self):
        at = self.now - 10 * MINUTE
        results = self.ingest(*(self.event(f"sos-{i}", at=at + i * SECOND) for i in range(20)))
        alarm = self.alarms(self.recipient_a)
        self.assertEqual((len(alarm), alarm.kind, alarm.event_count), (1, "sos", 20))
        self.assertEqual((alarm.raised_at, alarm.last_event_at), (at, at + 19 * SECOND))
        self.assertEqual(len(alarm.event_ids), 20)
        self.assertEqual({result["alarm"] for result in results}, {alarm.name})

    def test_burst_over_batches_notifies_the_duty_desk_once(self):
        at = self.now - 10 * MINUTE
        self.ingest(*(self.event(f"a-{i}", at=at + i * SECOND) for i in range(20)))
        for batch in range(4):
            self.ingest(
                *(
                    self.event(f"c-{batch}-{i}", at=at + (batch * 5 + i) * SECOND, device=self.device_c)
                    for i in range(5)
                )
            )
        self.ingest(self.event("b-1", device=self.device_b))  # community B: not duty A's
        alarm_a = self.alarms(self.recipient_a)
        alarm_c = self.alarms(self.recipient_c)
        self.assertEqual((len(alarm_c), alarm_c.event_count, len(alarm_c.event_ids)), (1, 20, 20))
        self.assertEqual(alarm_c.last_event_at, at + 19 * SECOND)
        self.assertEqual((alarm_a | alarm_c).mapped("notified"), [False, False])
        before = self.notifications(self.duty_a)
        self.Alarm._cron_duty_summary()
        received = self.notifications(self.duty_a) - before
        self.assertEqual(len(received), 1, "one summary for the whole burst, not one per event")
        body = received.mail_message_id.body
        self.assertIn(alarm_a.name, body)
        self.assertIn(alarm_c.name, body)
        self.assertIn("×20", body)
        self.assertNotIn(self.alarms(self.recipient_b).name, body)
        self.assertTrue(all((alarm_a | alarm_c).mapped("notified")))
        # Nobody on duty covers recipient B: the alarm waits for the first operator who does.
        self.assertFalse(self.alarms(self.recipient_b).notified)
        # Further events of the open burst and a second run send nothing new.
        self.ingest(self.event("a-20", at=at + 20 * SECOND))
        self.assertEqual(alarm_a.event_count, 21)
        self.assertEqual(self.Alarm._cron_duty_summary(), 0)
        self.assertEqual(self.notifications(self.duty_a) - before, received)

    def test_off_duty_operator_gets_no_summary(self):
        self.duty_a.care_on_duty = False
        before = self.notifications(self.duty_a)
        self.ingest(self.event("s1"))
        self.Alarm._cron_duty_summary()
        self.assertEqual(self.notifications(self.duty_a), before)

    def test_replay_is_a_duplicate(self):
        first = self.ingest(self.event("e1"))
        alarm = self.alarms(self.recipient_a)
        self.assertEqual(first, [{"event_id": "e1", "status": "accepted", "alarm": alarm.name}])
        again = self.ingest(self.event("e1"))
        self.assertEqual(again, [{"event_id": "e1", "status": "duplicate", "alarm": alarm.name}])
        self.assertEqual(alarm.event_count, 1)
        self.assertEqual(self.Event.search_count([("device_id", "=", self.device_a.id)]), 1)
        mixed = self.ingest(self.event("e1"), self.event("e2"), self.event("h1", "heartbeat"))
        self.assertEqual([r["status"] for r in mixed], ["duplicate", "accepted", "accepted"])
        self.assertEqual([r["alarm"] for r in mixed], [alarm.name, alarm.name, None])
        self.assertEqual(alarm.event_count, 2)
        self.assertEqual(self.alarms(self.recipient_a), alarm)
        self.assertEqual(self.Event.search_count([("device_id", "=", self.device_a.id)]), 3)
        # The same event id from another device is another event.
        other = self.ingest(self.event("e1", device=self.device_c))
        self.assertEqual(other[0]["status"], "accepted")

    # ------------------------------------------------------------------
    # Closed loop
    # ------------------------------------------------------------------
    def test_closed_loop_order(self):
        alarm = self.raise_alarm().with_user(self.duty_a)
        for step in (alarm.action_dispatch, alarm.action_arrived, alarm.action_resolve, alarm.action_callback_verified):
            with self.subTest(step=step.__name__), self.assertRaises(UserError):
                step()
        alarm.action_acknowledge()
        self.assertEqual((alarm.state, alarm.ack_user_id), ("acknowledged", self.duty_a))
        with self.assertRaises(UserError):
            alarm.action_acknowledge()
        alarm.outcome = "by_phone"
        with self.assertRaises(UserError, msg="a critical alarm is not resolved right after acknowledgement"):
            alarm.action_resolve()
        alarm.action_callback_no_answer()
        self.assertEqual((alarm.state, alarm.callback_result), ("called", "no_answer"))
        with self.assertRaises(UserError, msg="nobody answered: dispatch first"):
            alarm.action_resolve()
        with self.assertRaises(UserError):
            alarm.action_arrived()
        with self.assertRaises(UserError, msg="no responder chosen"):
            alarm.action_dispatch()
        alarm.responder_type = "worker"
        with self.assertRaises(UserError, msg="no responding worker"):
            alarm.action_dispatch()
        alarm.responder_user_id = self.worker_a
        alarm.action_dispatch()
        self.assertEqual(alarm.state, "dispatched")
        response = alarm.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("city_special_care.mail_activity_type_alarm_response")
        )
        self.assertEqual(response.user_id, self.worker_a)
        with self.assertRaises(UserError):
            alarm.action_resolve()
        alarm.action_arrived()
        self.assertEqual(alarm.state, "arrived")
        alarm.outcome = False
        with self.assertRaises(UserError, msg="an outcome is required"):
            alarm.action_resolve()
        alarm.write({"outcome": "assisted", "resolution": "老人起身时头晕，已扶回床上休息。"})
        alarm.action_resolve()
        self.assertEqual((alarm.state, alarm.resolved_user_id), ("resolved", self.duty_a))
        self.assertFalse(alarm.activity_ids)
        with self.assertRaises(UserError):
            alarm.action_acknowledge()

    def test_verified_call_back_can_be_resolved(self):
        alarm = self.raise_alarm().with_user(self.duty_a)
        alarm.action_acknowledge()
        alarm.action_callback_verified()
        alarm.outcome = "false_alarm"
        alarm.action_resolve()
        self.assertEqual(alarm.state, "resolved")
        self.assertFalse(self.env["city.care.visit"].search([("alarm_id", "=", alarm.id)]), "false alarm: no visit")

    def test_family_dispatch_needs_the_member(self):
        alarm = self.raise_alarm().with_user(self.duty_a)
        alarm.action_acknowledge()
        alarm.action_callback_no_answer()
        alarm.responder_type = "family"
        with self.assertRaises(UserError):
            alarm.action_dispatch()
        alarm.responder_contact_id = self.family_contact
        alarm.action_dispatch()
        self.assertEqual(alarm.state, "dispatched")

    def test_low_severity_resolved_after_acknowledgement(self):
        self.ingest(self.event("b1", "low_battery", battery=9))
        alarm = self.alarms(self.recipient_a).with_user(self.duty_a)
        self.assertEqual(alarm.severity, "low")
        with self.assertRaises(UserError):
            alarm.action_resolve()
        alarm.action_acknowledge()
        alarm.outcome = "device"
        alarm.action_resolve()
        self.assertEqual(alarm.state, "resolved")

    def test_acknowledgement_statistics(self):
        t0 = self.now - datetime.timedelta(hours=1)
        with self.at(t0):
            self.ingest(
                self.event("s", "sos", at=t0),
                self.event("f", "fall", at=t0),
                self.event("c", "sos", at=t0, device=self.device_c),
            )
        sos, fall, sos_c = (
            self.alarms(self.recipient_a, "sos"),
            self.alarms(self.recipient_a, "fall"),
            self.alarms(self.recipient_c),
        )
        for alarm, seconds in ((sos, 45), (fall, 120), (sos_c, 200)):
            with self.at(t0 + seconds * SECOND):
                alarm.with_user(self.duty_a).action_acknowledge()
        self.assertEqual(
            [(a.ack_seconds, a.ack_within_60, a.ack_within_180) for a in (sos, fall, sos_c)],
            [(45, 100, 100), (120, 0, 100), (200, 0, 0)],
        )
        self.assertEqual(sos.ack_at, t0 + 45 * SECOND)
        [(average,)] = self.Alarm._read_group([("id", "in", (sos | fall | sos_c).ids)], [], ["ack_within_180:avg"])
        self.assertAlmostEqual(average, 200 / 3)
        with self.at(t0 + 10 * MINUTE):
            sos.with_user(self.duty_a).action_callback_verified()
        with self.at(t0 + 12 * MINUTE):
            sos.with_user(self.duty_a).write({"outcome": "by_phone"})
            sos.with_user(self.duty_a).action_resolve()
        self.assertAlmostEqual(sos.resolve_minutes, 12.0)

    # ------------------------------------------------------------------
    # Escalation and re-firing
    # ------------------------------------------------------------------
    def test_escalation_when_nobody_acknowledges(self):
        t0 = self.now - datetime.timedelta(hours=1)
        alarm = self.raise_alarm(at=t0)
        with self.at(t0):
            self.ingest(self.event("lb", "low_battery", at=t0, battery=5))
        low = self.alarms(self.recipient_a, "low_battery")

        def escalations():
            return alarm.message_ids.filtered(lambda m: self.manager.partner_id in m.partner_ids)

        escalation_type = self.env.ref("city_special_care.mail_activity_type_alarm_escalation")
        with self.at(t0 + 59 * SECOND):
            self.Alarm._cron_escalate()
        self.assertEqual(alarm.escalation_level, 0)
        self.assertFalse(escalations())
        with self.at(t0 + 61 * SECOND):
            self.Alarm._cron_escalate()
        with self.at(t0 + 62 * SECOND):
            self.Alarm._cron_escalate()
        self.assertEqual(alarm.escalation_level, 1)
        self.assertEqual(len(escalations()), 1, "level 1 once, to the care managers")
        self.assertTrue(alarm.activity_ids.filtered(lambda a: a.activity_type_id == escalation_type))
        with self.at(t0 + 299 * SECOND):
            self.Alarm._cron_escalate()
        self.assertEqual(alarm.escalation_level, 1)
        with self.at(t0 + 301 * SECOND):
            self.Alarm._cron_escalate()
            self.Alarm._cron_escalate()
        self.assertEqual(alarm.escalation_level, 2)
        self.assertEqual(len(escalations()), 2, "level 2 once more")
        self.assertEqual((low.escalation_level, low.state), (0, "new"), "low severity is not escalated")
        with self.at(t0 + 400 * SECOND):
            alarm.with_user(self.duty_a).action_acknowledge()
        self.assertFalse(alarm.activity_ids.filtered(lambda a: a.activity_type_id == escalation_type))
        self.assertEqual(alarm.ack_seconds, 400)

    def test_refire_when_arrival_is_not_confirmed(self):
        t0 = self.now - datetime.timedelta(hours=2)
        alarm = self.raise_alarm(at=t0).with_user(self.duty_a)
        with self.at(t0 + 10 * SECOND):
            alarm.action_acknowledge()
            alarm.action_callback_no_answer()
            alarm.responder_type = "ambulance"
            alarm.action_dispatch()
        dispatched_at = t0 + 10 * SECOND
        self.assertEqual(alarm.dispatched_at, dispatched_at)
        with self.at(dispatched_at + 29 * MINUTE):
            self.Alarm._cron_escalate()
        self.assertEqual(alarm.state, "dispatched")
        alarm.sudo().notified = True
        with self.at(dispatched_at + 31 * MINUTE):
            self.Alarm._cron_escalate()
        self.assertEqual(
            (alarm.state, alarm.refire_count, alarm.escalation_level, alarm.callback_result, alarm.dispatched_at),
            ("new", 1, 0, False, False),
        )
        self.assertFalse(alarm.notified, "announced again to the duty desk")
        self.assertEqual(alarm.ack_seconds, 10, "statistics keep the first acknowledgement")
        with self.at(dispatched_at + 32 * MINUTE):
            self.Alarm._cron_escalate()
            alarm.action_acknowledge()
        self.assertEqual((alarm.state, alarm.refire_count, alarm.ack_seconds), ("acknowledged", 1, 10))

    # ------------------------------------------------------------------
    # Follow-up
    # ------------------------------------------------------------------
    def resolve(self, alarm, outcome="assisted"):
        alarm = alarm.with_user(self.duty_a)
        alarm.action_acknowledge()
        alarm.action_callback_verified()
        alarm.outcome = outcome
        alarm.action_resolve()

    def test_resolved_fall_books_visit_and_reassessment(self):
        now = self.now
        alarm = self.raise_alarm("fall")
        with self.at(now):
            self.resolve(alarm)
        visit = self.env["city.care.visit"].search([("alarm_id", "=", alarm.id)])
        self.assertEqual(
            (len(visit), visit.reason, visit.state, visit.due_date, visit.user_id),
            (1, "alarm_follow_up", "planned", now + datetime.timedelta(hours=48), self.worker_a),
        )
        assessment = self.env["city.care.assessment"].search([("recipient_id", "=", self.recipient_a.id)])
        self.assertEqual((len(assessment), assessment.reason, assessment.state), (1, "after_fall", "draft"))
        self.assertEqual(assessment.activity_ids.user_id, self.worker_a)

    def test_resolved_sos_books_a_visit_only(self):
        alarm = self.raise_alarm("sos")
        self.resolve(alarm, "by_phone")
        visit = self.env["city.care.visit"].search([("alarm_id", "=", alarm.id)])
        self.assertEqual((len(visit), visit.reason), (1, "alarm_follow_up"))
        self.assertFalse(self.env["city.care.assessment"].search([("recipient_id", "=", self.recipient_a.id)]))

    def test_new_alarm_after_resolution(self):
        first = self.raise_alarm(uid="s1")
        self.resolve(first, "false_alarm")
        self.ingest(self.event("s2"))
        alarms = self.alarms(self.recipient_a, "sos")
        self.assertEqual(len(alarms), 2, "a resolved alarm is not reopened by a new event")
        self.assertEqual((alarms - first).state, "new")

    # ------------------------------------------------------------------
    # Devices going offline
    # ------------------------------------------------------------------
    def test_device_offline_by_model_threshold(self):
        Model = self.env["city.care.device.model"]
        fast = Model.create({"name": "测试胸牌", "kind": "badge", "heartbeat_interval": 60, "offline_after": 300})
        slow = Model.create({"name": "测试拐杖", "kind": "pendant", "heartbeat_interval": 600, "offline_after": 3600})
        badge = self.make_device(self.recipient_c, "86012345000011", model=fast)
        pendant = self.make_device(self.recipient_b, "86012345000012", model=slow)
        heard = self.now - 10 * MINUTE
        self.ingest(
            self.event("hb1", "heartbeat", at=heard, device=badge),
            self.event("hb2", "heartbeat", at=heard, device=pendant),
        )
        # A heartbeat already older than the model's threshold does not bring the badge online.
        self.assertEqual((badge.is_online, pendant.is_online), (False, True))
        self.env["city.care.device"]._cron_offline()
        self.assertFalse(badge.is_online, "10 minutes without heartbeat is offline after 300 s")
        self.assertTrue(pendant.is_online, "but not for a model allowing an hour")
        alarm = self.alarms(self.recipient_c, "device_offline")
        self.assertEqual((len(alarm), alarm.severity, alarm.device_id), (1, "low", badge))
        self.assertEqual(badge.offline_alarm_id, alarm)
        self.assertFalse(self.alarms(self.recipient_b, "device_offline"))
        self.env["city.care.device"]._cron_offline()
        self.assertEqual(self.alarms(self.recipient_c, "device_offline"), alarm, "raised once")
        # Heard again: online, and the alarm closes itself.
        self.ingest(self.event("hb3", "heartbeat", at=self.now, device=badge))
        self.assertTrue(badge.is_online)
        self.assertEqual((alarm.state, alarm.outcome), ("resolved", "device"))
        self.assertFalse(badge.offline_alarm_id)

    def test_new_sos_after_the_burst_brings_a_handled_alarm_back(self):
        at = self.now - 30 * MINUTE
        self.ingest(self.event("r-1", at=at))
        alarm = self.alarms(self.recipient_a, "sos")
        alarm.with_user(self.duty_a).action_acknowledge()
        self.ingest(self.event("r-2", at=at + 5 * MINUTE))
        self.assertEqual((alarm.state, alarm.refire_count, alarm.event_count), ("acknowledged", 0, 2), "same burst")
        self.ingest(self.event("r-3", at=at + 25 * MINUTE))
        self.assertEqual((alarm.state, alarm.refire_count, alarm.event_count), ("new", 1, 3), "a new emergency")
        self.assertFalse(alarm.notified, "announced again to the duty desk")

    def test_concurrent_opener_joins_the_open_alarm(self):
        """A request that lost the race for the open alarm joins it instead of failing the batch."""
        self.ingest(self.event("c-1"))
        alarm = self.alarms(self.recipient_a, "sos")
        self.env.flush_all()
        joined, is_new = self.Alarm._create_or_join(
            {"recipient_id": self.recipient_a.id, "device_id": self.device_a.id, "kind": "sos", "detail": ""}
        )
        self.assertEqual((joined, is_new), (alarm, False))

    def test_steps_and_statistics_cannot_be_written_directly(self):
        self.ingest(self.event("w-1"))
        alarm = self.alarms(self.recipient_a, "sos")
        for values in ({"state": "resolved"}, {"ack_within_60": 100}, {"escalation_level": 0}):
            with self.subTest(values=values), self.assertRaises(UserError):
                alarm.with_user(self.manager).write(values)
        visit = self.planned_routine(self.recipient_a)
        with self.assertRaises(UserError):
            visit.with_user(self.worker_a).write({"state": "done"})
