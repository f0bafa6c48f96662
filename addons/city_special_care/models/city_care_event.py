from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import geo

EVENT_KINDS = [
    ("sos", "SOS Key"),
    ("fall", "Fall"),
    ("location", "Location Report"),
    ("geofence_exit", "Geofence Exit"),
    ("vitals", "Vital Signs"),
    ("low_battery", "Low Battery"),
    ("heartbeat", "Heartbeat"),
]
COLUMNS = (
    "device_id",
    "recipient_id",
    "event_uid",
    "kind",
    "occurred_at",
    "latitude",
    "longitude",
    "accuracy",
    "heart_rate",
    "systolic",
    "diastolic",
    "spo2",
    "battery",
)
VITAL_KEYS = ("heart_rate", "systolic", "diastolic", "spo2")
SQL_TYPES = {
    "device_id": "int",
    "recipient_id": "int",
    "event_uid": "varchar",
    "kind": "varchar",
    "occurred_at": "timestamp",
    "latitude": "numeric",
    "longitude": "numeric",
    "accuracy": "int",
    "heart_rate": "int",
    "systolic": "int",
    "diastolic": "int",
    "spo2": "int",
    "battery": "int",
}


class CityCareEvent(models.Model):
    """One event sent by a wearable. Append-only; (device, event id) makes a replay a no-op."""

    _name = "city.care.event"
    _description = "Device Event"
    _order = "occurred_at desc, id desc"
    _rec_name = "event_uid"

    device_id = fields.Many2one("city.care.device", required=True, index=True, ondelete="restrict", readonly=True)
    recipient_id = fields.Many2one("city.care.recipient", readonly=True, ondelete="set null")
    division_id = fields.Many2one(related="recipient_id.division_id", string="Grid")
    event_uid = fields.Char(string="Event ID", required=True, readonly=True)
    kind = fields.Selection(EVENT_KINDS, required=True, readonly=True)
    occurred_at = fields.Datetime(required=True, readonly=True)
    latitude = fields.Float(digits=(10, 7), readonly=True)
    longitude = fields.Float(digits=(10, 7), readonly=True)
    accuracy = fields.Integer(string="Accuracy (m)", readonly=True)
    heart_rate = fields.Integer(readonly=True, groups="city_special_care.group_city_special_care_worker")
    systolic = fields.Integer(readonly=True, groups="city_special_care.group_city_special_care_worker")
    diastolic = fields.Integer(readonly=True, groups="city_special_care.group_city_special_care_worker")
    spo2 = fields.Integer(string="SpO2", readonly=True, groups="city_special_care.group_city_special_care_worker")
    battery = fields.Integer(string="Battery (%)", readonly=True)
    alarm_id = fields.Many2one("city.care.alarm", readonly=True, index="btree_not_null", ondelete="set null")

    _sql_constraints = [
        ("event_unique", "unique(device_id, event_uid)", "This device already sent an event with this id."),
    ]

    def init(self):
        result = super().init()
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS city_care_event_recipient_time_idx
                ON city_care_event (recipient_id, occurred_at DESC)"""
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_care_event_capture"):
            raise UserError(self.env._("Device events arrive through the device API only."))
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) - {"alarm_id"}:
            raise UserError(self.env._("Device events cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Device events cannot be deleted."))

    # ------------------------------------------------------------------
    # Ingest
    # ------------------------------------------------------------------
    @api.model
    def _ingest(self, devices, events):
        """Store a batch of events set-based, update devices and readings, raise alarms.

        :param devices: ``{imei: (device_id, recipient_id, low_battery_percent)}`` of devices in use
        :param events: validated dicts: ``event_id``, ``imei``, ``kind``, ``occurred_at`` (naive UTC) and
            the optional readings ``latitude``, ``longitude``, ``accuracy``, ``heart_rate``,
            ``systolic``, ``diastolic``, ``spo2``, ``battery``
        :returns: one ``{"event_id", "status": "accepted"|"duplicate", "alarm"}`` per event, in order
        """
        rows = []
        for event in events:
            device_id, recipient_id, _low = devices[event["imei"]]
            rows.append(
                {
                    **{column: event.get(column) for column in COLUMNS},
                    "device_id": device_id,
                    "recipient_id": recipient_id,
                    "event_uid": event["event_id"],
                }
            )
        columns = SQL(", ").join(SQL.identifier(column) for column in COLUMNS)
        arrays = SQL(", ").join(
            SQL("%s::" + SQL_TYPES[column] + "[]", [row[column] for row in rows])  # noqa: ISC003
            for column in COLUMNS
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO city_care_event (%(columns)s, create_uid, create_date)
                SELECT *, %(uid)s, now() at time zone 'utc' FROM unnest(%(arrays)s)
                ON CONFLICT (device_id, event_uid) DO NOTHING
                RETURNING id, device_id, event_uid
                """,
                columns=columns,
                arrays=arrays,
                uid=self.env.uid,
            )
        )
        inserted = {(device_id, uid): event_id for event_id, device_id, uid in self.env.cr.fetchall()}
        new_rows = []
        statuses = []
        for row in rows:
            event_id = inserted.pop((row["device_id"], row["event_uid"]), None)
            statuses.append("accepted" if event_id else "duplicate")
            if event_id:
                new_rows.append(dict(row, id=event_id))
        alarm_of = {}
        if new_rows:
            self._update_devices(new_rows)
            self._update_readings(new_rows)
            alarm_of = self.env["city.care.alarm"]._raise_from_events(self._triggers(new_rows, devices))
        known = self._alarm_refs([row for row, status in zip(rows, statuses, strict=True) if status == "duplicate"])
        results = []
        for row, status in zip(rows, statuses, strict=True):
            key = (row["device_id"], row["event_uid"])
            results.append(
                {"event_id": row["event_uid"], "status": status, "alarm": alarm_of.get(key) or known.get(key)}
            )
        return results

    @api.model
    def _update_devices(self, rows):
        """Latest heartbeat, event time and battery per device; a device heard again is online."""
        latest = {}
        for row in rows:
            current = latest.get(row["device_id"])
            if not current or row["occurred_at"] >= current["occurred_at"]:
                battery = row["battery"] if row["battery"] is not None else (current or {}).get("battery")
                latest[row["device_id"]] = {"occurred_at": row["occurred_at"], "battery": battery}
            elif current["battery"] is None and row["battery"] is not None:
                current["battery"] = row["battery"]
        ids = list(latest)
        self.env.cr.execute(
            SQL(
                """
                UPDATE city_care_device d
                   SET last_heartbeat_at = GREATEST(d.last_heartbeat_at, t.at),
                       last_event_at = GREATEST(d.last_event_at, t.at),
                       battery = CASE WHEN t.battery IS NOT NULL
                                       AND (d.last_event_at IS NULL OR t.at >= d.last_event_at)
                                      THEN t.battery ELSE d.battery END,
                       -- a backlog event older than the offline threshold does not bring a device online
                       is_online = d.is_online
                                   OR t.at > (now() at time zone 'utc') - make_interval(secs => m.offline_after)
                  FROM unnest(%(ids)s::int[], %(at)s::timestamp[], %(battery)s::int[]) AS t(id, at, battery),
                       city_care_device_model m
                 WHERE d.id = t.id AND m.id = d.model_id
             RETURNING d.id, CASE WHEN d.is_online THEN d.offline_alarm_id END
                """,
                ids=ids,
                at=[latest[i]["occurred_at"] for i in ids],
                battery=[latest[i]["battery"] for i in ids],
            )
        )
        back_online = [alarm_id for _device_id, alarm_id in self.env.cr.fetchall() if alarm_id]
        self.env["city.care.device"].invalidate_model(["last_heartbeat_at", "last_event_at", "battery", "is_online"])
        if back_online:
            self.env["city.care.alarm"].browse(back_online)._device_back_online()

    @api.model
    def _update_readings(self, rows):
        """The recipients' latest vital signs and location, newer readings only."""
        vitals, places = {}, {}
        for row in sorted(rows, key=lambda row: row["occurred_at"]):
            recipient = row["recipient_id"]
            if not recipient:
                continue
            readings = {key: row[key] for key in VITAL_KEYS if row[key] is not None}
            if readings:
                # Each measure keeps its latest value, also when a later event of the batch lacks it.
                vitals.setdefault(recipient, {}).update(readings, occurred_at=row["occurred_at"])
            if row["latitude"] is not None and row["longitude"] is not None:
                if recipient not in places or row["occurred_at"] >= places[recipient]["occurred_at"]:
                    places[recipient] = row
        if vitals:
            ids = list(vitals)
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE city_care_recipient r
                       SET last_heart_rate = COALESCE(t.hr, r.last_heart_rate),
                           last_systolic = COALESCE(t.sys, r.last_systolic),
                           last_diastolic = COALESCE(t.dia, r.last_diastolic),
                           last_spo2 = COALESCE(t.spo2, r.last_spo2),
                           last_reading_at = t.at
                      FROM unnest(%(ids)s::int[], %(at)s::timestamp[], %(hr)s::int[], %(sys)s::int[],
                                  %(dia)s::int[], %(spo2)s::int[]) AS t(id, at, hr, sys, dia, spo2)
                     WHERE r.id = t.id AND (r.last_reading_at IS NULL OR r.last_reading_at <= t.at)
                    """,
                    ids=ids,
                    at=[vitals[i]["occurred_at"] for i in ids],
                    hr=[vitals[i].get("heart_rate") for i in ids],
                    sys=[vitals[i].get("systolic") for i in ids],
                    dia=[vitals[i].get("diastolic") for i in ids],
                    spo2=[vitals[i].get("spo2") for i in ids],
                )
            )
        if places:
            ids = list(places)
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE city_care_recipient r
                       SET last_latitude = t.lat, last_longitude = t.lng, last_location_at = t.at
                      FROM unnest(%(ids)s::int[], %(at)s::timestamp[], %(lat)s::numeric[], %(lng)s::numeric[])
                           AS t(id, at, lat, lng)
                     WHERE r.id = t.id AND (r.last_location_at IS NULL OR r.last_location_at <= t.at)
                    """,
                    ids=ids,
                    at=[places[i]["occurred_at"] for i in ids],
                    lat=[places[i]["latitude"] for i in ids],
                    lng=[places[i]["longitude"] for i in ids],
                )
            )
        if vitals or places:
            self.env["city.care.recipient"].invalidate_model(
                [
                    "last_heart_rate",
                    "last_systolic",
                    "last_diastolic",
                    "last_spo2",
                    "last_reading_at",
                    "last_latitude",
                    "last_longitude",
                    "last_location_at",
                ]
            )

    @api.model
    def _triggers(self, rows, devices):
        """The alarm conditions among new events: ``[(row, kind, detail)]``."""
        recipient_ids = list({row["recipient_id"] for row in rows if row["recipient_id"]})
        thresholds, zones = self._recipient_limits(
            recipient_ids,
            need_zones={
                row["recipient_id"] for row in rows if row["kind"] == "location" and row["latitude"] is not None
            },
            need_thresholds={
                row["recipient_id"]
                for row in rows
                if any(row[key] is not None for key in ("heart_rate", "systolic", "diastolic", "spo2"))
            },
        )
        low_battery = {device_id: low for device_id, _recipient, low in devices.values()}
        triggers = []
        for row in rows:
            kind = row["kind"]
            if kind in ("sos", "fall"):
                triggers.append((row, kind, ""))
            elif kind == "geofence_exit":
                triggers.append((row, "geofence", self.env._("The device reported leaving its safe zone.")))
            elif kind == "low_battery" or (
                row["battery"] is not None and row["battery"] <= low_battery.get(row["device_id"], 15)
            ):
                triggers.append(
                    (
                        row,
                        "low_battery",
                        self.env._(
                            "Battery at %(level)s%%.", level=row["battery"] if row["battery"] is not None else "?"
                        ),
                    )
                )
            if kind == "location" and row["latitude"] is not None and zones.get(row["recipient_id"]):
                lat, lng = float(row["latitude"]), float(row["longitude"])
                if not any(_inside(zone, lat, lng) for zone in zones[row["recipient_id"]]):
                    triggers.append(
                        (
                            row,
                            "geofence",
                            self.env._("Location %(lat).5f, %(lng).5f is outside every safe zone.", lat=lat, lng=lng),
                        )
                    )
            limits = thresholds.get(row["recipient_id"])
            if limits:
                problems = _vital_problems(self.env, row, limits)
                if problems:
                    triggers.append((row, "vitals", "; ".join(problems)))
        return triggers

    @api.model
    def _recipient_limits(self, recipient_ids, need_zones, need_thresholds):
        thresholds, zones = {}, {}
        wanted = [rid for rid in recipient_ids if rid in need_thresholds]
        if wanted:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, heart_rate_min, heart_rate_max, systolic_min, systolic_max, diastolic_max, spo2_min
                      FROM city_care_recipient WHERE id = ANY(%s)
                    """,
                    wanted,
                )
            )
            thresholds = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        wanted = [rid for rid in recipient_ids if rid in need_zones]
        if wanted:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT recipient_id, shape, latitude, longitude, radius, polygon
                      FROM city_care_zone WHERE active AND recipient_id = ANY(%s)
                    """,
                    wanted,
                )
            )
            for recipient_id, *zone in self.env.cr.fetchall():
                zones.setdefault(recipient_id, []).append(zone)
        return thresholds, zones

    @api.model
    def _alarm_refs(self, rows):
        """``{(device_id, event id): alarm reference}`` of events stored before (replays)."""
        if not rows:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT e.device_id, e.event_uid, a.name
                  FROM city_care_event e
                  JOIN unnest(%(d)s::int[], %(u)s::varchar[]) AS t(d, u) ON e.device_id = t.d AND e.event_uid = t.u
                  JOIN city_care_alarm a ON a.id = e.alarm_id
                """,
                d=[row["device_id"] for row in rows],
                u=[row["event_uid"] for row in rows],
            )
        )
        return {(device_id, uid): name for device_id, uid, name in self.env.cr.fetchall()}


def _inside(zone, lat, lng):
    shape, center_lat, center_lng, radius, polygon = zone
    if shape == "circle":
        return geo.distance_m(lat, lng, float(center_lat or 0), float(center_lng or 0)) <= (radius or 0)
    try:
        return geo.point_in_polygon(lat, lng, geo.parse_polygon(polygon))
    except (ValueError, TypeError):
        return True  # an unreadable zone never raises alarms


def _vital_problems(env, row, limits):
    hr_min, hr_max, sys_min, sys_max, dia_max, spo2_min = limits
    problems = []
    if row["heart_rate"] is not None and not hr_min <= row["heart_rate"] <= hr_max:
        problems.append(
            env._("heart rate %(value)s/min outside %(low)s–%(high)s", value=row["heart_rate"], low=hr_min, high=hr_max)
        )
    if row["systolic"] is not None and not sys_min <= row["systolic"] <= sys_max:
        problems.append(
            env._("systolic %(value)s mmHg outside %(low)s–%(high)s", value=row["systolic"], low=sys_min, high=sys_max)
        )
    if row["diastolic"] is not None and row["diastolic"] > dia_max:
        problems.append(env._("diastolic %(value)s mmHg above %(high)s", value=row["diastolic"], high=dia_max))
    if row["spo2"] is not None and row["spo2"] < spo2_min:
        problems.append(env._("SpO2 %(value)s%% below %(low)s%%", value=row["spo2"], low=spo2_min))
    return problems
