"""The rows written in Python give the markup of the template loops they replaced.

Each loop, as the template engine wrote it before, is kept in tests/row_loops/ and rendered
on the very context the page's view gave, beside the tag that stands for it now: the lead
list's rows, the checklist and the review form's notes byte for byte; Today's entries with
whatever whitespace a run of it held written as one line break (the template's indentation
is what they dropped). The data holds what the demo's rarely does: a lead not to call, a
title with markup, skipped and called entries, callbacks today and on another day, a skip
refused for want of a reason.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from leads.domain import calllists
from leads.models import Activity, CallList, CallListEntry, QualificationAnswer, StageChange

from .factories import LeadFactory

LOOPS = Path(__file__).with_name("row_loops")


def old(name: str, context: dict) -> str:
    return Template((LOOPS / name).read_text()).render(Context(context))


def new(source: str, context: dict) -> str:
    return Template(source).render(Context(context))


def whitespace(html: str) -> str:
    """Each run of whitespace that holds a line break as one line break."""
    return re.sub(r"[ \t]*\n\s*", "\n", html)


def flat(response) -> dict:
    """The context the page's view rendered its template with (the context processors'
    values included, the CSRF token among them)."""
    return response.context[0].flatten()


def touch(lead, sdr, when):
    Activity.objects.create(
        lead=lead,
        sdr=sdr,
        type=Activity.Type.CALL,
        outcome=Activity.Outcome.NO_ANSWER,
        started_at=when,
        duration_seconds=30,
    )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_lead_list_rows_are_the_loops_markup(client, org, language):
    LeadFactory(owner=org.alice, do_not_call=True, title="Head of <R&D>", first_name="Ann")
    LeadFactory(owner=org.alice, last_name="O'Neil & Sons")
    touched = LeadFactory(owner=org.alice)
    touch(touched, org.alice, timezone.now() - datetime.timedelta(days=3))
    client.force_login(org.alice)
    context = flat(client.get(reverse("lead-list")))
    with translation.override(language):
        before = old("lead_list.html", context)
        after = new("{% load lead_rows %}{% lead_list_rows page.object_list %}", context)
    assert before.count("<tr ") == 3 and "pill-bad" in before and "&lt;R&amp;D&gt;" in before
    assert after == before


@pytest.fixture
def varied_list(org):
    """alice's list for today with one entry of each kind the loop wrote differently."""
    leads = [LeadFactory(owner=org.alice, title="<VP> & co") for _ in range(5)]
    day = org.desk.local_today()
    calllists.build_call_lists(org.desk, day)
    call_list = CallList.objects.get(sdr=org.alice, day=day)
    entries = list(call_list.entries.order_by("position"))
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    entries[0].lead.callback_at = noon
    entries[1].lead.callback_at = noon + datetime.timedelta(days=2)
    for entry in entries[:2]:
        entry.lead.save(update_fields=["callback_at"])
    CallListEntry.objects.filter(pk=entries[2].pk).update(
        status=CallListEntry.Status.SKIPPED, skip_reason="Out <of> office"
    )
    CallListEntry.objects.filter(pk=entries[3].pk).update(status=CallListEntry.Status.CALLED)
    touch(leads[0], org.alice, timezone.now() - datetime.timedelta(hours=5))
    return call_list, entries


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("mode", ["today", "tomorrow"])
def test_todays_entries_are_the_loops_markup(client, org, varied_list, mode, language):
    client.force_login(org.alice)
    context = flat(client.get(reverse("today"))) | {"mode": mode}
    with translation.override(language):
        before = old("today.html", context)
        after = new("{% load lead_rows %}{% queue_entries entries %}", context)
    assert before.count('<li class="entry') == 5 and "callback-at" in before
    assert "csrfmiddlewaretoken" in before
    assert whitespace(after) == whitespace(before)
    assert len(after) < 0.8 * len(before)


def test_an_entry_whose_skip_was_refused_is_the_loops_markup(client, org, varied_list):
    call_list, entries = varied_list
    client.force_login(org.alice)
    response = client.post(
        reverse("call-list-skip", args=[call_list.pk, entries[4].pk]), {"reason": ""}
    )
    assert response.status_code == 400
    context = flat(response)
    before = old("today.html", context)
    after = new("{% load lead_rows %}{% queue_entries entries %}", context)
    assert 'aria-invalid="true"' in before and "field-errors" in before
    assert whitespace(after) == whitespace(before)


CHECKLIST = [
    {"item": "budget", "status": "confirmed", "answer": "< 5k & more", "questions": "How much?"},
    {"item": "authority", "status": "not_disclosed", "questions": "Who signs?"},
    {"item": "need", "status": "not_asked", "reason": "Too early <yet>"},
    {"item": "timing", "status": "unknown"},
    {"item": "custom_fit", "label": "Fit <own>", "labels": {"ko": "적합성"}, "status": "odd"},
]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_checklist_is_the_includes_markup(db, language):
    answers = [
        QualificationAnswer(item="budget", status="confirmed", answer="Yes & no"),
        QualificationAnswer(item="timing", status="not_asked", reason="later"),
    ]
    with translation.override(language):
        for checklist in (CHECKLIST, answers, []):
            context = {"checklist": checklist}
            assert new("{% load checklist %}{% checklist_facts checklist %}", context) == old(
                "checklist.html", context
            )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_briefs_timelines_are_the_loops_markup(client, org, language):
    lead = LeadFactory(owner=org.alice)
    client.force_login(org.alice)
    untouched = flat(client.get(reverse("lead-brief", args=[lead.pk])))
    now = timezone.now()
    touch(lead, org.alice, now - datetime.timedelta(days=2))
    Activity.objects.create(
        lead=lead,
        sdr=org.alice,
        type=Activity.Type.EMAIL,
        outcome=Activity.Outcome.REPLIED,
        started_at=now - datetime.timedelta(hours=1),
        notes="Wants <pricing> & terms",
        callback_at=now + datetime.timedelta(days=1),
    )
    StageChange.objects.create(lead=lead, to_stage="new", at=now - datetime.timedelta(days=3))
    StageChange.objects.create(
        lead=lead, from_stage="new", to_stage="working", by=org.alice, reason="Asked <why>", at=now
    )
    context = flat(client.get(reverse("lead-brief", args=[lead.pk])))
    with translation.override(language):
        for page in (untouched, context):
            before = old("brief_activities.html", page)
            after = new("{% load lead_rows %}{% activity_timeline activities %}", page)
            assert after == before
            before = old("brief_stages.html", page)
            assert new("{% load lead_rows %}{% stage_timeline stages %}", page) == before
    assert before.count("<li>") == 2 and "&lt;why&gt;" in before and " → " in before
    activities = old("brief_activities.html", context)
    assert activities.count("<li ") == 2 and "&lt;pricing&gt;" in activities
