"""The SDR's Today page, tomorrow's review, and call mode."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from leads import queries
from leads.domain import calllists
from leads.models import (
    Activity,
    CallList,
    CallListEntry,
    QualificationAnswer,
    QualificationChange,
    Stage,
    StageChange,
    Task,
)

from .factories import LeadFactory
from .helpers import call_start


def today_of(org):
    return org.desk.local_today()


@pytest.fixture
def todays_list(org):
    """alice's list for today with three leads, built by the real rules."""
    leads = [LeadFactory(owner=org.alice) for _ in range(3)]
    calllists.build_call_lists(org.desk, today_of(org))
    return CallList.objects.get(sdr=org.alice, day=today_of(org)), leads


def entry_ids(response) -> list[int]:
    return [int(x) for x in re.findall(r'data-entry="(\d+)"', response.content.decode())]


def test_today_shows_the_list_in_order_with_reasons(client, org, todays_list):
    call_list, leads = todays_list
    client.force_login(org.alice)
    response = client.get(reverse("today"))
    html = response.content.decode()
    assert entry_ids(response) == list(
        call_list.entries.order_by("position").values_list("pk", flat=True)
    )
    assert html.count("New inbound leads") == 3
    assert "0 called" in html and "0 skipped" in html and "3 left" in html
    assert 'id="call-next"' in html


def test_today_without_a_list_offers_to_build_one(client, org):
    lead = LeadFactory(owner=org.alice)
    client.force_login(org.alice)
    assert b"Build my list now" in client.get(reverse("today")).content
    client.post(reverse("today-build"))
    entries = CallListEntry.objects.filter(call_list__sdr=org.alice)
    assert list(entries.values_list("lead_id", flat=True)) == [lead.pk]
    # bob's list is not built by alice's click
    assert not CallList.objects.filter(sdr=org.bob).exists()


@pytest.mark.parametrize("persona", ["mia", "aaron", "stella"])
def test_today_and_tomorrow_are_for_sdrs(client, org, persona):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("today")).status_code == 404
    assert client.get(reverse("tomorrow")).status_code == 404


def test_actions_on_another_sdrs_list_are_404(client, org, todays_list):
    call_list, leads = todays_list
    entry = call_list.entries.first()
    client.force_login(org.bob)
    for name in ("call-list-skip", "call-list-move", "call-list-remove"):
        url = reverse(name, args=[call_list.pk, entry.pk])
        assert client.post(url, {"reason": "x", "direction": "up"}).status_code == 404
    assert (
        client.post(
            reverse("call-list-add", args=[call_list.pk]), {"lead": leads[0].pk}
        ).status_code
        == 404
    )
    assert client.get(reverse("lead-call", args=[leads[0].pk])).status_code == 404


def test_skip_needs_a_reason_and_htmx_gets_the_queue_back(client, org, todays_list):
    call_list, _ = todays_list
    entry = call_list.entries.order_by("position").first()
    client.force_login(org.alice)
    url = reverse("call-list-skip", args=[call_list.pk, entry.pk])
    client.post(url, {"reason": ""})
    entry.refresh_from_db()
    assert entry.status == "planned"
    response = client.post(
        url, {"reason": "Customer at a trade fair"}, headers={"HX-Request": "true"}
    )
    assert response.content.decode().lstrip().startswith('<section id="queue"')
    entry.refresh_from_db()
    assert (entry.status, entry.skip_reason) == ("skipped", "Customer at a trade fair")


def test_reorder_and_add_by_hand(client, org, todays_list):
    call_list, _ = todays_list
    first, second = call_list.entries.order_by("position")[:2]
    client.force_login(org.alice)
    client.post(reverse("call-list-move", args=[call_list.pk, second.pk]), {"direction": "up"})
    assert list(call_list.entries.order_by("position")[:2]) == [second, first]
    extra = LeadFactory(owner=org.alice, first_name="Zelda", stage=Stage.WORKING)
    found = client.get(reverse("call-list-candidates", args=[call_list.pk]), {"q": "zelda"})
    assert f'value="{extra.pk}"' in found.content.decode()
    client.post(reverse("call-list-add", args=[call_list.pk]), {"lead": extra.pk})
    added = call_list.entries.get(lead=extra)
    assert added.added_by_hand and added.position == 4


def test_tomorrow_can_be_adjusted_and_marked_reviewed(client, org):
    lead = LeadFactory(owner=org.alice)
    day = calllists.next_working_day(today_of(org))
    calllists.build_call_lists(org.desk, day)
    call_list = CallList.objects.get(sdr=org.alice, day=day)
    client.force_login(org.alice)
    html = client.get(reverse("tomorrow")).content.decode()
    assert "Mark reviewed" in html and "Remove" in html
    entry = call_list.entries.get(lead=lead)
    client.post(reverse("call-list-remove", args=[call_list.pk, entry.pk]))
    assert not call_list.entries.exists()
    client.post(reverse("call-list-reviewed", args=[call_list.pk]))
    call_list.refresh_from_db()
    assert call_list.reviewed_at is not None


@pytest.mark.parametrize("rows", [5, 100])
def test_today_queries_do_not_grow_with_entries(client, org, rows, django_assert_num_queries):
    soon = timezone.now() - datetime.timedelta(minutes=1)  # due today at any hour of the day
    for _ in range(rows):
        lead = LeadFactory(owner=org.alice, callback_at=soon)
        Task.objects.create(lead=lead, sdr=org.alice, kind="material", due_at=soon)
    org.desk.call_list_size = 200
    org.desk.save()
    rule_cap = org.desk.call_list_rules
    calllists.build_call_lists(org.desk, today_of(org))
    rule_cap.update(cap=200)
    calllists.build_call_lists(org.desk, today_of(org))
    client.force_login(org.alice)
    # 1 session, 2 user with their team, 3 the list with its entries' leads, 4 entries with
    # lead, company, touch, 5 tasks due with lead and company, 6 callbacks agreed, 7 cadence
    # steps due (their steps are read only when some are due), 8 enrollments finished since
    # yesterday
    with django_assert_num_queries(8):
        response = client.get(reverse("today"))
    assert len(entry_ids(response)) == rows
    assert response.content.decode().count("data-task=") == rows
    assert response.content.decode().count("data-callback=") == rows


def log_call(client, lead, **extra):
    assert client.get(reverse("lead-call", args=[lead.pk])).status_code == 200
    # Call mode opened five minutes ago; the browser's timer says 95 s (the phone answered late).
    started = call_start(timezone.now() - datetime.timedelta(minutes=5))
    data = {"outcome": "connected", "notes": "", "started_at": started, "duration_seconds": "95"}
    for item in ("budget", "approval_process", "need", "timing"):
        data[f"{item}-status"] = "unknown"
    data.update(extra)
    return client.post(reverse("lead-call", args=[lead.pk]), data)


def test_call_mode_shows_timer_open_items_and_budget_questions(client, org, todays_list):
    _, leads = todays_list
    QualificationAnswer.objects.create(
        lead=leads[0], item="need", status="confirmed", answer="Reporting takes two days"
    )
    client.force_login(org.alice)
    html = client.get(reverse("lead-call", args=[leads[0].pk])).content.decode()
    assert 'data-max-seconds="900"' in html
    open_items = re.findall(r'data-open-item="(\w+)"', html)
    assert open_items == ["budget", "approval_process", "timing"]
    assert "How do projects like this usually get approved at your company?" in html


def test_logging_a_call_records_activity_answers_history_and_moves_on(client, org, todays_list):
    call_list, leads = todays_list
    first, second = [e.lead for e in call_list.entries.order_by("position")[:2]]
    client.force_login(org.alice)
    response = log_call(
        client,
        first,
        **{
            "budget-status": "not_disclosed",
            "budget-questions": "How are such projects approved?",
            "need-status": "confirmed",
            "need-answer": "Manual reporting",
        },
    )
    assert response.url == reverse("lead-call", args=[second.pk])
    activity = Activity.objects.get(lead=first)
    assert (activity.outcome, activity.duration_seconds) == ("connected", 95)
    first.refresh_from_db()
    assert first.stage == Stage.CONNECTED
    assert list(StageChange.objects.filter(lead=first).values_list("to_stage", flat=True)) == [
        "working",
        "connected",
    ]
    answers = {a.item: a for a in QualificationAnswer.objects.filter(lead=first)}
    assert answers["budget"].questions == "How are such projects approved?"
    assert answers["need"].answer == "Manual reporting"
    assert QualificationChange.objects.filter(lead=first, by=org.alice).count() == 2
    assert call_list.entries.get(lead=first).status == "called"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"budget-status": "not_disclosed"}, "exact questions"),
        ({"budget-status": "not_asked"}, "why it was not asked"),
        ({"budget-status": "confirmed"}, "answer that was confirmed"),
        ({"outcome": "callback"}, "when the callback was agreed"),
    ],
)
def test_incomplete_answers_are_refused_with_what_to_fix_and_nothing_saved(
    client, org, todays_list, extra, message
):
    _, leads = todays_list
    client.force_login(org.alice)
    response = log_call(client, leads[0], **extra)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.filter(lead=leads[0]).exists()


def test_an_agreed_callback_puts_the_lead_on_that_days_list(client, org, todays_list):
    _, leads = todays_list
    client.force_login(org.alice)
    tomorrow = calllists.next_working_day(today_of(org))
    when = datetime.datetime.combine(tomorrow, datetime.time(10, 30))
    log_call(client, leads[0], outcome="callback", callback_at=when.strftime("%Y-%m-%dT%H:%M"))
    leads[0].refresh_from_db()
    assert timezone.localtime(leads[0].callback_at, org.desk.zone).time() == datetime.time(10, 30)
    calllists.build_call_lists(org.desk, tomorrow)
    first = CallListEntry.objects.filter(call_list__sdr=org.alice, call_list__day=tomorrow)
    assert first.order_by("position").first().lead == leads[0]
    assert first.order_by("position").first().reason == "Callbacks due"


def test_a_list_without_entries_is_still_the_days_list(client, org, django_assert_num_queries):
    """A list built empty shows as a list (not "no list"), and costs no entries' query."""
    CallList.objects.create(sdr=org.alice, team=org.desk, day=today_of(org))
    with django_assert_num_queries(1):
        assert queries.day_list(org.alice, today_of(org))[1] == []
    client.force_login(org.alice)
    html = client.get(reverse("today")).content.decode()
    assert "No call list was built for you today." not in html
    assert 'id="calls-made"' in html


def test_the_days_list_and_its_entries_in_order(org, todays_list):
    """`day_list` gives the SDR's list of the day with its entries in position order, each
    with its lead, company and last touch, and nothing of another day's or SDR's list."""
    call_list, leads = todays_list
    calllists.build_call_lists(org.desk, today_of(org) + datetime.timedelta(days=1))
    found, entries = queries.day_list(org.alice, today_of(org))
    assert found == call_list
    assert [e.pk for e in entries] == list(
        call_list.entries.order_by("position").values_list("pk", flat=True)
    )
    assert {e.lead for e in entries} == set(leads)
    assert all(e.lead.account.name and e.call_list_id == call_list.pk for e in entries)
    assert queries.day_list(org.alice, today_of(org) - datetime.timedelta(days=30)) == (None, [])
    bobs, entries = queries.day_list(org.bob, today_of(org))
    assert bobs.sdr == org.bob and all(e.call_list_id == bobs.pk for e in entries)
