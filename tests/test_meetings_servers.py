"""Meetings against real servers: invitations through an SMTP server (aiosmtpd) parsed back,
the AE's calendar on a CalDAV server (Radicale) read as free/busy and written, moved and
cancelled, and ten SDRs booking one slot at once on PostgreSQL."""

import datetime
import threading

import caldav
import icalendar
import pytest
from django.db import connection, connections

from handoffs import domain as handoff_domain
from meetings import calendars, domain, slots
from meetings.models import Availability, Meeting
from sdr_ops.celery import app as celery_app

from .factories import LeadFactory
from .test_handoffs_domain import qualified
from .test_meetings import pending_handoff, set_hours


@pytest.fixture(autouse=True)
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def invitation(message) -> tuple[str, icalendar.Event]:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    return part.get_param("method"), calendar, event


def test_invitations_go_through_a_real_smtp_server(
    org,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    set_hours(org.aaron)
    handoff = pending_handoff(org, email="hana@hanbit.example", first_name="Hana")
    offered = slots.free_slots(org.aaron).slots
    with django_capture_on_commit_callbacks(execute=True):
        meeting = domain.book(handoff, by=org.alice, slot=offered[0].value, invite_prospect=True)
    with django_capture_on_commit_callbacks(execute=True):
        domain.move(meeting, by=org.aaron, slot=offered[2].value)
    with django_capture_on_commit_callbacks(execute=True):
        handoff_domain.reject(handoff.pk, by=org.aaron, reason="bad_timing")
    received = smtp_server.messages
    assert [m["X-Envelope-To"] for m in received] == [
        "aaron@example.com",
        "hana@hanbit.example",
    ] * 3
    seen = [invitation(m) for m in received[::2]]
    assert [(method, cal["METHOD"], e["SEQUENCE"]) for method, cal, e in seen] == [
        ("REQUEST", "REQUEST", 0),
        ("REQUEST", "REQUEST", 1),
        ("CANCEL", "CANCEL", 2),
    ]
    assert {str(e["UID"]) for _m, _c, e in seen} == {meeting.uid}
    first, moved = seen[0][2], seen[1][2]
    assert first["DTSTART"].dt == offered[0].start and moved["DTSTART"].dt == offered[2].start
    assert str(first["ORGANIZER"]) == "mailto:alice@example.com"
    assert "First meeting:" in received[0]["Subject"]
    assert received[4]["Subject"].startswith("Cancelled: ")


@pytest.fixture
def calendar_of_aaron(org, caldav_server):
    client = caldav.DAVClient(url=caldav_server, username="aaron", password="x")
    calendar = client.principal().make_calendar(name="Work", cal_id="work")
    Availability.objects.update_or_create(
        ae=org.aaron,
        defaults={
            "caldav_url": str(calendar.url),
            "caldav_username": "aaron",
            "caldav_password": "x",
        },
    )
    return calendar


def private_event(uid, start, end) -> str:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", "Dentist")
    cal.add_component(event)
    return cal.to_ical().decode()


def test_the_aes_calendar_is_read_as_free_busy_and_written(
    org, calendar_of_aaron, django_capture_on_commit_callbacks
):
    set_hours(org.aaron)
    offered = slots.free_slots(org.aaron).slots
    busy = offered[0]
    calendar_of_aaron.save_event(private_event("dentist@test", busy.start, busy.end))
    availability = Availability.objects.get(ae=org.aaron)
    periods = calendars.busy_periods(
        availability, busy.start - datetime.timedelta(hours=1), busy.end
    )
    assert periods == [(busy.start, busy.end)]
    now_free = slots.free_slots(org.aaron).slots
    assert busy not in now_free and offered[1] in now_free

    handoff = pending_handoff(org)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = domain.book(handoff, by=org.alice, slot=offered[1].value)
    stored = calendar_of_aaron.event_by_uid(meeting.uid)
    event = icalendar.Calendar.from_ical(stored.data).walk("VEVENT")[0]
    assert event["DTSTART"].dt == offered[1].start and event["SEQUENCE"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        domain.move(meeting, by=org.alice, slot=offered[3].value)
    event = icalendar.Calendar.from_ical(calendar_of_aaron.event_by_uid(meeting.uid).data)
    event = event.walk("VEVENT")[0]
    assert event["DTSTART"].dt == offered[3].start and event["SEQUENCE"] == 1
    assert len(calendar_of_aaron.events()) == 2  # the dentist and the one meeting

    with django_capture_on_commit_callbacks(execute=True):
        handoff_domain.reject(handoff.pk, by=org.aaron, reason="no_need")
    uids = [str(e.icalendar_component["UID"]) for e in calendar_of_aaron.events()]
    assert uids == ["dentist@test"]


def test_an_unreachable_calendar_is_said_not_guessed(org, settings):
    set_hours(org.aaron)
    Availability.objects.filter(ae=org.aaron).update(caldav_url="http://127.0.0.1:9/cal/")
    offer = slots.free_slots(org.aaron)
    assert offer.calendar_unreachable and offer.slots


@pytest.mark.django_db(transaction=True)
def test_ten_sdrs_booking_one_slot_get_it_once(org):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    set_hours(org.aaron)
    slot = slots.free_slots(org.aaron).slots[0]
    handoffs = []
    for _ in range(10):
        lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
        handoffs.append(
            handoff_domain.hand_off(
                lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="Race"
            )
        )
    barrier = threading.Barrier(10)
    results = []

    def book(handoff):
        try:
            barrier.wait()
            domain.book(handoff, by=org.alice, slot=slot.value)
            results.append("booked")
        except Exception as exc:  # noqa: BLE001 - each failure is counted
            results.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(h,)) for h in handoffs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["SlotTaken"] * 9 + ["booked"]
    assert Meeting.objects.filter(status="booked", starts_at=slot.start).count() == 1
