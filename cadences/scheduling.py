"""When a step falls due: working days in the team's calendar, then the sending window in the
lead's time zone (else the team's). Pure functions of their arguments; no database."""

import datetime
import zoneinfo
from dataclasses import dataclass

from sdr_ops import calendar

# Korean law: advertising mail is not sent between 21:00 and 08:00 in the recipient's zone.
QUIET_END, QUIET_START = datetime.time(8, 0), datetime.time(21, 0)


@dataclass(frozen=True)
class Window:
    """The hours in which cadence steps fall due, on the working days of a calendar."""

    start: datetime.time
    end: datetime.time
    work: calendar.WorkCalendar

    @classmethod
    def of(cls, settings, work: calendar.WorkCalendar) -> "Window":
        start, end = settings.window_start, settings.window_end
        if settings.advertising:
            start, end = max(start, QUIET_END), min(end, QUIET_START)
        return cls(start, end, work)

    def opening(self, day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
        """The window's start on the first working day from `day` (itself included)."""
        day = calendar.add_working_days(day, 0, self.work)
        return datetime.datetime.combine(day, self.start, tzinfo=zone)

    def fit(self, moment: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
        """The moment itself when it falls inside the window on a working day, else the next
        opening of the window."""
        local = moment.astimezone(zone)
        day = local.date()
        if not self.work.is_working_day(day) or local.time() >= self.end:
            return self.opening(calendar.next_working_day(day, self.work), zone)
        if local.time() < self.start:
            return datetime.datetime.combine(day, self.start, tzinfo=zone)
        return moment

    def due(
        self, after: datetime.datetime, offset_days: int, zone: datetime.tzinfo
    ) -> datetime.datetime:
        """When a step `offset_days` working days after `after` falls due: that many working
        days later at the window's opening (0: at once, or the next opening)."""
        if offset_days == 0:
            return self.fit(after, zone)
        day = after.astimezone(zone).date()
        return self.opening(calendar.add_working_days(day, offset_days, self.work), zone)

    def remaining(
        self, due: datetime.datetime, now: datetime.datetime, zone: datetime.tzinfo
    ) -> int:
        """Working days left from `now` until `due` (what a pause keeps)."""
        start, stop = now.astimezone(zone).date(), due.astimezone(zone).date()
        return len(
            calendar.working_days(start + calendar.ONE_DAY, stop + calendar.ONE_DAY, self.work)
        )


def lead_zone(lead_time_zone: str, team_zone: datetime.tzinfo) -> datetime.tzinfo:
    """The lead's zone when known, else the team's."""
    if lead_time_zone:
        try:
            return zoneinfo.ZoneInfo(lead_time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return team_zone
