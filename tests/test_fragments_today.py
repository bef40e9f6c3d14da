"""Today served from cached fragments (leads.views_day, templates/leads/today.html): a hit is
the page as written, in English and in Korean, for the page and its htmx queue; every kind of
write the page shows moves it on, another team's writes do not; a hit reads none of the page's
data; a form of a stored fragment posts from another session of the same SDR; and the moments
within the minute at which the page changes (a task falling due, "4 minutes ago" turning into
"5 minutes ago") are part of what the fragments vary on."""

import datetime
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadences import domain
from cadences.models import Step
from leads import views_day
from leads.domain import calllists
from leads.models import Activity, CallList, Lead, Task
from sdr_ops import words

from .factories import LeadFactory
from .test_cadence_sdr import cadence, due_now  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)  # a version moves when a write commits

HTMX = {"HX-Request": "true"}
TOKEN = re.compile(r'(value="|"X-CSRFToken": ")[A-Za-z0-9]{64}"')


def same(html: str) -> str:
    """The page but for the CSRF token's value (masked anew on every request)."""
    return TOKEN.sub(r'\1TOKEN"', html)


def settle() -> None:
    """Waits for the next minute when this one is nearly over: the minute is in the key, and
    a test that needs two requests within one must not straddle two."""
    second = time.time() % 60
    if second > 48:
        time.sleep(61 - second)


def get(client, **headers) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("today"), headers=headers)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def fill_the_day(org, cadence, rows: int) -> CallList:  # noqa: F811
    """alice's day with `rows` of each: entries, tasks and callbacks overdue by hours, cadence
    steps due and finished (nothing near enough to now to change within a minute)."""
    hours_ago = timezone.now() - datetime.timedelta(hours=3)
    for i in range(rows):
        lead = LeadFactory(owner=org.alice, first_name=f"Lead{i}", callback_at=hours_ago)
        Task.objects.create(lead=lead, sdr=org.alice, kind="material", due_at=hours_ago)
    for _ in range(rows):
        enrollment = domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice)
        enrollment.__class__.objects.filter(pk=enrollment.pk).update(next_due=hours_ago)
        finished = domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice)
        domain.finish(finished, reason="replied", by=None)
    org.desk.call_list_size = 200
    org.desk.save()
    org.desk.call_list_rules.update(cap=200)
    calllists.build_call_lists(org.desk, org.desk.local_today())
    return CallList.objects.get(sdr=org.alice, day=org.desk.local_today())


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_hit_is_the_page_as_written(client, org, cadence, settings, language, headers):  # noqa: F811
    fill_the_day(org, cadence, 3)
    org.alice.language = language
    org.alice.save()
    client.force_login(org.alice)
    settle()
    settings.FRAGMENT_CACHE = False
    written, _ = get(client, **headers)
    settings.FRAGMENT_CACHE = True
    first, miss = get(client, **headers)
    second, hit = get(client, **headers)
    assert hit < miss
    assert same(second) == same(first) == same(written)
    assert ("Lead0" in written) and ('data-entry="' in written)
    if not headers:
        assert "data-task=" in written and "data-step-due=" in written
    assert ("Why skip?" in written) == (language == "en")  # the queue's words translated


def test_tomorrow_from_the_cache_is_the_page_as_written(client, org, settings):
    LeadFactory(owner=org.alice, first_name="Hana")
    calllists.build_call_lists(org.desk, calllists.next_working_day(org.desk.local_today()))
    client.force_login(org.alice)
    settle()
    settings.FRAGMENT_CACHE = False
    written = client.get(reverse("tomorrow")).content.decode()
    settings.FRAGMENT_CACHE = True
    client.get(reverse("tomorrow"))
    client.get(reverse("today"))  # the same fragments' names: the mode is in their parts
    assert same(client.get(reverse("tomorrow")).content.decode()) == same(written)
    assert "Mark reviewed" in written


@pytest.mark.parametrize("rows", [3, 30])
def test_a_hit_reads_none_of_the_pages_data(client, org, cadence, rows):  # noqa: F811
    fill_the_day(org, cadence, rows)
    client.force_login(org.alice)
    settle()
    html, miss = get(client)
    assert html.count("data-entry=") >= rows and html.count("data-task=") == rows
    # 1 session, 2 the user with their team and its version: nothing else, whatever the rows
    _, hit = get(client)
    assert (miss, hit) == (9, 2)
    _, queue_miss = get(client, **HTMX)
    _, queue_hit = get(client, **HTMX)
    assert (queue_miss, queue_hit) == (4, 2)


def test_every_kind_of_write_the_page_shows_moves_it_on(client, org, cadence):  # noqa: F811
    call_list = fill_the_day(org, cadence, 3)
    client.force_login(org.alice)
    settle()

    def fresh() -> str:
        html, _ = get(client)
        again, hit = get(client)
        assert hit == 2 and same(again) == same(html)  # stored again, and served
        return html

    fresh()
    # the app's own POST: a skip
    entry = call_list.entries.order_by("position").first()
    url = reverse("call-list-skip", args=[call_list.pk, entry.pk])
    assert client.post(url, {"reason": "At a trade fair"}).status_code == 302
    assert "Skipped: At a trade fair" in fresh()
    # an ORM save elsewhere: the lead's name
    lead = entry.lead
    lead.first_name = "Renamed"
    lead.save()
    assert "Renamed" in fresh()
    # QuerySet.update: a task's note
    Task.objects.filter(sdr=org.alice).update(note="Bring the deck")
    assert "Bring the deck" in fresh()
    # a bulk path: activities written in one INSERT (the entries' last touch)
    planned = call_list.entries.filter(status="planned").select_related("lead")
    Activity.objects.bulk_create(
        Activity(
            lead=e.lead,
            sdr=org.alice,
            type="call",
            outcome="no_answer",
            started_at=timezone.now() - datetime.timedelta(days=2),
        )
        for e in planned
    )
    assert fresh().count("last touch 2\xa0days ago") == planned.count()
    # QuerySet.update on the cadence's side: the due steps' instruction
    Step.objects.filter(version__cadence=cadence).update(instruction="Ask about the Q3 budget.")
    assert "Ask about the Q3 budget." in fresh()


def test_another_teams_writes_leave_the_page_in_the_cache(client, org, cadence):  # noqa: F811
    fill_the_day(org, cadence, 3)
    client.force_login(org.alice)
    settle()
    html, _ = get(client)
    carols = LeadFactory(owner=org.carol, first_name="Carolslead")
    Lead.objects.filter(pk=carols.pk).update(title="CFO")
    Task.objects.create(lead=carols, sdr=org.carol, kind="material", due_at=timezone.now())
    again, hit = get(client)
    assert hit == 2 and same(again) == same(html)


def test_a_form_of_a_stored_fragment_posts_from_another_session(org, cadence):  # noqa: F811
    call_list = fill_the_day(org, cadence, 3)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(org.alice)
    second.force_login(org.alice)
    settle()
    stored, _ = get(first)
    served, hit = get(second)
    assert hit == 2 and same(served) == same(stored)
    mine = set(re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', served))
    assert mine.isdisjoint(re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', stored))
    entry = call_list.entries.order_by("position").first()
    response = second.post(
        reverse("call-list-skip", args=[call_list.pk, entry.pk]),
        {"reason": "Out of office", "csrfmiddlewaretoken": mine.pop()},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.skip_reason) == ("skipped", "Out of office")


def test_a_task_falling_due_within_the_minute_shows_at_once(client, org, settings):
    settle()
    lead = LeadFactory(owner=org.alice, first_name="Soon")
    task = Task.objects.create(
        lead=lead,
        sdr=org.alice,
        kind="material",
        due_at=timezone.now() + datetime.timedelta(seconds=2),
    )
    client.force_login(org.alice)
    before, _ = get(client)
    assert f'<li data-task="{task.pk}">' in before
    time.sleep(2.5)
    after, _ = get(client)
    assert f'<li data-task="{task.pk}" class="overdue">' in after


def test_the_moments_the_words_change_at():
    now = time.time()
    start = now // 60 * 60
    # Seconds ago: every second of the minute.
    recent = timezone.now() - datetime.timedelta(seconds=10)
    assert len(views_day._said_changes(recent, start, start + 60)) >= 59
    # Minutes ago: once a minute, where the words change.
    for minutes in (5, 59, 60 * 5, 60 * 30, 60 * 24 * 9):
        moment = timezone.now() - datetime.timedelta(minutes=minutes, seconds=17.25)
        changes = views_day._said_changes(moment, start, start + 60)
        for at in changes:
            assert views_day._said_at(moment, at - 0.02) != views_day._said_at(moment, at + 0.02)
        if minutes < 60:
            assert len(changes) == 1
    # The instants are the same at every reading (they are in the fragments' parts).
    moment = timezone.now() - datetime.timedelta(minutes=7, seconds=3.5)
    assert views_day._said_changes(moment, start, start + 60) == views_day._said_changes(
        moment, start, start + 60
    )
    assert words.ago(moment)  # the words read through sdr_ops.words
