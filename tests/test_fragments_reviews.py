"""The review desk's body from a cached fragment (handoffs/views_reviews.py): the same HTML
as without the cache, the new data after every kind of write the desk shows (the team's own,
and the other teams' the cards show: the AE's name, a lead given to another team), the same
page after a write it does not show, fewer queries on a hit, in constant number, and forms
that post from another session of the same manager."""

import datetime
import re
import time
from types import SimpleNamespace

import pytest
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handoffs import domain
from handoffs.models import Capacity, Handoff, Review
from leads.models import Account, Activity, Lead
from sdr_ops import fragments
from tests.factories import LeadFactory
from tests.test_reviews import make_handoff

pytestmark = pytest.mark.django_db(transaction=True)  # a version moves with each commit

DESK = "/reviews/"


def tokenless(html: str) -> str:
    """The page but for the CSRF token's value (the form's and htmx's header)."""
    return re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"', r'\1"-"', html)


def cards(html: str) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'<article class="card review-card" id="review-(\d+)"', html)
    ]


@pytest.fixture
def one_minute(monkeypatch):
    """The fragments' minute stands still: a hit stays a hit however slow the machine."""
    now = time.time()
    monkeypatch.setattr(fragments, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def desk(org):
    """mia's desk: four handoffs of her team to Aaron (Field Sales), one flagged, one
    rejected, each an hour old so that "an hour ago" holds through the test."""
    Capacity.objects.create(ae=org.aaron, normal=100)
    handoffs = [make_handoff(org) for _ in range(2)]
    handoffs.append(
        make_handoff(org, budget_questions="Budget?", connected=False, comment="Short.")
    )
    rejected = make_handoff(org)
    domain.reject(rejected.pk, by=org.aaron, reason="insufficient_qualification", comment="No <t>")
    handoffs.append(rejected)
    Handoff.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=65))
    return handoffs


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def live(client, settings, path=DESK, **params) -> str:
    settings.FRAGMENT_CACHE = False
    try:
        return client.get(path, params).content.decode()
    finally:
        settings.FRAGMENT_CACHE = True


# -- the same HTML -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("params", [{}, {"flag": "short_comment"}, {"sort": "flags", "page": "1"}])
def test_a_hit_is_the_page_without_the_cache(org, desk, one_minute, settings, language, params):
    org.mia.language = language
    org.mia.save(update_fields=["language"])
    client = signed_in(org.mia)
    without = live(client, settings, **params)
    miss = client.get(DESK, params).content.decode()
    hit = client.get(DESK, params).content.decode()
    assert f'<html lang="{language}">' in hit and len(cards(hit)) == (
        1 if params.get("flag") else 4
    )
    assert tokenless(miss) == tokenless(without)
    assert tokenless(hit) == tokenless(without)
    assert "csrfmiddlewaretoken" in hit


def test_each_filter_and_page_has_its_own_body(org, desk, one_minute):
    client = signed_in(org.mia)
    everything = client.get(DESK).content.decode()
    shortest = client.get(DESK, {"flag": "short_comment"}).content.decode()
    assert len(cards(everything)) == 4 and len(cards(shortest)) == 1
    assert cards(client.get(DESK, {"decision": "rejected"}).content.decode()) == [desk[-1].pk]
    assert cards(client.get(DESK, {"sdr": org.bob.pk}).content.decode()) == []
    assert cards(client.get(DESK).content.decode()) == cards(everything)


# -- the next GET shows what was written ---------------------------------------------------


def test_a_review_posted_takes_its_card_off_the_desk(org, desk, one_minute):
    client = signed_in(org.mia)
    assert desk[0].pk in cards(client.get(DESK).content.decode())
    response = client.post(
        reverse("review-record", args=[desk[0].pk]), {"rating": "solid", "feedback": "Good."}
    )
    assert response.status_code == 302
    html = client.get(DESK).content.decode()
    assert desk[0].pk not in cards(html) and "Reviewed." in html
    assert "3 handoffs to review" in html


def test_the_aes_decision_shows_on_the_desk(org, desk, one_minute):
    """The AE (Field Sales) decides through the inbox: the handoff marks the SDR's team. A
    second decision is refused (AlreadyDecided: the card again, with the warning) and
    changes nothing the desk shows."""
    manager, ae = signed_in(org.mia), signed_in(org.aaron)
    pending = desk[0]
    before = manager.get(DESK).content.decode()
    card = before.split(f'id="review-{pending.pk}"')[1].split("</article>")[0]
    assert "Pending" in card
    url = reverse("handoff-decide", args=[pending.pk, "accept"])
    assert ae.post(url, {"amount": "1000"}, headers={"HX-Request": "true"}).status_code == 200
    after = manager.get(DESK).content.decode()
    assert "Accepted" in after.split(f'id="review-{pending.pk}"')[1].split("</article>")[0]
    again = ae.post(
        reverse("handoff-decide", args=[pending.pk, "reject"]), {"reason": "no_need"}, follow=True
    )
    assert "Already decided" in again.content.decode()
    assert tokenless(manager.get(DESK).content.decode()) == tokenless(after)


def test_orm_saves_of_the_lead_its_company_and_its_calls_show(org, desk, one_minute):
    client = signed_in(org.mia)
    client.get(DESK)
    lead = Lead.objects.get(pk=desk[0].lead_id)
    lead.first_name = "Renamed"
    lead.save(update_fields=["first_name"])
    assert "Renamed" in client.get(DESK).content.decode()
    account = Account.objects.get(pk=lead.account_id)
    account.name = "Company Renamed"
    account.save(update_fields=["name"])
    assert "Company Renamed" in client.get(DESK).content.decode()
    Activity.objects.create(
        lead=lead,
        sdr=org.alice,
        type="call",
        outcome="no_answer",
        started_at=timezone.now() - datetime.timedelta(hours=3),
        notes="A note logged late",
    )
    assert "A note logged late" in client.get(DESK).content.decode()


def test_updates_and_bulk_writes_show(org, desk, one_minute):
    client = signed_in(org.mia)
    client.get(DESK)
    Handoff.objects.filter(pk=desk[1].pk).update(comment="Updated in bulk")
    assert "Updated in bulk" in client.get(DESK).content.decode()
    Review.objects.bulk_create(
        [Review(handoff=desk[1], manager=org.mia, rating="solid", feedback="Bulk")]
    )
    assert desk[1].pk not in cards(client.get(DESK).content.decode())
    Activity.objects.filter(lead_id=desk[0].lead_id).update(
        notes=Concat("notes", Value(" (edited)"))
    )
    assert "Discussed the month-end close. (edited)" in client.get(DESK).content.decode()


def test_the_aes_own_row_shows_though_it_marks_only_field_sales(org, desk, one_minute):
    """An AE's name is a write to their team (Field Sales), not to mia's: the desk's key
    holds the version of the teams its AEs belong to."""
    client = signed_in(org.mia)
    assert f"{org.alice} to {org.aaron}," in client.get(DESK).content.decode()
    org.aaron.first_name = "Aaronson"
    org.aaron.save(update_fields=["first_name"])
    assert f"{org.alice} to Aaronson {org.aaron.last_name}," in client.get(DESK).content.decode()


def test_a_lead_given_to_another_team_still_shows_its_writes(org, desk, one_minute):
    """A lead an admin gave to Growth Desk's Carol: its later writes mark her team only."""
    client = signed_in(org.mia)
    client.get(DESK)
    Lead.objects.filter(pk=desk[0].lead_id).update(owner=org.carol)  # marks both owners' teams
    client.get(DESK)
    Lead.objects.filter(pk=desk[0].lead_id).update(first_name="Carols")
    assert "Carols" in client.get(DESK).content.decode()


def test_a_write_in_another_team_keeps_the_page(org, desk, one_minute, django_assert_num_queries):
    client = signed_in(org.mia)
    page = client.get(DESK).content.decode()
    carols = LeadFactory(owner=org.carol, first_name="Nobody on the desk")
    Lead.objects.filter(pk=carols.pk).update(title="CTO")
    with django_assert_num_queries(3):  # a hit
        again = client.get(DESK).content.decode()
    assert tokenless(again) == tokenless(page)


# -- queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 12])
def test_a_hit_runs_three_queries_whatever_the_queue(org, one_minute, rows, settings):
    """A miss: the page's 7 (the other teams' version read with the SDRs to filter by); a
    hit: 1 session, 2 user with their team's version, 3 the other teams' version."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Capacity.objects.create(ae=org.aaron, normal=100)
    for n in range(rows):
        make_handoff(org, budget_questions="Budget?" if n % 2 else None)
    client = signed_in(org.mia)
    for params in ({}, {"sort": "flags", "flag": "single_question"}):
        with CaptureQueriesContext(connection) as miss:
            client.get(DESK, params)
        with CaptureQueriesContext(connection) as hit:
            html = client.get(DESK, params).content.decode()
        assert len(miss) == 7 and len(hit) == 3
        assert len(cards(html)) == (rows if not params else rows // 2)
    with CaptureQueriesContext(connection) as off:
        live(client, settings)
    assert len(off) == 7


def test_an_admin_and_a_post_are_rendered_every_time(org, desk, one_minute):
    admin = signed_in(org.root)
    first = admin.get(DESK).content.decode()
    Lead.objects.filter(pk=desk[0].lead_id).update(first_name="Seen by root")
    assert "Seen by root" in admin.get(DESK).content.decode() and "Seen by root" not in first
    manager = signed_in(org.mia)
    manager.get(DESK)
    refused = manager.post(reverse("review-record", args=[desk[0].pk]), {"feedback": "No rating"})
    assert refused.status_code == 400 and cards(refused.content.decode())[0] == desk[0].pk


# -- forms in the cached body -------------------------------------------------------------


def test_a_card_posts_from_another_session_of_the_same_manager(org, desk, one_minute):
    def token(html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    first = signed_in(org.mia, enforce_csrf_checks=True)
    theirs = token(first.get(DESK).content.decode())  # stores the body
    second = signed_in(org.mia, enforce_csrf_checks=True)
    mine = token(second.get(DESK).content.decode())  # a hit
    url, review = reverse("review-record", args=[desk[0].pk]), {"rating": "solid", "feedback": "Ok"}
    assert second.post(url, {**review, "csrfmiddlewaretoken": theirs}).status_code == 403
    assert second.post(url, {**review, "csrfmiddlewaretoken": mine}).status_code == 302
    assert Review.objects.get(handoff=desk[0]).manager == org.mia
