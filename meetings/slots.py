"""When an AE can meet: slots from their working hours and meeting length, less what is busy
(meetings booked here, and their CalDAV calendar's free/busy when connected)."""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

import phonenumbers
from django.db.models import Count
from django.utils import timezone
from phonenumbers import timezone as number_zones

from sdr_ops.models import User

from . import calendars
from .models import Availability, Meeting, WorkingHours

log = logging.getLogger(__name__)

# A first meeting is offered from this far ahead, so the AE can prepare.
NOTICE = datetime.timedelta(hours=2)
HORIZON_DAYS = 14


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime

    @property
    def value(self) -> str:
        return self.start.astimezone(datetime.UTC).isoformat()

    def overlaps(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        return self.start < end and start < self.end


def availability_of(ae: User) -> Availability:
    """The AE's settings (defaults, unsaved, when they have none yet)."""
    return Availability.objects.filter(ae=ae).first() or Availability(ae=ae)


def slots_between(
    availability: Availability,
    hours: list[WorkingHours],
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[Slot]:
    """Every meeting-length slot of the working hours that starts in [start, end)."""
    zone = zoneinfo.ZoneInfo(availability.time_zone)
    length = datetime.timedelta(minutes=availability.meeting_minutes)
    by_day = {h.weekday: h for h in hours}
    slots = []
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        h = by_day.get(day.weekday())
        if h is not None:
            moment = datetime.datetime.combine(day, h.start, tzinfo=zone)
            close = datetime.datetime.combine(day, h.end, tzinfo=zone)
            while moment + length <= close:
                if start <= moment < end:
                    slots.append(Slot(moment, moment + length))
                moment += length
        day += datetime.timedelta(days=1)
    return slots


def booked_periods(ae: User, start, end, *, exclude: int | None = None) -> list[tuple]:
    meetings = Meeting.objects.filter(
        ae=ae, status=Meeting.Status.BOOKED, starts_at__lt=end, ends_at__gt=start
    )
    if exclude is not None:
        meetings = meetings.exclude(pk=exclude)
    return list(meetings.values_list("starts_at", "ends_at"))


@dataclass
class Offer:
    slots: list[Slot]
    availability: Availability
    calendar_unreachable: bool = False

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.availability.time_zone)


def free_slots(
    ae: User,
    *,
    now: datetime.datetime | None = None,
    limit: int = 10,
    days: int = HORIZON_DAYS,
    exclude: int | None = None,
    with_calendar: bool = True,
) -> Offer:
    """The AE's next free slots. A calendar that cannot be read is reported, not guessed:
    the slots are then those free of meetings booked here only."""
    availability = availability_of(ae)
    hours = list(WorkingHours.objects.filter(ae=ae))
    now = now or timezone.now()
    start, end = now + NOTICE, now + datetime.timedelta(days=days)
    candidates = slots_between(availability, hours, start, end)
    if not candidates:
        return Offer([], availability)
    busy = booked_periods(ae, start, end, exclude=exclude)
    unreachable = False
    if availability.connected and with_calendar:
        try:
            busy += calendars.busy_periods(availability, start, end)
        except calendars.CalendarError as exc:
            log.warning("free/busy of %s unreadable: %s", ae.pk, exc)
            unreachable = True
    free = [s for s in candidates if not any(s.overlaps(b, e) for b, e in busy)]
    return Offer(free[:limit], availability, unreachable)


def lead_zone(lead, fallback: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    """The lead's time zone as their phone number tells it (when it tells one zone)."""
    try:
        number = phonenumbers.parse(lead.phone or "", "KR")
    except phonenumbers.NumberParseException:
        return fallback
    zones = [z for z in number_zones.time_zones_for_number(number) if z != "Etc/Unknown"]
    return zoneinfo.ZoneInfo(zones[0]) if len(zones) == 1 else fallback


def week_full(day: datetime.date, ae_ids: list[int]) -> set[int]:
    """The AEs whose coming week holds no more first meetings: their booked meetings of the
    next seven days fill their working hours' slots, or reach their weekly limit. AEs who set
    no working hours are never full by this rule. One query when no AE set hours, three at
    most whatever the number of AEs."""
    hours: dict[int, list[WorkingHours]] = {}
    for h in WorkingHours.objects.filter(ae__in=ae_ids):
        hours.setdefault(h.ae_id, []).append(h)
    if not hours:
        return set()
    now = timezone.now()
    end = now + datetime.timedelta(days=7)
    settings = {a.ae_id: a for a in Availability.objects.filter(ae__in=list(hours))}
    booked = dict(
        Meeting.objects.filter(
            ae__in=list(hours), status=Meeting.Status.BOOKED, starts_at__gte=now, starts_at__lt=end
        )
        .values("ae")
        .annotate(n=Count("pk"))
        .values_list("ae", "n")
    )
    full = set()
    for ae_id, ae_hours in hours.items():
        availability = settings.get(ae_id) or Availability(ae_id=ae_id)
        room = len(slots_between(availability, ae_hours, now, end))
        if availability.weekly_limit is not None:
            room = min(room, availability.weekly_limit)
        if booked.get(ae_id, 0) >= room:
            full.add(ae_id)
    return full
