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


# -- the review desk's cards ---------------------------------------------------------------


@pytest.fixture
def varied_desk(org):
    """mia's desk with a card of each kind the loop wrote differently: every kind of flag,
    markup in names, a comment and a rejection, a card with no activities."""
    from handoffs import domain
    from handoffs.models import Capacity, Handoff

    from .test_reviews import make_handoff

    Capacity.objects.create(ae=org.aaron, normal=100)
    for _ in range(3):
        make_handoff(org)
    marked = make_handoff(org, budget_questions="Budget?")
    marked.lead.first_name, marked.lead.last_name = "<Ann>", "O'Neil & Sons"
    marked.lead.save(update_fields=["first_name", "last_name"])
    marked.lead.account.name = "<b>Acme</b> & Co"
    marked.lead.account.save(update_fields=["name"])
    Activity.objects.create(
        lead=marked.lead,
        sdr=org.alice,
        type=Activity.Type.CALL,
        outcome=Activity.Outcome.CONNECTED,
        started_at=timezone.now() - datetime.timedelta(minutes=70),
        notes='They said <no> & "yes"',
    )
    Handoff.objects.filter(pk=marked.pk).update(
        computed_certainty="C",
        certainty_reason="Trust <me>",
        comment="Line one <i>\nline two & more",
    )
    silent = make_handoff(org, connected=False, comment="Short.")
    rejected = make_handoff(org)
    domain.reject(
        rejected.pk, by=org.aaron, reason="insufficient_qualification", comment="No <timing>"
    )
    # An hour ago for the next hour: the two renders of a card say the same "when".
    Handoff.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=65))
    return {"marked": marked, "silent": silent, "rejected": rejected}


def desk_cards(context: dict, language: str) -> tuple[str, str]:
    """The cards as the loop wrote them (each with the form the view used to build for it,
    blank unless refused) and as the tag writes them."""
    from handoffs.forms import ReviewForm

    with translation.override(language):
        after = new("{% load review_cards %}{% review_cards queue %}", context)
        for handoff in context["queue"]:
            if handoff.review_form is None:
                handoff.review_form = ReviewForm(checklist=handoff.checklist)
        before = old("review_cards.html", context)
    return before, after


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_desks_cards_are_the_loops_markup(client, org, varied_desk, language):
    client.force_login(org.mia)
    context = flat(client.get(reverse("review-desk")))
    before, after = desk_cards(context, language)
    assert before.count('<article class="card review-card"') == 6
    for code in ("single_question", "above_evidence", "no_connected_call", "short_comment"):
        assert f'data-flag="{code}"' in before
    assert 'data-flag="insufficient_qualification"' in before
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in before and "&lt;Ann&gt;" in before
    assert "line one" not in before and "&lt;i&gt;<br>line two" in before
    assert "They said &lt;no&gt; &amp; &quot;yes&quot;" in before
    silent = before.split(f'id="review-{varied_desk["silent"].pk}"')[1].split("</article>")[0]
    assert "<h3>" not in silent  # no call notes
    assert "csrfmiddlewaretoken" in before
    assert whitespace(after) == whitespace(before)
    assert len(after) < 0.85 * len(before)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    "typed",
    [
        # a rating, its feedback and notes typed, a share without why it is good
        {"rating": "exemplary", "feedback": "Great <b>pain</b>\n  found", "share": "1"},
        # no rating; a note on an item too long (the form's own error, at its top)
        {"feedback": "No rating", "note-budget": "x" * 501, "excerpt": "Their <words>"},
        # nothing typed but a note far too long
        {"rating": "solid", "feedback": "Ok", "note": "y" * 501},
    ],
)
def test_a_refused_review_is_the_loops_markup(client, org, varied_desk, typed, language):
    handoff = varied_desk["marked"]
    client.force_login(org.mia)
    response = client.post(reverse("review-record", args=[handoff.pk]), typed)
    assert response.status_code == 400
    context = flat(response)
    assert context["queue"][0].pk == handoff.pk
    before, after = desk_cards(context, language)
    assert 'role="alert"' in before
    assert escape_text(typed.get("feedback", "")) in before
    assert whitespace(after) == whitespace(before)


def escape_text(value: str) -> str:
    from django.utils.html import escape

    return escape(value)


def test_a_card_shows_the_last_five_notes_before_its_handoff(org):
    """The notes the window keeps are those the prefetch of every activity kept: the lead's
    last five with notes no later than the handoff, per handoff, a lead's two handoffs each
    with their own."""
    from handoffs import queries
    from handoffs.models import Handoff

    from .test_reviews import make_handoff

    first = make_handoff(org)
    now = timezone.now()
    for hours in range(1, 9):
        for minutes, notes in ((30, f"note {hours}h ago"), (40, "")):
            Activity.objects.create(
                lead=first.lead,
                sdr=org.alice,
                type=Activity.Type.CALL,
                outcome=Activity.Outcome.NO_ANSWER,
                started_at=now - datetime.timedelta(hours=hours, minutes=minutes),
                notes=notes,
            )
    later = Handoff.objects.create(
        lead=first.lead,
        sdr=org.alice,
        ae=org.aaron,
        certainty="B",
        comment="Again",
        checklist=[],
    )
    Handoff.objects.filter(pk=later.pk).update(created_at=now - datetime.timedelta(hours=4))
    Activity.objects.create(
        lead=first.lead,
        sdr=org.alice,
        type="call",
        started_at=now + datetime.timedelta(hours=1),
        notes="after both",
    )
    alone = make_handoff(org, connected=False)
    handoffs = list(
        Handoff.objects.select_related("lead").filter(pk__in=[first.pk, later.pk, alone.pk])
    )
    found = queries.call_notes(handoffs)
    for handoff in handoffs:
        kept = [
            (a.started_at, a.notes)
            for a in handoff.lead.activities.order_by("-started_at")
            if a.started_at <= handoff.created_at and a.notes
        ][:5]
        assert [(a["started_at"], a["notes"]) for a in found[handoff.pk]] == kept
    assert len(found[first.pk]) == 5 and found[alone.pk] == []
    assert found[later.pk][0]["notes"] == "note 4h ago"


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
