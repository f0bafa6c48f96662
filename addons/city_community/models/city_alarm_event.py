import datetime

from odoo import api, fields, models
from odoo.tools import SQL


class CityAlarmEvent(models.Model):
    """One event sent by a device. Append-only; the (device, event id) pair makes replays no-ops."""

    _name = "city.alarm.event"
    _description = "Alarm Event"
    _order = "occurred_at desc, id desc"
    _rec_name = "event_uid"

    device_id = fields.Many2one("city.alarm.device", required=True, index=True, ondelete="restrict", readonly=True)
    event_uid = fields.Char(string="Event ID", required=True, readonly=True)
    condition = fields.Char(required=True, readonly=True)
    occurred_at = fields.Datetime(required=True, index=True, readonly=True)
    value = fields.Char(readonly=True)
    message = fields.Char(readonly=True)
    request_id = fields.Many2one("city.request", index=True, readonly=True, ondelete="set null")
    division_id = fields.Many2one(related="device_id.division_id")

    _sql_constraints = [
        ("event_unique", "unique(device_id, event_uid)", "This device already sent an event with this id."),
    ]

    @api.model
    def _ingest(self, devices, events):
        """Store ``events`` and open or join requests; return one result per event, in order.

        :param devices: ``{code: device}`` of every device the events name
        :param events: dicts with ``event_id``, ``device`` (code), ``condition``, ``occurred_at``
            (naive UTC datetime) and optional ``value`` and ``message``
        :returns: list of ``{"event_id", "status": "accepted"|"duplicate", "request"}``
        """
        self.env["city.request"].flush_model()
        rows = [
            (
                devices[event["device"]].id,
                event["event_id"],
                event["condition"],
                event["occurred_at"],
                event.get("value"),
                event.get("message"),
            )
            for event in events
        ]
        # One statement for the whole batch; a replayed (device, event id) inserts nothing.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO city_alarm_event (device_id, event_uid, condition, occurred_at, value, message,
                                              create_uid, create_date, write_uid, write_date)
                SELECT d, u, c, o, v, m, %(uid)s, now() at time zone 'utc', %(uid)s, now() at time zone 'utc'
                  FROM unnest(%(d)s::int[], %(u)s::varchar[], %(c)s::varchar[], %(o)s::timestamp[],
                              %(v)s::varchar[], %(m)s::varchar[]) AS t(d, u, c, o, v, m)
                ON CONFLICT (device_id, event_uid) DO NOTHING
                RETURNING id, device_id, event_uid
                """,
                uid=self.env.uid,
                d=[row[0] for row in rows],
                u=[row[1] for row in rows],
                c=[row[2] for row in rows],
                o=[row[3] for row in rows],
                v=[None if row[4] is None else str(row[4])[:64] for row in rows],
                m=[None if row[5] is None else str(row[5])[:256] for row in rows],
            )
        )
        inserted = {(device_id, uid): event_id for event_id, device_id, uid in self.env.cr.fetchall()}
        new_events, statuses = [], []
        for event in events:
            key = (devices[event["device"]].id, event["event_id"])
            is_new = bool(inserted.pop(key, None))
            statuses.append("accepted" if is_new else "duplicate")
            if is_new:
                new_events.append((event, devices[event["device"]]))
        request_of = self._attach_to_requests(new_events)
        if request_of:
            keys = list(request_of)
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE city_alarm_event e SET request_id = t.r
                      FROM unnest(%(d)s::int[], %(u)s::varchar[], %(r)s::int[]) AS t(d, u, r)
                     WHERE e.device_id = t.d AND e.event_uid = t.u
                    """,
                    d=[key[0] for key in keys],
                    u=[key[1] for key in keys],
                    r=[request_of[key].id for key in keys],
                )
            )
            self.invalidate_model(["request_id"])
        known_refs = self._request_refs(
            [(devices[e["device"]].id, e["event_id"]) for e, s in zip(events, statuses, strict=True) if s != "accepted"]
        )
        results = []
        for event, status in zip(events, statuses, strict=True):
            key = (devices[event["device"]].id, event["event_id"])
            request = request_of.get(key)
            results.append(
                {
                    "event_id": event["event_id"],
                    "status": status,
                    "request": request.name if request else known_refs.get(key),
                }
            )
        return results

    @api.model
    def _request_refs(self, keys):
        """``{(device_id, event id): request reference}`` of events stored before (replays)."""
        if not keys:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT e.device_id, e.event_uid, r.name
                  FROM city_alarm_event e
                  JOIN unnest(%(d)s::int[], %(u)s::varchar[]) AS t(d, u) ON e.device_id = t.d AND e.event_uid = t.u
                  LEFT JOIN city_request r ON r.id = e.request_id
                """,
                d=[key[0] for key in keys],
                u=[key[1] for key in keys],
            )
        )
        return {(device_id, uid): name for device_id, uid, name in self.env.cr.fetchall()}

    @api.model
    def _attach_to_requests(self, new_events):
        """Join each new event to the open request of its device and condition, or open one.

        Events of one device and condition closer than the device's burst window make one
        request; returns ``{(device_id, event id): request}``.
        """
        Request = self.env["city.request"].sudo()
        by_pair = {}
        for event, device in sorted(new_events, key=lambda pair: pair[0]["occurred_at"]):
            by_pair.setdefault((device, event["condition"]), []).append(event)
        if not by_pair:
            return {}
        device_ids = list({device.id for device, _condition in by_pair})
        open_requests = Request.search(
            [("device_id", "in", device_ids), ("state", "in", Request.OPEN_STATES)], order="last_alarm_date desc"
        )
        current = {}
        for request in open_requests:
            current.setdefault((request.device_id, request.alarm_condition), request)
        request_of, updates = {}, {}
        for (device, condition), pair_events in by_pair.items():
            request = current.get((device, condition))
            window = datetime.timedelta(minutes=device.burst_minutes or 60)
            for event in pair_events:
                moment = event["occurred_at"]
                last = updates.get(request, {}).get("last_alarm_date") or (request.last_alarm_date if request else None)
                if not request or (last and moment - last > window):
                    request = self._open_request(device, condition, event)
                    updates[request] = {"alarm_count": 1, "last_alarm_date": moment}
                else:
                    values = updates.setdefault(
                        request, {"alarm_count": request.alarm_count, "last_alarm_date": request.last_alarm_date}
                    )
                    values["alarm_count"] += 1
                    values["last_alarm_date"] = max(values["last_alarm_date"] or moment, moment)
                request_of[(device.id, event["event_id"])] = request
        for request, values in updates.items():
            request.write(values)
        devices = self.env["city.alarm.device"].browse(device_ids).sudo()
        latest = {}
        for event, device in new_events:
            latest[device] = max(latest.get(device, event["occurred_at"]), event["occurred_at"])
        for device, moment in latest.items():
            if not device.last_event_date or moment > device.last_event_date:
                device.last_event_date = moment
        devices.flush_recordset()
        return request_of

    @api.model
    def _open_request(self, device, condition, event):
        device = device.sudo()
        request = (
            self.env["city.request"]
            .sudo()
            .with_context(mail_create_nolog=True)
            .create(
                {
                    "item_id": device.item_id.id,
                    "channel": "sensor",
                    "priority": "2",
                    "partner_id": device.partner_id.id,
                    "division_id": device.division_id.id,
                    "building_id": device.building_id.id,
                    "household_id": device.household_id.id,
                    "device_id": device.id,
                    "alarm_condition": condition,
                    "last_alarm_date": event["occurred_at"],
                    "description": self.env._(
                        "Alarm %(condition)s from %(device)s at %(place)s. %(message)s",
                        condition=condition,
                        device=device.display_name,
                        place=device.household_id.display_name or device.building_id.display_name,
                        message=event.get("message") or "",
                    ),
                }
            )
        )
        request.action_submit()
        return request
