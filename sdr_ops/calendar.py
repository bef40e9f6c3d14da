"""The calendar: ISO weeks in a time zone, working days, a team's local day.

Every piece of date arithmetic of the app lives here, so a rule about time (the week starts
on Monday, a working day is Monday to Friday) is written once. This module imports no app:
the apps pass a zone (a team's `zone`) or a day.

Working days: `is_working_day` is the one place that says whether a day is worked. It takes
a `WorkCalendar` (a team's: `Team.work_calendar()`): Monday to Friday, less the public
holidays of the team's country (the `holidays` package, substitute holidays included) and
the team's own days off. `next_working_day`, `subtract_working_days`, `add_working_days` and
`working_days` (the set of worked days in a range, for set-based work) follow it. Given no
calendar (or a bare time zone, as older callers do), a working day is Monday to Friday.
"""

import datetime
import functools
from dataclasses import dataclass, field

import holidays
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


def supported_countries() -> list[str]:
    """The ISO 3166 codes whose public holidays the calendar knows."""
    return sorted(holidays.list_supported_countries())


@functools.lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> frozenset[datetime.date]:
    """The public holidays of the country in the year (substitute holidays included); none for
    an empty or unknown country."""
    if not country or country not in holidays.list_supported_countries():
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """The days a team works: Monday to Friday, less its country's public holidays and its
    own days off. Cheap to build and hashable; `Team.work_calendar()` makes a team's."""

    country: str = ""
    days_off: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_working_day(self, day: datetime.date) -> bool:
        return (
            day.weekday() < 5
            and day not in self.days_off
            and day not in public_holidays(self.country, day.year)
        )

    def holiday_name(self, day: datetime.date) -> str:
        """The public holiday's name on the day ('' when none)."""
        if not self.country or day not in public_holidays(self.country, day.year):
            return ""
        return holidays.country_holidays(self.country, years=day.year).get(day) or ""


WEEKDAYS = WorkCalendar()

CalendarLike = WorkCalendar | datetime.tzinfo | None


def _calendar(where: CalendarLike) -> WorkCalendar:
    return where if isinstance(where, WorkCalendar) else WEEKDAYS


def is_working_day(day: datetime.date, where: CalendarLike = None) -> bool:
    """Whether the day is worked in the calendar (Monday to Friday when none is given)."""
    return _calendar(where).is_working_day(day)


def next_working_day(day: datetime.date, where: CalendarLike = None) -> datetime.date:
    """The first working day after `day`."""
    day += ONE_DAY
    while not is_working_day(day, where):
        day += ONE_DAY
    return day


def add_working_days(day: datetime.date, days: int, where: CalendarLike = None) -> datetime.date:
    """The day `days` working days after `day` (0: the day itself when worked, else the next
    working day)."""
    if days <= 0:
        return day if is_working_day(day, where) else next_working_day(day, where)
    while days > 0:
        day = next_working_day(day, where)
        days -= 1
    return day


def working_days(
    start: datetime.date, stop: datetime.date, where: CalendarLike = None
) -> list[datetime.date]:
    """The worked days from `start` to `stop` (exclusive), in order: a set to join against."""
    days, day = [], start
    while day < stop:
        if is_working_day(day, where):
            days.append(day)
        day += ONE_DAY
    return days


def subtract_working_days(
    moment: datetime.datetime, days: int, where: CalendarLike = None
) -> datetime.datetime:
    """The moment `days` working days before `moment`, in the moment's own zone."""
    while days > 0:
        moment -= ONE_DAY
        if is_working_day(moment.date(), where):
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
