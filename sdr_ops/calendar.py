"""The calendar: ISO weeks in a time zone, working days, a team's local day.

Every piece of date arithmetic of the app lives here, so a rule about time (the week starts
on Monday, a working day is Monday to Friday) is written once. This module imports no app:
the apps pass a zone (a team's `zone`) or a day.

Holidays: `is_working_day` is the one place that says whether a day is worked. It takes the
zone it is asked for (a team's), so a later list of public holidays per country or team
plugs in there, and `next_working_day`, `subtract_working_days` and the call-list build follow.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)
ONE_WEEK = datetime.timedelta(weeks=1)
# The years a date read from a person may fall in: outside them a week's arithmetic (eleven
# weeks back, the next day) leaves what Python and the database can hold.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse_day(value: str) -> datetime.date:
    """A day written 2026-11-23, in the years 1900-2100; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(value)
    day = datetime.date.fromisoformat(value)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(value)
    return day


# -- days ------------------------------------------------------------------------------------


def local_today(zone: datetime.tzinfo | None = None) -> datetime.date:
    """Today in the zone (the active time zone when none is given)."""
    return timezone.localdate(timezone=zone) if zone else timezone.localdate()


def day_bounds(
    day: datetime.date, zone: datetime.tzinfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the day in the zone, as aware datetimes (end exclusive)."""
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    return start, start + ONE_DAY


def is_working_day(day: datetime.date, zone: datetime.tzinfo | None = None) -> bool:
    """Monday to Friday. The hook for holidays: a day off in `zone` is not worked either."""
    return day.weekday() < 5


def next_working_day(day: datetime.date, zone: datetime.tzinfo | None = None) -> datetime.date:
    """The first working day after `day`."""
    day += ONE_DAY
    while not is_working_day(day, zone):
        day += ONE_DAY
    return day


def subtract_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The moment `days` working days before `moment`, in the moment's own zone."""
    while days > 0:
        moment -= ONE_DAY
        if is_working_day(moment.date(), moment.tzinfo):
            days -= 1
    return moment


# -- weeks -----------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week the day is in."""
    return day - datetime.timedelta(days=day.weekday())


def previous_monday(day: datetime.date) -> datetime.date:
    """The Monday of the week before the day's: the start of the last complete week."""
    return monday_of(day) - ONE_WEEK


def last_sunday(day: datetime.date) -> datetime.date:
    """The day itself when it is a Sunday, else the Sunday before it."""
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def week_label(monday: datetime.date) -> str:
    """The ISO week of the day, written 2026-W47."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(label: str) -> datetime.date:
    """The Monday of an ISO week written 2026-W47 (any case), in the years 1900-2100;
    ValueError otherwise. Every week a person writes (a page's `?week=`, the API's, a task's
    argument) is read here, so none can reach a date the arithmetic cannot hold."""
    if not isinstance(label, str):
        raise ValueError(label)
    year, week = label.upper().split("-W")
    if not (year.isascii() and year.isdigit() and week.isascii() and week.isdigit()):
        raise ValueError(label)
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise ValueError(label)
    return datetime.date.fromisocalendar(int(year), int(week), 1)


def weeks_between(first: str, last: str) -> list[str]:
    """The labels of the ISO weeks from `first` to `last`, both included."""
    start, stop = parse_week(first), parse_week(last)
    labels = []
    while start <= stop:
        labels.append(week_label(start))
        start += ONE_WEEK
    return labels


@dataclass(frozen=True)
class Week:
    """An ISO week in a time zone: Monday 00:00 to the next Monday 00:00 there."""

    monday: datetime.date
    zone: datetime.tzinfo

    @classmethod
    def parse(cls, label: str, zone: datetime.tzinfo) -> "Week":
        return cls(parse_week(label), zone)

    @classmethod
    def containing(cls, day: datetime.date, zone: datetime.tzinfo) -> "Week":
        return cls(monday_of(day), zone)

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def end_date(self) -> datetime.date:
        """The Sunday, the week's last day."""
        return self.monday + datetime.timedelta(days=6)

    @property
    def start(self) -> datetime.datetime:
        return day_bounds(self.monday, self.zone)[0]

    @property
    def stop(self) -> datetime.datetime:
        return self.start + ONE_WEEK

    def at(self, monday: datetime.date) -> "Week":
        """Another week in the same zone (subclasses keep what they carry)."""
        return Week(monday, self.zone)

    def shifted(self, weeks: int) -> "Week":
        return self.at(self.monday + datetime.timedelta(weeks=weeks))

    def is_complete(self, today: datetime.date) -> bool:
        """True once the week is over on `today`."""
        return self.end_date < today
