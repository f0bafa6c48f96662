import datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import CareCase

HEALTH_FIELDS = ("care_level", "barthel_score", "disability_type", "health_note", "last_heart_rate", "last_spo2")


@tagged("post_install", "-at_install")
class TestCareSecurity(CareCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Recipient = cls.env["city.care.recipient"]
        cls.Alarm = cls.env["city.care.alarm"]
        cls.Visit = cls.env["city.care.visit"]
        cls.Log = cls.env["city.care.access.log"]

    def raise_alarms(self):
        self.ingest(self.event("sa"), self.event("sb", device=self.device_b))
        return self.alarms(self.recipient_a), self.alarms(self.recipient_b)

    def visible(self, user, model, records):
        """The part of ``records`` that ``user`` finds by searching."""
        return self.env[model].with_user(user).search([("id", "in", records.ids)])

    # ------------------------------------------------------------------
    # Workers by division
    # ------------------------------------------------------------------
    def test_worker_sees_their_divisions_only(self):
        alarm_a, alarm_b = self.raise_alarms()
        visits_a, visits_b = self.recipient_a.visit_ids, self.recipient_b.visit_ids
        self.assertTrue(visits_a and visits_b)
        recipients = self.recipient_a | self.recipient_b
        self.assertEqual(self.visible(self.worker_a, "city.care.recipient", recipients), self.recipient_a)
        self.assertEqual(self.visible(self.worker_b, "city.care.recipient", recipients), self.recipient_b)
        self.assertEqual(self.visible(self.worker_a, "city.care.alarm", alarm_a | alarm_b), alarm_a)
        self.assertEqual(self.visible(self.worker_a, "city.care.visit", visits_a | visits_b), visits_a)
        self.assertCanRead(self.worker_a, self.recipient_a, ["name", "care_level", "last_heart_rate"])
        self.assertCanRead(self.worker_a, alarm_a, ["name", "state"])
        self.assertCanRead(self.worker_a, visits_a, ["due_date"])
        self.assertCannotRead(self.worker_a, self.recipient_b)
        self.assertCannotRead(self.worker_a, alarm_b)
        self.assertCannotRead(self.worker_a, visits_b)
        self.assertCannotRead(self.worker_a, self.device_b)
        self.assertCannotWrite(self.worker_a, self.recipient_b, {"risk_level": "high"})
        self.assertCannotWrite(self.worker_a, alarm_b, {"outcome": "other"})
        events = self.env["city.care.event"].search([("device_id", "in", (self.device_a | self.device_b).ids)])
        self.assertEqual(self.visible(self.worker_a, "city.care.event", events).device_id, self.device_a)
        # Their own files: they work on them, but do not delete them.
        self.recipient_a.with_user(self.worker_a).risk_level = "medium"
        with self.assertRaises(AccessError):
            self.recipient_a.with_user(self.worker_a).unlink()

    def test_worker_cannot_open_a_file_elsewhere(self):
        self.assertCannotCreate(
            self.worker_a,
            "city.care.recipient",
            {"partner_id": self.make_resident("郑桂香", "19450505", "083", grid=self.grid_b).id},
        )
        recipient = self.Recipient.with_user(self.worker_a).create(
            {"partner_id": self.make_resident("郑桂珍", "19450506", "093").id}
        )
        self.assertEqual(recipient.community_id, self.community_a)

    def test_city_worker_without_care_group_sees_no_care_file(self):
        with self.assertRaises(AccessError):
            self.Recipient.with_user(self.city_worker).search([])
        self.assertCannotRead(self.city_worker, self.recipient_a)
        with self.assertRaises(AccessError):
            self.Alarm.with_user(self.city_worker).search([])

    def test_supervisor_reads_files_but_not_health_data(self):
        self.assertCanRead(
            self.supervisor, self.recipient_a | self.recipient_b, ["name", "risk_level", "next_visit_due"]
        )
        for field in HEALTH_FIELDS:
            with self.subTest(field=field):
                self.assertCannotRead(self.supervisor, self.recipient_a, [field])
        with self.assertRaises(AccessError):
            self.recipient_a.with_user(self.supervisor).care_level  # noqa: B018
        self.assertCannotWrite(self.supervisor, self.recipient_a, {"risk_level": "high"})
        self.assertCannotCreate(self.supervisor, "city.care.recipient", {"partner_id": self.org_contact.id})
        alarm_a, _alarm_b = self.raise_alarms()
        self.assertCanRead(self.supervisor, alarm_a, ["state"])
        self.assertCannotWrite(self.supervisor, alarm_a, {"outcome": "other"})

    def test_events_and_their_readings_by_division(self):
        self.ingest(self.event("v1", "vitals", heart_rate=80))
        event = self.env["city.care.event"].search([("device_id", "=", self.device_a.id)])
        self.assertEqual(event.with_user(self.worker_a).heart_rate, 80)
        self.assertCannotRead(self.worker_b, event, ["kind"])

    # ------------------------------------------------------------------
    # Counselling
    # ------------------------------------------------------------------
    def test_counselling_notes_for_counsellors_and_managers(self):
        session = (
            self.env["city.care.counselling"]
            .with_user(self.counsellor)
            .create(
                {
                    "recipient_id": self.recipient_a.id,
                    "counsellor_id": self.counsellor.id,
                    "scheduled_at": fields.Datetime.now(),
                    "topic": "丧偶后的情绪疏导",
                    "notes": "情绪低落，睡眠差，建议子女多陪伴。",
                }
            )
        )
        self.assertEqual(session.with_user(self.counsellor).notes, "情绪低落，睡眠差，建议子女多陪伴。")
        self.assertEqual(session.with_user(self.manager).notes, "情绪低落，睡眠差，建议子女多陪伴。")
        self.assertCanRead(self.worker_a, session, ["topic", "scheduled_at"])
        self.assertCannotRead(self.worker_a, session, ["notes"])
        self.assertCannotRead(self.supervisor, session, ["notes"])
        self.assertCannotRead(self.worker_b, session)
        self.assertCannotCreate(
            self.worker_a,
            "city.care.counselling",
            {
                "recipient_id": self.recipient_a.id,
                "counsellor_id": self.counsellor.id,
                "scheduled_at": fields.Datetime.now(),
                "topic": "试试",
            },
        )

    # ------------------------------------------------------------------
    # Access log
    # ------------------------------------------------------------------
    def test_reading_someone_elses_full_file_is_logged(self):
        def logs():
            return self.Log.search([("recipient_id", "=", self.recipient_a.id)])

        self.recipient_a.with_user(self.worker_a).web_read({"display_name": {}, "care_level": {}, "health_note": {}})
        self.assertFalse(logs(), "the responsible worker is not logged")
        self.recipient_a.with_user(self.duty_a).web_read({"display_name": {}, "risk_level": {}})
        self.assertFalse(logs(), "the summary without health data is not logged")
        self.recipient_a.with_user(self.duty_a).web_read(
            {"display_name": {}, "care_level": {}, "last_heart_rate": {}, "risk_level": {}}
        )
        log = logs()
        self.assertEqual(len(log), 1)
        self.assertEqual((log.user_id, log.fields_read), (self.duty_a, "care_level, last_heart_rate"))
        self.assertEqual(self.Log.with_user(self.manager).search([("id", "=", log.id)]), log)
        with self.assertRaises(AccessError):
            self.Log.with_user(self.worker_a).search([])
        with self.assertRaises(UserError):
            log.write({"fields_read": "display_name"})
        with self.assertRaises(UserError):
            log.unlink()
        with self.assertRaises(UserError):
            self.Log.create(
                {"recipient_id": self.recipient_a.id, "user_id": self.worker_a.id, "accessed_at": "2026-01-01"}
            )
        self.assertEqual(log.fields_read, "care_level, last_heart_rate")

    # ------------------------------------------------------------------
    # Family portal
    # ------------------------------------------------------------------
    def test_family_with_consent(self):
        alarm_a, alarm_b = self.raise_alarms()
        family = self.family_user
        self.assertEqual(self.Recipient.with_user(family).search([]), self.recipient_a)
        self.assertEqual(self.recipient_a.with_user(family).name, self.resident_a.name)
        self.assertEqual(self.Alarm.with_user(family).search([]), alarm_a)
        self.assertEqual(self.Visit.with_user(family).search([]), self.recipient_a.visit_ids)
        self.assertCannotRead(family, self.recipient_b)
        self.assertCannotRead(family, alarm_b)
        self.assertCannotRead(family, self.recipient_b.visit_ids)
        for field in HEALTH_FIELDS:
            with self.subTest(field=field):
                self.assertCannotRead(family, self.recipient_a, [field])
        self.assertCannotWrite(family, self.recipient_a, {"risk_level": "low"})
        with self.assertRaises(AccessError):
            self.env["city.care.event"].with_user(family).search([])
        # Internal notes, location and thresholds stay off the portal's ORM access (readings are shown
        # only through the portal page, after its consent check), and so do alarm details with values.
        for field in ("note", "last_latitude", "last_location_at", "heart_rate_max", "contact_ids"):
            with self.subTest(field=field):
                self.assertCannotRead(family, self.recipient_a, [field])
        self.assertCannotRead(family, alarm_a, ["detail"])
        self.assertCannotRead(self.supervisor, alarm_a, ["detail"])

    def test_family_sees_only_what_is_shared(self):
        alarm_a, _alarm_b = self.raise_alarms()
        self.consent.share_alarms = False
        self.env.flush_all()  # the family's next request
        self.assertEqual(self.Recipient.with_user(self.family_user).search([]), self.recipient_a)
        self.assertFalse(self.Alarm.with_user(self.family_user).search([]))
        self.assertCannotRead(self.family_user, alarm_a)
        self.assertTrue(self.Visit.with_user(self.family_user).search([]))
        self.consent.share_visits = False
        self.env.flush_all()
        self.assertFalse(self.Visit.with_user(self.family_user).search([]))

    def test_family_after_revocation(self):
        self.raise_alarms()
        consent = self.consent.with_user(self.worker_a)
        consent.action_revoke()
        self.assertEqual((consent.state, consent.revoked_on), ("revoked", fields.Date.context_today(consent)))
        self.env.flush_all()  # the family's next request
        self.assertFalse(self.Recipient.with_user(self.family_user).search([]))
        self.assertFalse(self.Alarm.with_user(self.family_user).search([]))
        self.assertFalse(self.Visit.with_user(self.family_user).search([]))
        self.assertCannotRead(self.family_user, self.recipient_a)
        with self.assertRaises(UserError):
            self.consent.action_revoke()

    def test_family_after_expiry(self):
        today = datetime.date(2026, 5, 20)
        self.consent.action_revoke()
        with self.at(datetime.datetime(2026, 5, 20, 2, 0)):
            limited = self.env["city.care.consent"].create(
                {
                    "recipient_id": self.recipient_a.id,
                    "contact_id": self.family_contact.id,
                    "signer_name": "张桂兰",
                    "signed_on": today - datetime.timedelta(days=30),
                    "valid_until": today - datetime.timedelta(days=1),
                }
            )
            self.env.flush_all()
            self.assertEqual(self.Recipient.with_user(self.family_user).search([]), self.recipient_a)
            self.Recipient._cron_refresh_consents()
            self.env.flush_all()
        self.assertEqual(limited.state, "expired")
        self.assertFalse(self.Recipient.with_user(self.family_user).search([]))
        self.assertCannotRead(self.family_user, self.recipient_a)

    def test_no_consent_no_access(self):
        stranger = self.make_recipient("冯秀兰", "19380909", "019")
        self.env["city.care.contact"].create(
            {"recipient_id": stranger.id, "partner_id": self.family_partner.id, "name": "王芳", "phone": "13804325678"}
        )
        self.assertEqual(
            self.Recipient.with_user(self.family_user).search([]), self.recipient_a, "a contact without consent"
        )
        self.assertCannotRead(self.family_user, stranger)

    # ------------------------------------------------------------------
    # Device events are append-only
    # ------------------------------------------------------------------
    def test_events_are_immutable(self):
        Event = self.env["city.care.event"]
        values = {
            "device_id": self.device_a.id,
            "event_uid": "forged",
            "kind": "sos",
            "occurred_at": fields.Datetime.now(),
        }
        with self.assertRaises(UserError):
            Event.create(values)
        with self.assertRaises(AccessError):
            Event.with_user(self.manager).with_context(city_care_event_capture=True).create(values)
        self.ingest(self.event("e1"))
        event = Event.search([("device_id", "=", self.device_a.id)])
        with self.assertRaises(UserError):
            event.write({"kind": "fall"})
        with self.assertRaises(UserError):
            event.unlink()
        self.assertEqual((event.kind, event.event_uid), ("sos", "e1"))
