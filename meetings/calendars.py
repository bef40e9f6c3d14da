"""The AE's own calendar over CalDAV (`caldav`): read as free/busy only, and written with the
meetings booked here (created, moved, cancelled), by the meeting's stable UID."""

import datetime

import caldav
import icalendar
from caldav.lib import error as caldav_error

from .models import Availability

TIMEOUT_SECONDS = 10


class CalendarError(Exception):
    """The calendar could not be reached or refused the request."""


def _calendar(availability: Availability) -> caldav.Calendar:
    client = caldav.DAVClient(
        url=availability.caldav_url,
        username=availability.caldav_username or None,
        password=availability.caldav_password or None,
        timeout=TIMEOUT_SECONDS,
    )
    return client.calendar(url=availability.caldav_url)


def _errors():
    return (caldav_error.DAVError, OSError, ValueError, KeyError)


def busy_periods(
    availability: Availability, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The busy periods between start and end (a free-busy-query REPORT, RFC 4791 7.10):
    the app never reads what the AE's events are, only when they are."""
    try:
        answer = _calendar(availability).freebusy_request(start, end)
        parsed = icalendar.Calendar.from_ical(answer.data)
    except _errors() as exc:
        raise CalendarError(str(exc)) from exc
    periods = []
    for component in parsed.walk("VFREEBUSY"):
        values = component.get("FREEBUSY", [])
        for value in values if isinstance(values, list) else [values]:
            for period in getattr(value, "dts", None) or [value]:
                begin, until = period.dt
                if isinstance(until, datetime.timedelta):
                    until = begin + until
                periods.append((begin, until))
    return periods


def put_event(availability: Availability, uid: str, ics: bytes) -> None:
    """Writes the event (a VCALENDAR without METHOD) under its UID, replacing an earlier
    version of it."""
    try:
        calendar = _calendar(availability)
        try:
            event = calendar.event_by_uid(uid)
        except caldav_error.NotFoundError:
            calendar.add_event(ics.decode(), increase_seqno=False)
        else:
            event.data = ics.decode()
            # The meeting's SEQUENCE is the app's to count (the invitations carry it too).
            event.save(increase_seqno=False)
    except _errors() as exc:
        raise CalendarError(str(exc)) from exc


def remove_event(availability: Availability, uid: str) -> None:
    """Deletes the event with this UID; gone already is fine."""
    try:
        calendar = _calendar(availability)
        try:
            calendar.event_by_uid(uid).delete()
        except caldav_error.NotFoundError:
            return
    except _errors() as exc:
        raise CalendarError(str(exc)) from exc
