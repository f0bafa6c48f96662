import datetime

import pytz

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

DEFAULT_WORK_HOURS = "09:00-12:00,13:00-17:00"
DEFAULT_TZ = "Asia/Shanghai"


class CityHoliday(models.Model):
    """Exceptions to the Monday-Friday week: public holidays and adjusted working days (调休).

    The working-day calendar API lives here as model methods:
    ``is_workday``, ``add_workdays``, ``workdays_between``, ``add_work_hours``.
    """

    _name = "city.holiday"
    _description = "Public Holiday or Adjusted Working Day"
    _order = "date"

    date = fields.Date(required=True, index=True)
    name = fields.Char(string="Festival", required=True)
    kind = fields.Selection(
        [("holiday", "Public Holiday"), ("workday", "Adjusted Working Day")],
        required=True,
        default="holiday",
        help="An adjusted working day is a weekend day worked in exchange for a longer holiday.",
    )
    provisional = fields.Boolean(
        help="Derived from the statutory rules before the State Council's yearly notice was published; "
        "check and update it when the notice is out."
    )
    weekday = fields.Char(compute="_compute_weekday")

    _sql_constraints = [("date_unique", "unique(date)", "There is already an entry for this date.")]

    def _compute_weekday(self):
        for day in self:
            day.weekday = tools.format_date(self.env, day.date, date_format="EEEE") if day.date else False

    @api.constrains("date", "kind")
    def _check_kind_matches_weekday(self):
        for day in self:
            if day.kind == "workday" and day.date.weekday() < 5:
                raise ValidationError(
                    self.env._(
                        "%(date)s is a weekday already; only weekend days can be adjusted working days.", date=day.date
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------------
    # Working-day calendar API
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache()
    def _calendar_exceptions(self):
        self.flush_model(["date", "kind"])
        self.env.cr.execute("SELECT date, kind FROM city_holiday")
        rows = self.env.cr.fetchall()
        holidays = frozenset(day for day, kind in rows if kind == "holiday")
        workdays = frozenset(day for day, kind in rows if kind == "workday")
        return holidays, workdays

    @api.model
    def is_workday(self, day):
        day = fields.Date.to_date(day)
        holidays, workdays = self._calendar_exceptions()
        if day in workdays:
            return True
        if day in holidays:
            return False
        return day.weekday() < 5

    @api.model
    def add_workdays(self, day, count):
        """The ``count``-th working day after ``day`` (before it when negative); 0 gives ``day``."""
        day = fields.Date.to_date(day)
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        if remaining > 3660:
            raise ValidationError(self.env._("A time limit cannot exceed ten years of working days."))
        while remaining:
            day += datetime.timedelta(days=step)
            if self.is_workday(day):
                remaining -= 1
        return day

    @api.model
    def workdays_between(self, start, end):
        """Number of working days in ]start, end] (negative when end is before start)."""
        start, end = fields.Date.to_date(start), fields.Date.to_date(end)
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        count = sum(
            1 for offset in range(1, (end - start).days + 1) if self.is_workday(start + datetime.timedelta(days=offset))
        )
        return sign * count

    @api.model
    def _work_periods(self):
        """Daily working periods as [(start_minutes, end_minutes)], from ``city_base.work_hours``."""
        spec = self.env["ir.config_parameter"].sudo().get_param("city_base.work_hours", DEFAULT_WORK_HOURS)
        periods = []
        try:
            for part in spec.split(","):
                begin, end = part.strip().split("-")
                minutes = [int(h) * 60 + int(m) for h, m in (t.split(":") for t in (begin, end))]
                if minutes[0] >= minutes[1]:
                    raise ValueError(part)
                periods.append(tuple(minutes))
        except ValueError as error:
            raise ValidationError(
                self.env._("Working hours %(spec)s must look like 09:00-12:00,13:00-17:00.", spec=spec)
            ) from error
        return sorted(periods)

    @api.model
    def add_work_hours(self, start, hours, tz=None):
        """Deadline ``hours`` working hours after ``start`` (naive UTC datetime), as naive UTC.

        Only time inside the working periods of working days counts; ``tz`` defaults to the
        user's time zone, then Asia/Shanghai.
        """
        if hours < 0:
            raise ValidationError(self.env._("Working hours to add cannot be negative."))
        zone = pytz.timezone(tz or self.env.user.tz or DEFAULT_TZ)
        local = pytz.utc.localize(fields.Datetime.to_datetime(start)).astimezone(zone).replace(tzinfo=None)
        remaining = round(hours * 60)
        periods = self._work_periods()
        day = local.date()
        minute = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
        for _guard in range(3660):
            if self.is_workday(day):
                for begin, end in periods:
                    begin = max(begin, minute)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        result = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
                            minutes=begin + remaining
                        )
                        return zone.localize(result).astimezone(pytz.utc).replace(tzinfo=None)
                    remaining -= end - begin
            day += datetime.timedelta(days=1)
            minute = 0
        raise ValidationError(self.env._("A deadline cannot be more than ten years away."))

    @api.model
    def subtract_work_hours(self, end, hours, tz=None):
        """The moment ``hours`` working hours before ``end`` (naive UTC), as naive UTC.

        The inverse of :meth:`add_work_hours`: "how long ago did N working hours start".
        """
        if hours < 0:
            raise ValidationError(self.env._("Working hours to subtract cannot be negative."))
        zone = pytz.timezone(tz or self.env.user.tz or DEFAULT_TZ)
        local = pytz.utc.localize(fields.Datetime.to_datetime(end)).astimezone(zone).replace(tzinfo=None)
        remaining = round(hours * 60)
        periods = self._work_periods()
        day = local.date()
        minute = local.hour * 60 + local.minute
        for _guard in range(3660):
            if self.is_workday(day):
                for begin, finish in reversed(periods):
                    finish = min(finish, minute)
                    if finish <= begin:
                        continue
                    if remaining <= finish - begin:
                        result = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
                            minutes=finish - remaining
                        )
                        return zone.localize(result).astimezone(pytz.utc).replace(tzinfo=None)
                    remaining -= finish - begin
            day -= datetime.timedelta(days=1)
            minute = 24 * 60
        raise ValidationError(self.env._("A deadline cannot be more than ten years away."))

    @api.model
    def work_hours_between(self, start, end, tz=None):
        """Working hours between two naive UTC datetimes (negative when ``end`` is before ``start``).

        Counts only time inside the working periods of working days, like :meth:`add_work_hours`.
        """
        start, end = fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(end)
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        zone = pytz.timezone(tz or self.env.user.tz or DEFAULT_TZ)
        local_start = pytz.utc.localize(start).astimezone(zone).replace(tzinfo=None)
        local_end = pytz.utc.localize(end).astimezone(zone).replace(tzinfo=None)
        if (local_end.date() - local_start.date()).days > 3660:
            raise ValidationError(self.env._("A time span cannot exceed ten years."))
        periods = self._work_periods()
        minutes = 0.0
        day = local_start.date()
        while day <= local_end.date():
            if self.is_workday(day):
                midnight = datetime.datetime.combine(day, datetime.time())
                for begin, finish in periods:
                    low = max(midnight + datetime.timedelta(minutes=begin), local_start)
                    high = min(midnight + datetime.timedelta(minutes=finish), local_end)
                    if high > low:
                        minutes += (high - low).total_seconds() / 60
            day += datetime.timedelta(days=1)
        return sign * round(minutes / 60, 2)
