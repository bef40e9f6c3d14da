"""The review desk: flags, private reviews, coaching notes, and praise everyone reads."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs import domain, queries
from handoffs.domain import reviews
from handoffs.models import PraisePost, PraiseReaction, Review
from leads.models import Activity

from .factories import LeadFactory
from .test_handoffs_domain import qualified

LONG = "Their reporting takes two days a month; the CFO wants it automated before Q1. " * 2


def make_handoff(org, *, comment=LONG, connected=True, budget_questions=None):
    overrides = {}
    if budget_questions is not None:
        overrides["budget"] = {
            "status": "not_disclosed",
            "answer": "",
            "questions": budget_questions,
        }
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"), **overrides)
    if connected:
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="call",
            outcome="connected",
            started_at=timezone.now() - datetime.timedelta(hours=2),
            notes="Discussed the month-end close.",
        )
    return domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment=comment)


def flag_codes(org, handoff):
    queued = {h.pk: h for h in queries.review_queue(org.mia)}[handoff.pk]
    return {f.code for f in queries.flags(queued, queries.usual_comment_length(org.mia))}


@pytest.mark.parametrize(
    ("questions", "flagged"),
    [
        ("What is your budget?", True),
        ("Budget", True),
        (
            "How are projects like this usually approved? Would budget move from another project?",
            False,
        ),
        ("How do such projects get approved.\nWho signs off?", False),
    ],
)
def test_single_direct_question_flag(org, questions, flagged):
    handoff = make_handoff(org, budget_questions=questions)
    assert ("single_question" in flag_codes(org, handoff)) is flagged


def test_no_connected_call_flag(org):
    assert "no_connected_call" in flag_codes(org, make_handoff(org, connected=False))
    assert "no_connected_call" not in flag_codes(org, make_handoff(org))


def test_short_comment_flag_against_the_teams_usual(org):
    for _ in range(3):
        make_handoff(org)
    assert "short_comment" in flag_codes(org, make_handoff(org, comment="Wants a meeting."))
    assert "short_comment" not in flag_codes(org, make_handoff(org))


def test_insufficient_qualification_flag(org):
    rejected = make_handoff(org)
    domain.reject(
        rejected.pk,
        by=org.aaron,
        reason="insufficient_qualification",
        comment="Nobody asked about timing",
    )
    assert "insufficient_qualification" in flag_codes(org, rejected)
    other = make_handoff(org)
    domain.reject(other.pk, by=org.aaron, reason="no_need")
    assert "insufficient_qualification" not in flag_codes(org, other)


@pytest.mark.parametrize("rows", [3, 20])
def test_desk_queries_do_not_grow_with_the_queue(client, org, rows, django_assert_num_queries):
    from handoffs.models import Capacity

    Capacity.objects.create(ae=org.aaron, normal=100)
    for _ in range(rows):
        make_handoff(org)
    client.force_login(org.mia)
    # 1 session, 2 user with their team, 3 the team's usual comment length, 4 the whole queue's
    # flags' data (what the desk filters, sorts and counts by), 5 one page of it with lead,
    # company, SDR and AE, 6 the leads' activities, 7 the SDRs to filter by
    with django_assert_num_queries(7):
        html = client.get(reverse("review-desk")).content.decode()
    assert html.count('class="card review-card"') == rows
    assert "Discussed the month-end close." in html


def test_desk_filters_and_team_scope(client, org):
    handoff = make_handoff(org)
    client.force_login(org.mia)
    assert f"review-{handoff.pk}" in client.get(reverse("review-desk")).content.decode()
    html = client.get(reverse("review-desk"), {"decision": "accepted"}).content.decode()
    assert f"review-{handoff.pk}" not in html
    client.force_login(org.otto)
    assert f"review-{handoff.pk}" not in client.get(reverse("review-desk")).content.decode()


@pytest.fixture
def reviewed(client, org):
    handoff = make_handoff(org)
    client.force_login(org.mia)
    client.post(
        reverse("review-record", args=[handoff.pk]),
        {
            "rating": "exemplary",
            "feedback": "SECRET-FEEDBACK: ask timing earlier next time.",
            "note-timing": "Ask about the decision date first",
            "share": "1",
            "note": "Found the real pain behind the request",
            "excerpt": "",
        },
    )
    return Review.objects.get(handoff=handoff)


def test_a_review_is_private_and_the_praise_never_leaks_it(client, org, reviewed):
    assert reviewed.item_notes == {"timing": "Ask about the decision date first"}
    post = PraisePost.objects.get(review=reviewed)
    assert post.excerpt == reviewed.handoff.comment
    for persona in ("aaron", "bob", "stella", "carol", "otto"):
        client.force_login(getattr(org, persona))
        feed = client.get(reverse("praise-feed")).content.decode()
        assert "Found the real pain behind the request" in feed
        assert "SECRET-FEEDBACK" not in feed
        assert client.post(reverse("feedback-read", args=[reviewed.pk])).status_code == 404
    client.force_login(org.alice)
    page = client.get(reverse("my-feedback")).content.decode()
    assert "SECRET-FEEDBACK" in page and "Ask about the decision date first" in page
    client.post(reverse("feedback-read", args=[reviewed.pk]))
    reviewed.refresh_from_db()
    assert reviewed.read_at is not None


def test_reviewed_handoffs_leave_the_queue_and_cannot_be_reviewed_twice(client, org, reviewed):
    client.force_login(org.mia)
    assert (
        f"review-{reviewed.handoff_id}" not in client.get(reverse("review-desk")).content.decode()
    )
    response = client.post(
        reverse("review-record", args=[reviewed.handoff_id]),
        {"rating": "solid", "feedback": "again"},
        follow=True,
    )
    assert "reviewed already" in response.content.decode()


def test_another_teams_manager_cannot_review(client, org):
    handoff = make_handoff(org)
    client.force_login(org.otto)
    response = client.post(
        reverse("review-record", args=[handoff.pk]), {"rating": "solid", "feedback": "x"}
    )
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_coaching_notes_show_recurring_gaps(client, org, reviewed):
    second = make_handoff(org)
    reviews.record_review(
        second,
        by=org.mia,
        rating="needs_work",
        feedback="Again timing",
        item_notes={"timing": "No date asked", "budget": ""},
    )
    client.force_login(org.mia)
    html = client.get(reverse("coaching", args=[org.alice.pk])).content.decode()
    assert re.search(r'data-gap="timing">timing: 2 reviews', html)
    client.force_login(org.otto)
    assert client.get(reverse("coaching", args=[org.alice.pk])).status_code == 404


def test_stakeholders_react_once_per_kind(client, org, reviewed):
    post = PraisePost.objects.get()
    client.force_login(org.stella)
    client.post(reverse("praise-react", args=[post.pk]), {"kind": "applause"})
    assert "👏 1" in client.get(reverse("praise-feed")).content.decode()
    client.post(reverse("praise-react", args=[post.pk]), {"kind": "applause"})
    assert not PraiseReaction.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "aaron", "stella"])
def test_the_desk_is_for_managers(client, org, persona):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("review-desk")).status_code == 404


def test_weekly_digest_page_and_email_once(client, org, reviewed, mailoutbox):
    from handoffs.tasks import send_praise_digest
    from sdr_ops import calendar

    post = PraisePost.objects.get()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    week = calendar.week_label(monday)
    client.force_login(org.aaron)
    html = client.get(reverse("praise-digest"), {"week": week}).content.decode()
    assert "Found the real pain behind the request" in html and "SECRET-FEEDBACK" not in html
    assert send_praise_digest.apply(kwargs={"week": week}).get() > 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "Found the real pain" in message.body and "SECRET-FEEDBACK" not in message.body
    assert "stella@example.com" in message.bcc
    assert send_praise_digest.apply(kwargs={"week": week}).get() == 0  # once per week
    assert len(mailoutbox) == 1
    assert post.company in message.body


def test_a_week_without_praise_sends_nothing(org, mailoutbox):
    from handoffs.tasks import send_praise_digest

    assert send_praise_digest.apply(kwargs={"week": "2020-W01"}).get() == 0
    assert mailoutbox == []


def test_reviews_api_is_private_and_the_feed_is_for_everyone(client, org, reviewed):
    for persona, sees in (
        ("mia", True),
        ("alice", True),
        ("bob", False),
        ("aaron", False),
        ("stella", False),
        ("otto", False),
    ):
        client.force_login(getattr(org, persona))
        listed = client.get("/api/v1/reviews/").json()["results"]
        assert bool(listed) is sees
        assert client.get(f"/api/v1/reviews/{reviewed.pk}/").status_code == (200 if sees else 404)
        feed = client.get("/api/v1/praise/").json()["results"]
        assert feed[0]["note"] == "Found the real pain behind the request"
        assert "SECRET-FEEDBACK" not in str(feed)


def test_the_digest_reaches_each_person_in_their_language(org, reviewed, mailoutbox):
    from handoffs.domain import digest

    org.stella.language = "ko"
    org.stella.save()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    digest.send_weekly(monday)
    by_subject = {m.subject: m for m in mailoutbox}
    korean = next(m for s, m in by_subject.items() if "칭찬" in s)
    english = next(m for s, m in by_subject.items() if s.startswith("Praise of the week"))
    assert korean.bcc == ["stella@example.com"]
    assert "stella@example.com" not in english.bcc and "alice@example.com" in english.bcc


def test_the_desk_shows_twenty_handoffs_a_page(client, org):
    from handoffs import domain as handoff_domain
    from handoffs.views_reviews import DESK_PAGE_SIZE

    handoff_domain.set_capacity(org.aaron, by=org.aaron, normal=100)
    for _ in range(DESK_PAGE_SIZE + 2):
        make_handoff(org)
    client.force_login(org.mia)
    first = client.get(reverse("review-desk")).content.decode()
    assert first.count('review-card"') == DESK_PAGE_SIZE and "Page 1 of 2" in first
    second = client.get(reverse("review-desk"), {"page": 2}).content.decode()
    assert second.count('review-card"') == 2 and "Page 2 of 2" in second


# -- the review and its praise stand or fall together ------------------------------------


def test_a_share_without_why_it_is_good_is_refused_as_a_whole(client, org):
    from sdr_ops.models import AuditEvent, Notification

    handoff = make_handoff(org)
    client.force_login(org.mia)
    item = handoff.checklist[0]["item"]
    response = client.post(
        reverse("review-record", args=[handoff.pk]),
        {
            "rating": "exemplary",
            "feedback": "Great pain found <b>here</b>.",
            f"note-{item}": "Asked twice",
            "share": "1",
            "note": "  ",
            "excerpt": "The pain, in their words",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say in a line why this handoff is good." in html
    assert not Review.objects.exists() and not PraisePost.objects.exists()
    assert not Notification.objects.filter(user=org.alice).exists()
    assert not AuditEvent.objects.filter(subject=AuditEvent.Subject.REVIEW).exists()
    # Still on the desk, the review as typed (escaped), to send again with the note.
    card = html[html.index(f'id="review-{handoff.pk}"') :]
    assert 'value="exemplary" required checked' in card
    assert ">Great pain found &lt;b&gt;here&lt;/b&gt;.</textarea>" in card
    assert 'value="Asked twice"' in card
    assert 'name="share" value="1" checked' in card
    assert ">The pain, in their words</textarea>" in card
    assert 'aria-invalid="true" aria-describedby="note-why-' in card


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"feedback": "No rating chosen"}, "rating"),
        ({"rating": "solid", "feedback": "   "}, "feedback"),
        ({"rating": "solid", "feedback": "Ok", "note": "x" * 501}, "note"),
    ],
)
def test_every_refused_review_comes_back_as_typed(client, org, typed, field):
    handoff = make_handoff(org)
    client.force_login(org.mia)
    response = client.post(reverse("review-record", args=[handoff.pk]), typed)
    assert response.status_code == 400 and not Review.objects.exists()
    card = response.content.decode().split(f'id="review-{handoff.pk}"')[1]
    for name, value in typed.items():
        if name != "rating" and value.strip():
            assert value in card
    assert "field-errors" in card


def test_a_review_is_shared_later_by_its_author_once(client, org):
    handoff = make_handoff(org)
    written = reviews.record_review(handoff, by=org.mia, rating="solid", feedback="Fine work.")
    client.force_login(org.mia)
    page = client.get(reverse("coaching", args=[org.alice.pk])).content.decode()
    assert reverse("review-share", args=[written.pk]) in page
    response = client.post(
        reverse("review-share", args=[written.pk]), {"note": "", "excerpt": "Their words"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say in a line" in html and not PraisePost.objects.exists()
    assert ">Their words</textarea>" in html  # the share as typed, its form open
    assert "<details open>" in html
    client.post(reverse("review-share", args=[written.pk]), {"note": "Asked budget well"})
    assert PraisePost.objects.get(review=written).note == "Asked budget well"
    response = client.post(
        reverse("review-share", args=[written.pk]), {"note": "again"}, follow=True
    )
    assert "shared already" in response.content.decode()
    for persona in ("root", "otto"):
        client.force_login(getattr(org, persona))
        assert (
            client.post(reverse("review-share", args=[written.pk]), {"note": "x"}).status_code
            == 404
        )


# -- the desk: flags to filter and sort by, the queue's count -----------------------------


def test_the_desk_filters_and_sorts_by_flag_and_counts_the_queue(client, org):
    plain = make_handoff(org)
    single = make_handoff(org, budget_questions="What is your budget?")
    both = make_handoff(org, budget_questions="Budget?", connected=False)
    newest = make_handoff(org)
    client.force_login(org.mia)
    response = client.get(reverse("review-desk"))
    html = response.content.decode()
    assert "4 handoffs to review" in html
    assert "Asked but not disclosed after a single direct question (2)" in html
    assert [h.pk for h in response.context["queue"]] == [newest.pk, both.pk, single.pk, plain.pk]
    response = client.get(reverse("review-desk"), {"flag": "single_question"})
    assert [h.pk for h in response.context["queue"]] == [both.pk, single.pk]
    assert "2 with this flag" in response.content.decode()
    response = client.get(reverse("review-desk"), {"sort": "flags"})
    assert [h.pk for h in response.context["queue"]][:2] == [both.pk, single.pk]
    assert client.get(reverse("review-desk"), {"flag": "nonsense"}).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_the_desk_reads_in_constant_queries(client, org, django_assert_max_num_queries, rows):
    from handoffs.models import Capacity

    Capacity.objects.create(ae=org.aaron, normal=100)
    for n in range(rows):
        make_handoff(org, budget_questions="Budget?" if n % 2 else None)
    client.force_login(org.mia)
    with django_assert_max_num_queries(7):
        client.get(reverse("review-desk"), {"sort": "flags", "flag": "single_question"})


# -- coaching: notes and 1:1s, private to the two; the rating trend -------------------------


def test_a_manager_writes_a_note_and_a_one_on_one_linked_to_handoffs(client, org):
    from handoffs.models import CoachingNote
    from sdr_ops.models import Notification

    handoff = make_handoff(org)
    client.force_login(org.mia)
    page = client.get(reverse("coaching", args=[org.alice.pk]), {"handoff": handoff.pk})
    assert page.context["form"]["handoffs"].initial == [handoff.pk]
    response = client.post(
        reverse("coaching", args=[org.alice.pk]),
        {
            "kind": "one_on_one",
            "met_on": "2026-11-20",
            "body": "PRIVATE-1on1: budget first.",
            "handoffs": [handoff.pk],
        },
    )
    assert response.status_code == 302
    note = CoachingNote.objects.get()
    assert (note.manager, note.sdr, note.met_on) == (
        org.mia,
        org.alice,
        datetime.date(2026, 11, 20),
    )
    assert list(note.handoffs.all()) == [handoff]
    assert Notification.objects.filter(user=org.alice).exists()
    client.force_login(org.alice)
    html = client.get(reverse("my-feedback")).content.decode()
    assert "PRIVATE-1on1: budget first." in html and handoff.lead.account.name in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "one_on_one", "body": "x"}, "met_on"),
        ({"kind": "note", "body": ""}, "body"),
        ({"kind": "note", "body": "x" * 5001}, "body"),
        ({"kind": "gossip", "body": "x"}, "kind"),
        ({"kind": "one_on_one", "met_on": "3000-01-01", "body": "x"}, "met_on"),
    ],
)
def test_a_wrong_note_is_refused_in_place(client, org, data, field):
    from handoffs.models import CoachingNote

    client.force_login(org.mia)
    response = client.post(reverse("coaching", args=[org.alice.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not CoachingNote.objects.exists()


def test_a_note_links_only_the_sdrs_own_handoffs(org):
    from django.core.exceptions import ValidationError

    from handoffs.domain import coaching

    bobs = make_handoff(org)
    bobs.sdr = org.bob
    bobs.save(update_fields=["sdr"])
    with pytest.raises(ValidationError):
        coaching.write_note(org.alice, by=org.mia, kind="note", body="x", handoff_ids=[bobs.pk])


def test_notes_and_feedback_are_private_to_the_two_admins_included(client, org, reviewed):
    from handoffs.domain import coaching

    coaching.write_note(org.alice, by=org.mia, kind="note", body="PRIVATE-NOTE on alice")
    client.force_login(org.root)
    html = client.get(reverse("coaching", args=[org.alice.pk])).content.decode()
    assert "SECRET-FEEDBACK" not in html and "PRIVATE-NOTE" not in html
    assert "Ask about the decision date first" not in html
    assert client.get("/api/v1/reviews/").json()["results"] == []
    for persona in ("bob", "stella", "aaron"):
        client.force_login(getattr(org, persona))
        assert "PRIVATE-NOTE" not in client.get(reverse("my-feedback")).content.decode()
    client.force_login(org.mia)
    html = client.get(reverse("coaching", args=[org.alice.pk])).content.decode()
    assert "SECRET-FEEDBACK" in html and "PRIVATE-NOTE on alice" in html


def test_the_rating_trend_counts_each_week_over_twelve(org):
    from sdr_ops import calendar

    zone = org.desk.zone
    today = org.desk.local_today()
    for rating, weeks_ago in [("exemplary", 0), ("needs_work", 0), ("solid", 3), ("solid", 12)]:
        written = reviews.record_review(make_handoff(org), by=org.mia, rating=rating, feedback="f")
        Review.objects.filter(pk=written.pk).update(
            created_at=timezone.now() - datetime.timedelta(weeks=weeks_ago)
        )
    trend = queries.rating_trend(Review.objects.filter(manager=org.mia), zone, today)
    assert len(trend) == 12
    assert trend[-1]["label"] == calendar.week_label(calendar.monday_of(today))
    assert trend[-1]["counts"] == {"exemplary": 1, "solid": 0, "needs_work": 1}
    assert trend[-1]["score"] == 1.0
    assert trend[-4]["counts"]["solid"] == 1 and trend[-4]["score"] == 1.0
    assert sum(row["total"] for row in trend) == 3  # twelve weeks ago is outside
    assert trend[0]["score"] is None


@pytest.mark.parametrize("rows", [1, 6])
def test_the_coaching_page_reads_in_constant_queries(
    client, org, django_assert_max_num_queries, rows
):
    from handoffs.domain import coaching
    from handoffs.models import Capacity

    Capacity.objects.create(ae=org.aaron, normal=100)
    for n in range(rows):
        handoff = make_handoff(org)
        reviews.record_review(handoff, by=org.mia, rating="solid", feedback=f"f{n}")
        coaching.write_note(
            org.alice, by=org.mia, kind="note", body=f"n{n}", handoff_ids=[handoff.pk]
        )
    client.force_login(org.mia)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("coaching", args=[org.alice.pk])).content.decode()
    assert html.count('class="card coaching-note"') == rows
