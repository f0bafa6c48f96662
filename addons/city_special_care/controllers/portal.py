from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import format_datetime
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.dates import CITY_TZ
from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.city_care_alarm import OPEN_STATES

DEFAULT_TZ = CITY_TZ
WELLBEING_CLASSES = {"good": "text-bg-success", "fair": "text-bg-warning", "poor": "text-bg-danger"}


def shorten(text, length):
    """``text`` cut to ``length`` characters (Chinese has no spaces to cut at)."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class CarePortal(CityBasePortal):
    """The family portal: a guardian or relative follows the care of the person who consented.

    Which relatives a family member sees is decided by the record rules (an active consent naming
    him); each section of the page is shown only when the consent shares it: alarms, visits, the
    latest readings.
    """

    _care_per_page = 20  # relatives on /my/care
    _care_resolved_alarms = 10  # resolved alarms listed under the open ones
    _care_done_visits = 5  # recent visits listed
    _care_findings_length = 200  # characters of the visit findings shown

    # ------------------------------------------------------------------
    # Home counter
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "care_count" in counters:
            Recipient = request.env["city.care.recipient"]
            values["care_count"] = Recipient.search_count(self._care_domain()) if Recipient.has_access("read") else 0
        return values

    @staticmethod
    def _care_domain():
        return [("family_partner_ids", "in", request.env.user.partner_id.ids)]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _care_recipient_sudo(self, recipient_id):
        """The recipient ``recipient_id`` (sudo) if the user may read it as its family, else empty."""
        Recipient = request.env["city.care.recipient"]
        try:
            recipient_sudo = self._document_check_access("city.care.recipient", recipient_id)
        except (AccessError, MissingError):
            return Recipient
        # Staff reading the file under their divisions are not its family: the portal page is not theirs.
        if request.env.user.partner_id not in recipient_sudo.family_partner_ids:
            return Recipient
        return recipient_sudo

    @staticmethod
    def _care_shares(recipient_sudo):
        """What the consent of the logged-in family member shares: ``{"alarms", "visits", "readings"}``."""
        partner = request.env.user.partner_id
        return {
            "alarms": partner in recipient_sudo.family_alarm_partner_ids,
            "visits": partner in recipient_sudo.family_visit_partner_ids,
            "readings": partner in recipient_sudo.family_reading_partner_ids,
        }

    @staticmethod
    def _care_formatters():
        """Functions writing a datetime (date and time, or the day) in the user's time zone and language."""
        env = request.env
        tz = env.user.tz or DEFAULT_TZ
        lang = get_lang(env)
        date_pattern = posix_to_ldml(lang.date_format, locale=babel_locale_parse(lang.code))

        def moment(value):
            return format_datetime(env, value, tz=tz, dt_format=f"{date_pattern} HH:mm") if value else ""

        def day(value):
            return format_datetime(env, value, tz=tz, dt_format=date_pattern) if value else ""

        return moment, day

    # ------------------------------------------------------------------
    # My relatives
    # ------------------------------------------------------------------
    @http.route(["/my/care", "/my/care/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_care(self, page=1, **kw):
        Recipient = request.env["city.care.recipient"]
        if not Recipient.has_access("read"):
            return request.redirect("/my")
        domain = self._care_domain()
        count = Recipient.search_count(domain)
        pager = portal_pager(url="/my/care", total=count, page=page, step=self._care_per_page)
        recipients = Recipient.search(domain, order="name, id", limit=self._care_per_page, offset=pager["offset"])
        request.session["my_care_history"] = recipients.ids[:100]
        # Alarms the user may read: the record rules keep those of relatives sharing them.
        open_alarms = dict(
            request.env["city.care.alarm"]._read_group(
                [("recipient_id", "in", recipients.ids), ("state", "in", OPEN_STATES)], ["recipient_id"], ["__count"]
            )
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "care_recipients",
                "recipients": recipients,
                "open_alarms": {recipient.id: count for recipient, count in open_alarms.items()},
                "pager": pager,
                "default_url": "/my/care",
            }
        )
        return request.render("city_special_care.portal_my_care_recipients", values)

    # ------------------------------------------------------------------
    # One relative
    # ------------------------------------------------------------------
    def _care_alarm_rows(self, recipient_sudo, moment):
        """Open alarms first, then the latest resolved ones; read through the record rules."""
        Alarm = request.env["city.care.alarm"]
        domain = [("recipient_id", "=", recipient_sudo.id)]
        alarms = Alarm.search([*domain, ("state", "in", OPEN_STATES)])
        alarms |= Alarm.search(
            [*domain, ("state", "not in", OPEN_STATES)],
            order="raised_at desc, id desc",
            limit=self._care_resolved_alarms,
        )
        kinds = selection_labels(Alarm, "kind")
        states = selection_labels(Alarm, "state")
        partner = request.env.user.partner_id
        env = request.env
        rows = []
        for alarm in alarms:
            # Who acknowledged it, without naming the other family members or the staff.
            acknowledgements = []
            if alarm.ack_partner_id == partner:
                acknowledgements.append(
                    ("self", env._("Acknowledged by you at %(time)s", time=moment(alarm.family_ack_at)))
                )
            elif alarm.ack_partner_id:
                acknowledgements.append(
                    ("family", env._("Acknowledged by a family member at %(time)s", time=moment(alarm.family_ack_at)))
                )
            if alarm.ack_at:
                acknowledgements.append(
                    ("desk", env._("Acknowledged by the care desk at %(time)s", time=moment(alarm.ack_at)))
                )
            rows.append(
                {
                    "id": alarm.id,
                    "name": alarm.name,
                    "kind": alarm.kind,
                    "kind_label": kinds.get(alarm.kind, alarm.kind),
                    "state": alarm.state,
                    "state_label": states.get(alarm.state, alarm.state),
                    "severity": alarm.severity,
                    "raised_at": moment(alarm.raised_at),
                    "acknowledgements": acknowledgements,
                    "can_acknowledge": alarm.state in OPEN_STATES and not alarm.ack_partner_id,
                }
            )
        return rows

    def _care_visit_values(self, recipient_sudo, moment, day):
        """Recent visits and the next planned one; read through the record rules."""
        Visit = request.env["city.care.visit"]
        domain = [("recipient_id", "=", recipient_sudo.id)]
        done = Visit.search(
            [*domain, ("state", "=", "done")], order="visited_at desc, id desc", limit=self._care_done_visits
        )
        planned = Visit.search([*domain, ("state", "=", "planned")], order="due_date, id", limit=1)
        modes = selection_labels(Visit, "mode")
        wellbeing = selection_labels(Visit, "wellbeing")
        rows = []
        for visit in done:
            rows.append(
                {
                    "id": visit.id,
                    "visited_at": moment(visit.visited_at),
                    # the worker's name: the visit is readable, the user record is not for the portal
                    "worker": visit.sudo().user_id.name or "",
                    "mode": modes.get(visit.mode, ""),
                    "wellbeing": visit.wellbeing,
                    "wellbeing_label": wellbeing.get(visit.wellbeing, ""),
                    "wellbeing_class": WELLBEING_CLASSES.get(visit.wellbeing, "text-bg-light"),
                    "findings": shorten(visit.findings, self._care_findings_length),
                }
            )
        next_visit = ""
        if planned:
            next_visit = request.env._("Next visit by %(date)s", date=day(planned.due_date))
        return {"visits": rows, "next_visit": next_visit}

    def _care_readings(self, recipient_sudo, moment):
        """The latest wearable readings: call only when the consent shares them."""
        reading_sudo = recipient_sudo.sudo()
        blood_pressure = ""
        if reading_sudo.last_systolic and reading_sudo.last_diastolic:
            blood_pressure = f"{reading_sudo.last_systolic}/{reading_sudo.last_diastolic}"
        return {
            "heart_rate": reading_sudo.last_heart_rate or "",
            "blood_pressure": blood_pressure,
            "spo2": reading_sudo.last_spo2 or "",
            "reading_at": moment(reading_sudo.last_reading_at),
            "location_at": moment(reading_sudo.last_location_at),
        }

    def _care_messages(self, kw):
        env = request.env
        messages = {"acknowledged": env._("Thank you: the care desk sees that you are taking care of the alarm.")}
        errors = {"not_new": env._("This alarm is closed or a family member has already acknowledged it.")}
        message = kw.get("message") if kw.get("message") in messages else None
        error = kw.get("error") if kw.get("error") in errors else None
        return message, messages.get(message), error, errors.get(error)

    @http.route(["/my/care/<int:recipient_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_care_recipient(self, recipient_id, **kw):
        recipient_sudo = self._care_recipient_sudo(recipient_id)
        if not recipient_sudo:
            return request.redirect("/my")
        shares = self._care_shares(recipient_sudo)
        moment, day = self._care_formatters()
        message, message_text, error, error_text = self._care_messages(kw)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "care_recipient",
                "recipient": recipient_sudo,
                "shares": shares,
                "alarms": self._care_alarm_rows(recipient_sudo, moment) if shares["alarms"] else [],
                "visits": [],
                "next_visit": "",
                "readings": self._care_readings(recipient_sudo, moment) if shares["readings"] else {},
                "message": message,
                "message_text": message_text,
                "error": error,
                "error_text": error_text,
            }
        )
        if shares["visits"]:
            values.update(self._care_visit_values(recipient_sudo, moment, day))
        values = self._get_page_view_values(recipient_sudo, None, values, "my_care_history", False)
        return request.render("city_special_care.portal_my_care_recipient", values)

    # ------------------------------------------------------------------
    # Acknowledge an alarm
    # ------------------------------------------------------------------
    @http.route(["/my/care/alarm/<int:alarm_id>/acknowledge"], type="http", auth="user", website=True, methods=["POST"])
    def portal_care_alarm_acknowledge(self, alarm_id, **post):
        # Read access through the record rules: alarms of relatives whose consent shares them.
        try:
            self._document_check_access("city.care.alarm", alarm_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # sudo of the user's own environment: the chatter names him as the author.
        alarm_sudo = request.env["city.care.alarm"].browse(alarm_id).sudo()
        partner = request.env.user.partner_id
        recipient_sudo = alarm_sudo.recipient_id
        if partner not in recipient_sudo.family_alarm_partner_ids:
            return request.redirect("/my")
        url = f"/my/care/{recipient_sudo.id}"
        try:
            alarm_sudo._family_acknowledge(partner)
        except UserError:
            return request.redirect(f"{url}?error=not_new#care_alarms")
        return request.redirect(f"{url}?message=acknowledged#care_alarms")
