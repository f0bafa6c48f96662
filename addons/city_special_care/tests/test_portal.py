import datetime
import re

from freezegun import freeze_time
from lxml import html

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.city_base.tests.common import CityHttpCase


@tagged("post_install", "-at_install")
class TestCareFamilyPortal(CityHttpCase):
    """The family portal: relatives, alarms, visits and readings as far as the consent shares them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Recipient = cls.env["city.care.recipient"]
        Contact = cls.env["city.care.contact"]
        Consent = cls.env["city.care.consent"]
        Alarm = cls.env["city.care.alarm"].sudo()

        def family_user(login, name):
            return new_test_user(
                cls.env, login=login, groups="base.group_portal", name=name, lang="en_US", tz="Asia/Shanghai"
            )

        cls.family = family_user("t_care_family", "张建国")  # son of resident A: shares everything
        cls.family_b = family_user("t_care_family_b", "李红")  # daughter of resident B: alarms only
        cls.family_none = family_user("t_care_family_none", "张建华")  # contact of A, consent revoked
        cls.care_worker = new_test_user(
            cls.env, login="t_care_visitor", groups="city_special_care.group_city_special_care_worker", name="王护理"
        )
        cls.care_worker.city_division_ids = cls.community_a
        alone = cls.env.ref("city_special_care.city_care_category_alone")
        cls.recipient_a = Recipient.create(
            {"partner_id": cls.resident_a.id, "manual_category_ids": [Command.link(alone.id)]}
        )
        cls.recipient_b = Recipient.create({"partner_id": cls.resident_b.id})

        def consent(recipient, user, alarms=True, visits=True, readings=True):
            contact = Contact.create(
                {
                    "recipient_id": recipient.id,
                    "partner_id": user.partner_id.id,
                    "name": user.name,
                    "phone": "13800138000",
                    "relation": "child",
                    "is_guardian": True,
                }
            )
            return Consent.create(
                {
                    "recipient_id": recipient.id,
                    "shared_with": "family",
                    "contact_id": contact.id,
                    "share_alarms": alarms,
                    "share_visits": visits,
                    "share_readings": readings,
                    "signed_by": "self",
                    "signer_name": recipient.name,
                }
            )

        consent(cls.recipient_a, cls.family)
        consent(cls.recipient_a, cls.family_none).action_revoke()
        consent(cls.recipient_b, cls.family_b, visits=False, readings=False)

        # 2025-03-14 02:05 UTC is 10:05 in Jilin
        cls.raised_at = datetime.datetime(2025, 3, 14, 2, 5)
        cls.alarm_new = Alarm.create({"recipient_id": cls.recipient_a.id, "kind": "sos", "raised_at": cls.raised_at})
        cls.alarm_acked = Alarm.create(
            {"recipient_id": cls.recipient_a.id, "kind": "low_battery", "raised_at": cls.raised_at}
        )
        cls.alarm_acked.with_user(cls.care_worker).action_acknowledge()
        cls.alarm_b = Alarm.create(
            {
                "recipient_id": cls.recipient_b.id,
                "kind": "vitals",
                "raised_at": cls.raised_at,
                "detail": "心率181次/分，高于上限120",
            }
        )
        for recipient in cls.recipient_a | cls.recipient_b:
            visit = cls.env["city.care.visit"].create(
                {
                    "recipient_id": recipient.id,
                    "user_id": cls.care_worker.id,
                    "reason": "manual",
                    "due_date": fields.Datetime.now(),
                    "visited_at": fields.Datetime.now() - datetime.timedelta(days=2),
                    "wellbeing": "good",
                    "findings": "精神很好，按时服药，冰箱里有新鲜蔬菜",
                }
            )
            visit.action_done()
            recipient.sudo().write(
                {
                    "last_heart_rate": 137,
                    "last_systolic": 158,
                    "last_diastolic": 96,
                    "last_spo2": 93,
                    "last_reading_at": cls.raised_at,
                    "last_location_at": cls.raised_at,
                }
            )
        cls.env.flush_all()  # the requests read the stored consent fields in SQL (record rules)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response

    def csrf(self, url):
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.url_open(url).text)
        self.assertTrue(match, f"no CSRF token on {url}")
        return match.group(1)

    def acknowledge(self, alarm, token):
        return self.url_open(f"/my/care/alarm/{alarm.id}/acknowledge", data={"csrf_token": token})

    def fresh(self, record):
        """``record`` as the requests left it (they run on the test cursor, not through this cache)."""
        record.invalidate_recordset()
        return record

    def ack_messages(self, alarm, partner):
        return self.fresh(alarm).message_ids.filtered(lambda message: message.author_id == partner and message.body)

    def care_count(self):
        return self.make_jsonrpc_request("/my/counters", {"counters": ["care_count"]})["care_count"]

    # ------------------------------------------------------------------
    # Tour
    # ------------------------------------------------------------------
    def test_tour_family_portal(self):
        self.start_tour("/my", "city_special_care_family_portal", login="t_care_family")
        # The family's acknowledgement is recorded beside the desk's steps: the desk still has to act.
        self.assertEqual(self.fresh(self.alarm_new).state, "new")
        self.assertEqual(self.alarm_new.ack_partner_id, self.family.partner_id)
        self.assertTrue(self.alarm_new.family_ack_at)
        self.assertFalse(self.alarm_new.ack_user_id)
        self.assertFalse(self.alarm_new.ack_at)
        self.assertIn("张建国", self.ack_messages(self.alarm_new, self.family.partner_id).body)

    # ------------------------------------------------------------------
    # What a family member sees
    # ------------------------------------------------------------------
    def test_everything_shared(self):
        self.authenticate("t_care_family", "t_care_family")
        self.assertEqual(self.care_count(), 1)
        page = self.page("/my/care").text
        self.assertIn(f"/my/care/{self.recipient_a.id}", page)
        self.assertNotIn(f"/my/care/{self.recipient_b.id}", page)
        self.assertIn("甲社区", page)
        page = self.page(f"/my/care/{self.recipient_a.id}").text
        for css in ("o_care_alarms", "o_care_visits", "o_care_readings"):
            self.assertIn(css, page)
        self.assertIn(f">{self.recipient_a.name}<", page)
        self.assertIn('data-code="elderly_alone"', page)
        self.assertIn("甲社区", page)
        # open alarms first, each open one the family has not acknowledged yet can be (the one the
        # desk acknowledged too); times in the user's time zone
        alarm_ids = [int(i) for i in re.findall(r'data-alarm-id="(\d+)"', page)]
        self.assertEqual(alarm_ids, [self.alarm_new.id, self.alarm_acked.id])
        self.assertIn(f"/my/care/alarm/{self.alarm_new.id}/acknowledge", page)
        self.assertIn(f"/my/care/alarm/{self.alarm_acked.id}/acknowledge", page)
        self.assertIn("10:05", page)
        self.assertNotIn("02:05", page)
        acked = html.fromstring(page).xpath(f"//li[@data-alarm-id='{self.alarm_acked.id}']//*[@data-by]")
        self.assertEqual([node.get("data-by") for node in acked], ["desk"])
        # visits and readings
        self.assertIn("王护理", page)
        self.assertIn("按时服药", page)
        self.assertIn("o_care_next_visit", page)
        self.assertRegex(page, r'o_care_heart_rate"[^>]*>137<')
        self.assertRegex(page, r'o_care_blood_pressure"[^>]*>158/96<')
        self.assertRegex(page, r'o_care_spo2"[^>]*>93<')

    def test_alarms_only(self):
        self.authenticate("t_care_family_b", "t_care_family_b")
        self.assertEqual(self.care_count(), 1)
        page = self.page(f"/my/care/{self.recipient_b.id}").text
        self.assertIn("o_care_alarms", page)
        self.assertIn(f'data-alarm-id="{self.alarm_b.id}"', page)
        # the alarm's detail carries readings: not shown either
        for hidden in (
            "o_care_visits",
            "o_care_readings",
            "o_care_next_visit",
            "王护理",
            "按时服药",
            "158/96",
            "心率181",
        ):
            self.assertNotIn(hidden, page)
        # the relative of another family is not reachable
        response = self.url_open(f"/my/care/{self.recipient_a.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn("o_care_alarms", response.text)

    def test_without_consent(self):
        self.authenticate("t_care_family_none", "t_care_family_none")
        self.assertEqual(self.care_count(), 0)
        self.assertNotIn(f"/my/care/{self.recipient_a.id}", self.page("/my/care").text)
        response = self.url_open(f"/my/care/{self.recipient_a.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn("o_care_recipient_page", response.text)
        self.assertNotIn(f">{self.recipient_a.name}<", response.text)

    def test_staff_and_public_are_not_family(self):
        url = f"/my/care/{self.recipient_a.id}"
        # the care worker reads the file in the backend, not as family in the portal
        self.authenticate("t_care_visitor", "t_care_visitor")
        self.assertEqual(self.care_count(), 0)
        self.assertTrue(self.url_open(url).url.endswith("/my"))
        self.logout()
        response = self.url_open(url)
        self.assertIn("/web/login", response.url)
        self.assertNotIn("o_care_recipient_page", response.text)

    # ------------------------------------------------------------------
    # Acknowledging
    # ------------------------------------------------------------------
    def test_acknowledge(self):
        self.authenticate("t_care_family", "t_care_family")
        token = self.csrf(f"/my/care/{self.recipient_a.id}")
        response = self.acknowledge(self.alarm_new, token)
        self.assertEqual(response.status_code, 200)
        self.assertIn('data-message="acknowledged"', response.text)
        acked = html.fromstring(response.text).xpath(f"//li[@data-alarm-id='{self.alarm_new.id}']//*[@data-by]")
        self.assertEqual([node.get("data-by") for node in acked], ["self"])
        alarm = self.fresh(self.alarm_new)
        self.assertEqual((alarm.state, alarm.ack_partner_id), ("new", self.family.partner_id))
        self.assertFalse(alarm.ack_at, "the desk's statistics do not count the family")
        self.assertIn("张建国", self.ack_messages(self.alarm_new, self.family.partner_id).body)
        # The alarm still escalates to the managers when the desk does not acknowledge it in time.
        Alarm = self.env["city.care.alarm"]
        with freeze_time(alarm.raised_at + datetime.timedelta(minutes=10)):
            Alarm._cron_escalate()
        self.assertTrue(self.fresh(alarm).escalation_level)
        # Then the desk acknowledges: both show.
        alarm.with_user(self.care_worker).action_acknowledge()
        page = self.url_open(f"/my/care/{self.recipient_a.id}").text
        acked = html.fromstring(page).xpath(f"//li[@data-alarm-id='{alarm.id}']//*[@data-by]")
        self.assertEqual([node.get("data-by") for node in acked], ["self", "desk"])

    def test_acknowledge_another_familys_alarm_is_refused(self):
        self.authenticate("t_care_family", "t_care_family")
        token = self.csrf(f"/my/care/{self.recipient_a.id}")
        messages = len(self.alarm_b.message_ids)
        response = self.acknowledge(self.alarm_b, token)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertEqual(self.fresh(self.alarm_b).state, "new")
        self.assertFalse(self.alarm_b.ack_at)
        self.assertEqual(len(self.alarm_b.message_ids), messages)
        # nor with a consent that does not share alarms any more
        self.authenticate("t_care_family_none", "t_care_family_none")
        token = self.csrf("/my/account")
        response = self.acknowledge(self.alarm_new, token)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertEqual(self.fresh(self.alarm_new).state, "new")

    def test_acknowledge_twice_gives_a_message(self):
        ack_at = self.alarm_acked.ack_at
        self.authenticate("t_care_family", "t_care_family")
        token = self.csrf(f"/my/care/{self.recipient_a.id}")
        # An alarm the desk already acknowledged can still be acknowledged by the family, once.
        response = self.acknowledge(self.alarm_acked, token)
        self.assertIn('data-message="acknowledged"', response.text)
        response = self.acknowledge(self.alarm_acked, token)
        self.assertEqual(response.status_code, 200)
        self.assertIn('data-error="not_new"', response.text)
        self.assertEqual(self.fresh(self.alarm_acked).state, "acknowledged")
        self.assertEqual(self.alarm_acked.ack_at, ack_at)
        self.assertEqual(self.alarm_acked.ack_user_id, self.care_worker)
        self.assertEqual(self.alarm_acked.ack_partner_id, self.family.partner_id)
        self.assertEqual(len(self.ack_messages(self.alarm_acked, self.family.partner_id)), 1)

    def test_acknowledge_needs_the_csrf_token(self):
        self.authenticate("t_care_family", "t_care_family")
        response = self.acknowledge(self.alarm_new, "")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.fresh(self.alarm_new).state, "new")
        self.assertFalse(self.alarm_new.ack_partner_id)
