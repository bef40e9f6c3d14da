"""The AE's first meeting booked at handoff: slots from working hours in the right zones,
the handoff form with a slot or without a meeting, a slot booked once, the valve counting
meetings, and the invitation (REQUEST, update, CANCEL) built with icalendar."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from handoffs import domain as handoff_domain
from handoffs import valve
from handoffs.models import Capacity, Handoff
from meetings import domain, invitations, slots
from meetings.models import Availability, Meeting, WorkingHours
from sdr_ops.celery import app as celery_app

from .factories import LeadFactory
from .test_handoffs_domain import qualified

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def set_hours(ae, *, weekdays=range(7), start=(9, 0), end=(18, 0), minutes=60, **extra):
    Availability.objects.update_or_create(
        ae=ae, defaults={"time_zone": "Asia/Seoul", "meeting_minutes": minutes, **extra}
    )
    WorkingHours.objects.filter(ae=ae).delete()
    for day in weekdays:
        WorkingHours.objects.create(
            ae=ae, weekday=day, start=datetime.time(*start), end=datetime.time(*end)
        )


def pending_handoff(org, **lead):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected", **lead))
    return handoff_domain.hand_off(
        lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="Reporting takes days."
    )


# --- slots ---------------------------------------------------------------------------------


def test_slots_follow_working_hours_in_the_aes_zone():
    availability = Availability(time_zone="Asia/Seoul", meeting_minutes=45)
    hours = [WorkingHours(weekday=2, start=datetime.time(10), end=datetime.time(12))]
    start = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)  # a Tuesday
    found = slots.slots_between(availability, hours, start, start + datetime.timedelta(days=7))
    assert [s.start.astimezone(SEOUL).strftime("%a %H:%M") for s in found] == [
        "Wed 10:00",
        "Wed 10:45",
    ]
    assert found[0].value == "2026-12-02T01:00:00+00:00"


def test_slots_across_a_daylight_saving_change_stay_at_local_hours():
    availability = Availability(time_zone="Europe/Berlin", meeting_minutes=60)
    hours = [WorkingHours(weekday=6, start=datetime.time(9), end=datetime.time(10))]
    start = datetime.datetime(2026, 3, 22, tzinfo=datetime.UTC)
    found = slots.slots_between(availability, hours, start, start + datetime.timedelta(days=8))
    assert [s.start.strftime("%H:%M %Z") for s in found] == ["09:00 CET", "09:00 CEST"]
    assert [s.start.astimezone(datetime.UTC).hour for s in found] == [8, 7]


def test_free_slots_leave_out_booked_meetings_and_the_notice(org):
    set_hours(org.aaron)
    first = slots.free_slots(org.aaron).slots
    assert first and first[0].start >= timezone.now() + slots.NOTICE
    handoff = pending_handoff(org)
    domain.book(handoff, by=org.alice, slot=first[0].value)
    assert first[0] not in slots.free_slots(org.aaron).slots
    assert slots.free_slots(org.ada).slots == []  # no working hours


def test_the_leads_zone_comes_from_their_phone_number(org):
    assert slots.lead_zone(LeadFactory(owner=org.alice, phone="+44 20 7946 0958"), SEOUL).key == (
        "Europe/London"
    )
    assert slots.lead_zone(LeadFactory(owner=org.alice, phone="010-2345-6789"), None).key == (
        "Asia/Seoul"
    )
    los_angeles = LeadFactory(owner=org.alice, phone="+1 415 555 2671")
    assert slots.lead_zone(los_angeles, SEOUL).key == "America/Los_Angeles"
    # A toll-free number of the whole country names no one zone: the SDR's is used.
    assert slots.lead_zone(LeadFactory(owner=org.alice, phone="+1 800 555 0199"), SEOUL) == SEOUL
    assert slots.lead_zone(LeadFactory(owner=org.alice, phone=""), SEOUL) == SEOUL


# --- booking -------------------------------------------------------------------------------


def test_a_slot_is_booked_once_by_the_database(org):
    set_hours(org.aaron)
    slot = slots.free_slots(org.aaron).slots[0]
    first, second = pending_handoff(org), pending_handoff(org)
    domain.book(first, by=org.alice, slot=slot.value)
    with pytest.raises(ValidationError, match="booked"):
        domain.book(second, by=org.alice, slot=slot.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            handoff=second,
            ae=org.aaron,
            booked_by=org.alice,
            status="booked",
            starts_at=slot.start,
            ends_at=slot.end,
        )


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-12-02T01:00:00", "2020-01-01T00:00:00Z"])
def test_only_an_offered_slot_can_be_booked(org, value):
    set_hours(org.aaron)
    with pytest.raises(ValidationError):
        domain.book(pending_handoff(org), by=org.alice, slot=value)


def handoff_form(client, lead, **data):
    form = {"certainty": "A", "to_ae": lead.owner.pk, "comment": "Reporting takes days."}
    return client.post(reverse("handoff-new", args=[lead.pk]), form | data)


def test_the_handoff_form_offers_the_aes_slots_and_books_one(
    client, org, django_capture_on_commit_callbacks, mailoutbox
):
    set_hours(org.aaron)
    lead = qualified(LeadFactory(owner=org.alice, stage="connected", phone="+44 20 7946 0958"))
    client.force_login(org.alice)
    html = client.get(
        reverse("meeting-slots", args=[lead.pk]), {"to_ae": org.aaron.pk}
    ).content.decode()
    offered = slots.free_slots(org.aaron).slots
    assert f'value="{offered[0].value}"' in html
    assert "(Asia/Seoul)" in html and "(Europe/London)" in html
    seoul = offered[0].start.astimezone(SEOUL)
    london = offered[0].start.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    # One date format per language (sdr_ops/formats): the AE's time and the lead's.
    assert date_format(seoul, "DATETIME_FORMAT") in html
    assert f"(lead: {date_format(london, 'DATETIME_FORMAT')})" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = handoff_form(
            client, lead, to_ae=org.aaron.pk, meeting="slot", meeting_slot=offered[1].value
        )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.handoff.lead, meeting.ae, meeting.starts_at) == (
        lead,
        org.aaron,
        offered[1].start,
    )
    assert [m.to for m in mailoutbox] == [["aaron@example.com"]]
    client.force_login(org.aaron)
    inbox = client.get(reverse("ae-inbox")).content.decode()
    local = offered[1].start.astimezone(org.sales.zone)
    assert f"First meeting: {date_format(local, 'DATETIME_FORMAT')}" in inbox


def test_handing_off_without_a_meeting_needs_a_reason(client, org):
    set_hours(org.aaron)
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    client.force_login(org.alice)
    response = handoff_form(client, lead, to_ae=org.aaron.pk, meeting="none")
    assert "Say why the handoff carries no meeting." in response.content.decode()
    assert not Handoff.objects.exists()
    response = handoff_form(client, lead, to_ae=org.aaron.pk)
    assert "Pick a slot for the first meeting" in response.content.decode()
    response = handoff_form(
        client, lead, to_ae=org.aaron.pk, meeting="none", no_meeting_reason="Visit at the fair"
    )
    assert response.status_code == 302
    assert Meeting.objects.get().status == "none"
    client.force_login(org.aaron)
    assert (
        "No meeting booked: Visit at the fair" in client.get(reverse("ae-inbox")).content.decode()
    )


def test_an_ae_without_working_hours_gets_handoffs_as_before(client, org):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    client.force_login(org.alice)
    assert handoff_form(client, lead, to_ae=org.aaron.pk).status_code == 302
    assert not Meeting.objects.exists()


# --- the valve -----------------------------------------------------------------------------


def test_an_ae_whose_week_is_full_of_first_meetings_has_no_room(org):
    set_hours(org.aaron, weekly_limit=1)
    handoff = pending_handoff(org)
    before = {s.ae: s for s in valve.ae_states(timezone.localdate(), org.desk)}[org.aaron]
    assert before.allowed == ("A", "B", "C") and not before.calendar_full
    domain.book(handoff, by=org.alice, slot=slots.free_slots(org.aaron).slots[0].value)
    after = {s.ae: s for s in valve.ae_states(timezone.localdate(), org.desk)}[org.aaron]
    assert after.full and after.calendar_full and after.load == 1 and after.room == 9
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    with pytest.raises(ValidationError, match="week is full of first meetings"):
        handoff_domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="x")


def test_a_week_whose_slots_are_all_booked_is_full(org):
    # One slot a day, one day a week: the one meeting fills the week.
    today = timezone.now().astimezone(SEOUL)
    day = (today + datetime.timedelta(days=3)).weekday()
    set_hours(org.aaron, weekdays=[day], start=(10, 0), end=(11, 0))
    domain.book(pending_handoff(org), by=org.alice, slot=slots.free_slots(org.aaron).slots[0].value)
    assert slots.week_full(timezone.localdate(), [org.aaron.pk, org.ada.pk]) == {org.aaron.pk}


# --- invitations ---------------------------------------------------------------------------


def parse_invite(data: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_invitation_is_a_request_with_organizer_attendees_uid_and_sequence(org):
    set_hours(org.aaron)
    handoff = pending_handoff(org, email="hana@hanbit.example", first_name="Hana")
    slot = slots.free_slots(org.aaron).slots[0]
    meeting = domain.book(handoff, by=org.alice, slot=slot.value, invite_prospect=True)
    calendar, event = parse_invite(invitations.build(meeting, "REQUEST"))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting.uid and event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == slot.start and event["DTEND"].dt == slot.end
    assert str(event["ORGANIZER"]) == "mailto:alice@example.com"
    assert [str(a) for a in event["ATTENDEE"]] == [
        "mailto:aaron@example.com",
        "mailto:hana@hanbit.example",
    ]
    assert event["ATTENDEE"][0].params["RSVP"] == "TRUE"
    stored, _event = parse_invite(invitations.build(meeting, None))
    assert "METHOD" not in stored


def test_moving_sends_the_next_sequence_and_rejecting_cancels(
    client, org, django_capture_on_commit_callbacks, mailoutbox
):
    set_hours(org.aaron)
    handoff = pending_handoff(org)
    offered = slots.free_slots(org.aaron).slots
    with django_capture_on_commit_callbacks(execute=True):
        meeting = domain.book(handoff, by=org.alice, slot=offered[0].value)
    client.force_login(org.aaron)
    page = client.get(reverse("meeting-move", args=[meeting.pk])).content.decode()
    assert offered[1].value in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meeting-move", args=[meeting.pk]), {"meeting_slot": offered[1].value})
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (offered[1].start, 1)
    with django_capture_on_commit_callbacks(execute=True):
        handoff_domain.reject(handoff.pk, by=org.aaron, reason="no_need")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 2)
    methods = [m.attachments[0].get_param("method") for m in mailoutbox]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    _calendar, event = parse_invite(mailoutbox[-1].attachments[0].get_content().encode())
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
        meeting.uid,
        2,
        "CANCELLED",
    )
    # The slot is free again.
    assert offered[1] in slots.free_slots(org.aaron).slots


def test_only_the_ae_and_the_booking_sdr_move_a_meeting(client, org):
    set_hours(org.aaron)
    meeting = domain.book(
        pending_handoff(org), by=org.alice, slot=slots.free_slots(org.aaron).slots[0].value
    )
    for persona, status in ((org.aaron, 200), (org.alice, 200), (org.bob, 404), (org.ada, 404)):
        client.force_login(persona)
        assert client.get(reverse("meeting-move", args=[meeting.pk])).status_code == status


def test_the_ae_sets_working_hours_length_and_calendar(client, org):
    client.force_login(org.aaron)
    url = reverse("meeting-availability", args=[org.aaron.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "time_zone": "Asia/Seoul",
            "meeting_minutes": "45",
            "weekly_limit": "",
            "start_0": "09:00",
            "end_0": "12:00",
            "start_2": "14:00",
            "end_2": "13:00",
        },
    )
    assert "The end must be after the start." in response.content.decode()
    client.post(
        url,
        {"time_zone": "Asia/Seoul", "meeting_minutes": "45", "start_0": "09:00", "end_0": "12:00"},
    )
    assert list(WorkingHours.objects.filter(ae=org.aaron).values_list("weekday", flat=True)) == [0]
    assert Availability.objects.get(ae=org.aaron).meeting_minutes == 45
    client.force_login(org.ada)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("rows", [2, 12])
def test_the_inbox_shows_each_meeting_in_the_same_queries(
    client, org, rows, django_assert_num_queries
):
    set_hours(org.aaron, weekly_limit=100)
    Capacity.objects.create(ae=org.aaron, normal=100)
    offered = slots.free_slots(org.aaron, limit=rows).slots
    for i in range(rows):
        handoff = pending_handoff(org)
        if i % 2:
            domain.book(handoff, by=org.alice, slot=offered[i].value)
        else:
            domain.hand_off_without_meeting(handoff, by=org.alice, reason=f"Fair {i}")
    client.force_login(org.aaron)
    # 1 session, 2 user with their team, 3 pending handoffs with lead, company, SDR and
    # meeting
    with django_assert_num_queries(3):
        html = client.get(reverse("ae-inbox")).content.decode()
    assert html.count('data-meeting="booked"') == rows // 2
    assert html.count('data-meeting="none"') == rows - rows // 2


@pytest.mark.parametrize("to_ae", ["", "x", "²", "9" * 30, "-1", "1.5"])
def test_the_slots_fragment_takes_any_ae_id(client, org, to_ae):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    client.force_login(org.alice)
    response = client.get(reverse("meeting-slots", args=[lead.pk]), {"to_ae": to_ae})
    assert response.status_code == 200
    assert "Pick an AE to see their free slots." in response.content.decode()
