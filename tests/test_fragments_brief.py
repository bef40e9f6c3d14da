"""The lead brief's body from a fragment cached under the viewer's team's data version
(handoffs/views_brief.py): the same HTML as without the cache, moved on by every kind of write
it shows (also for the AE of the sales team and an admin, whose own team the lead's writes do
not mark), untouched by another team's writes, behind the access check, with the request's
own CSRF token, and three or four queries on a hit whatever the lead's history.

Each request here commits on its own (`transaction=True`), as a server's do: the brief caches
nothing inside a transaction (see the view)."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoffs.models import Handoff, RejectionReason
from leads import access
from leads.models import Account, Activity, Lead, QualificationAnswer, StageChange
from sdr_ops import changes, fragments
from sdr_ops.models import Role

from .factories import LeadFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)"')


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """The key holds the minute: frozen, so that a request's second GET is the hit it means
    to be even across a minute's turn."""
    minute = 60 * (int(timezone.now().timestamp()) // 60) + 30
    monkeypatch.setattr(fragments, "time", SimpleNamespace(time=lambda: minute))


@pytest.fixture
def lead(org):
    """Alice's lead (Enterprise Desk), handed off to Aaron (Field Sales) once and rejected,
    with a call, a stage change, an answer and an open task."""
    lead = LeadFactory(owner=org.alice, first_name="Yerin", title="Head of Ops")
    touch(lead, days_ago=2)
    StageChange.objects.create(lead=lead, from_stage="new", to_stage="working", by=org.alice)
    QualificationAnswer.objects.create(
        lead=lead, item="budget", status="not_disclosed", questions="How is this approved?"
    )
    lead.tasks.create(sdr=org.alice, kind="other", due_at=timezone.now(), note="Send the deck")
    Handoff.objects.create(
        lead=lead,
        sdr=org.alice,
        ae=org.aaron,
        certainty="B",
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason=RejectionReason.BAD_TIMING,
        comment="Budget next quarter",
    )
    return lead


def touch(lead, *, days_ago: float, notes: str = "") -> Activity:
    return Activity.objects.create(
        lead=lead,
        sdr=lead.owner,
        type=Activity.Type.CALL,
        outcome=Activity.Outcome.NO_ANSWER,
        started_at=timezone.now() - datetime.timedelta(days=days_ago),
        notes=notes,
    )


def viewer_of(org, name: str):
    """One of the org's people, or "boss": a superuser managing the Enterprise Desk (an admin
    on a team, who may open any lead)."""
    if name == "boss":
        return member(org.desk, Role.MANAGER, "boss@example.com", is_superuser=True)
    return getattr(org, name)


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def brief(client, lead, language="en"):
    """The response and the number of queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("lead-brief", args=[lead.pk]), HTTP_ACCEPT_LANGUAGE=language)
    return response, len(queries)


def html(response) -> str:
    """The page with its CSRF tokens' values blanked (each request has its own)."""
    assert response.status_code == 200
    return TOKEN.sub(r'\1TOKEN"', response.content.decode())


def tokens(response) -> set[str]:
    return {m.group(2) for m in TOKEN.finditer(response.content.decode())}


# The queries of a hit: 1 the session, 2 the user with their team and its version, 3 the
# lead with company and owner (the access check); for a viewer of another team 4 the lead
# owner's teams' version.
HIT = 3
HIT_OTHER_TEAM = 4


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("viewer", ["alice", "mia", "aaron", "boss", "root"])
def test_a_hit_is_the_html_without_the_cache(org, lead, settings, language, viewer):
    client = signed_in(viewer_of(org, viewer))
    settings.FRAGMENT_CACHE = False
    off, _ = brief(client, lead, language)
    settings.FRAGMENT_CACHE = True
    miss, miss_queries = brief(client, lead, language)
    hit, hit_queries = brief(client, lead, language)
    assert html(miss) == html(off) and html(hit) == html(off)
    if viewer == "root":  # on no team: no version, nothing cached
        assert hit_queries == miss_queries
    else:
        assert hit_queries < miss_queries
        assert hit_queries == (HIT if viewer in ("alice", "mia") else HIT_OTHER_TEAM)
    # One token a page, as before: the fragment's forms carry the layout's.
    assert len(tokens(hit)) == 1 and tokens(hit) != tokens(miss)
    page = html(hit)
    assert "Budget next quarter" in page and "Yerin" in page
    if language == "ko":
        assert '<html lang="ko">' in page and "활동" in page
    assert (reverse("lead-log-touch", args=[lead.pk]) in page) == (viewer == "alice")


def test_each_kind_of_write_the_brief_shows_is_on_the_next_get(client, org, lead):
    client.force_login(org.alice)
    brief(client, lead)
    assert brief(client, lead)[1] == HIT

    # through the app's own route
    client.post(
        reverse("lead-log-touch", args=[lead.pk]),
        {"type": "email", "outcome": "sent", "notes": "Sent the case study"},
    )
    response, queries = brief(client, lead)
    assert "Sent the case study" in html(response) and queries > HIT

    # an ORM save elsewhere
    handoff = Handoff.objects.get(lead=lead)
    handoff.rejection_comment = "Call again in April"
    handoff.save()
    assert "Call again in April" in html(brief(client, lead)[0])

    # QuerySet.update, of the lead and of its company (reached through its leads' owners)
    Lead.objects.filter(pk=lead.pk).update(title="Chief Revenue Officer")
    assert "Chief Revenue Officer" in html(brief(client, lead)[0])
    Account.objects.filter(pk=lead.account_id).update(industry="Shipbuilding")
    assert "Shipbuilding" in html(brief(client, lead)[0])

    # a bulk path
    StageChange.objects.bulk_create(
        [
            StageChange(
                lead=lead,
                from_stage="working",
                to_stage="nurture",
                by=org.alice,
                reason="No <budget>",
            )
        ]
    )
    assert "No &lt;budget&gt;" in html(brief(client, lead)[0])

    # raw SQL, as the imports write
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Activity._meta.db_table} SET notes = %s WHERE lead_id = %s AND notes = %s",
            ["Sent the deck and the case study", lead.pk, "Sent the case study"],
        )
    assert "Sent the deck and the case study" in html(brief(client, lead)[0])
    assert brief(client, lead)[1] == HIT


@pytest.mark.parametrize("viewer", ["aaron", "boss"])
def test_a_viewer_of_another_team_sees_the_writes_that_mark_only_the_owners(org, viewer):
    """Aaron (Field Sales) reads the brief of a lead handed to him, the boss (an admin on the
    Enterprise Desk) any lead, here Carol's (Growth Desk): writes reached through the lead
    mark the owner's teams only, and the brief follows them all the same."""
    owner = org.alice if viewer == "aaron" else org.carol
    lead = LeadFactory(owner=owner, title="Head of Ops")
    Handoff.objects.create(lead=lead, sdr=owner, ae=org.aaron, certainty="B")
    client = signed_in(viewer_of(org, viewer))
    brief(client, lead)
    assert brief(client, lead)[1] == HIT_OTHER_TEAM
    own_team = org.sales if viewer == "aaron" else org.desk
    before = changes.version([own_team.pk])

    Lead.objects.filter(pk=lead.pk).update(title="Chief Revenue Officer")
    touch(lead, days_ago=0.1, notes="Asked about the pilot")

    assert changes.version([own_team.pk]) == before  # the viewer's own team did not move
    page, queries = brief(client, lead)
    assert "Chief Revenue Officer" in html(page) and "Asked about the pilot" in html(page)
    assert queries > HIT_OTHER_TEAM
    assert brief(client, lead)[1] == HIT_OTHER_TEAM


def test_a_write_in_another_team_leaves_the_brief_in_the_cache(client, org, lead):
    client.force_login(org.alice)
    first = html(brief(client, lead)[0])
    carols = LeadFactory(owner=org.carol)
    Lead.objects.filter(pk=carols.pk).update(title="Changed elsewhere")
    touch(carols, days_ago=1, notes="Growth's call")
    response, queries = brief(client, lead)
    assert queries == HIT and html(response) == first


@pytest.mark.parametrize("rows", [5, 40])
def test_a_hit_runs_three_queries_whatever_the_history(
    client, org, lead, rows, django_assert_num_queries
):
    for i in range(rows):
        touch(lead, days_ago=i + 3, notes=f"call {i}")
        lead.tasks.create(sdr=org.alice, kind="other", due_at=timezone.now())
        StageChange.objects.create(lead=lead, from_stage="new", to_stage="working", by=org.alice)
        Handoff.objects.create(
            lead=lead,
            sdr=org.alice,
            ae=org.aaron,
            certainty="B",
            status="rejected",
            decided_at=timezone.now(),
            rejection_reason=RejectionReason.NO_NEED,
        )
    client.force_login(org.alice)
    # the miss: the 17 queries of test_leads' test_lead_brief_queries_do_not_grow_with_history
    with django_assert_num_queries(17):
        client.get(reverse("lead-brief", args=[lead.pk]))
    with django_assert_num_queries(HIT):
        client.get(reverse("lead-brief", args=[lead.pk]))
    aaron = signed_in(org.aaron)
    aaron.get(reverse("lead-brief", args=[lead.pk]))
    with django_assert_num_queries(HIT_OTHER_TEAM):
        aaron.get(reverse("lead-brief", args=[lead.pk]))


def test_a_form_of_the_cached_brief_posts_from_a_second_session(org, lead):
    # Both signed in first: a log-in writes the user's last log-in, which moves the version.
    first = signed_in(org.alice, enforce_csrf_checks=True)
    second = signed_in(org.alice, enforce_csrf_checks=True)
    first_page, _ = brief(first, lead)
    page, queries = brief(second, lead)
    assert queries == HIT  # the fragment the first session stored
    (token,) = tokens(page)
    assert token not in tokens(first_page)
    url = reverse("lead-log-touch", args=[lead.pk])
    data = {"type": "email", "outcome": "sent", "notes": "From the second session"}
    # the first session's token is no good in the second session
    refused = second.post(url, {**data, "csrfmiddlewaretoken": next(iter(tokens(first_page)))})
    assert refused.status_code == 403
    response = second.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Activity.objects.filter(lead=lead, notes="From the second session").exists()
    assert "From the second session" in html(brief(second, lead)[0])


def test_the_access_check_runs_before_a_stored_brief_is_served(org, lead):
    alice, aaron = signed_in(org.alice), signed_in(org.aaron)
    for client in (alice, aaron):
        brief(client, lead)
        assert brief(client, lead)[0].status_code == 200
    # Nothing written, nothing moved: the stored briefs are still there, and never served
    # once the check says no.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "leads_visible_to", lambda user: Lead.objects.none())
        for client in (alice, aaron):
            assert brief(client, lead)[0].status_code == 404
    # A handoff undone: Aaron may not read the lead any more.
    Handoff.objects.filter(lead=lead).delete()
    assert brief(aaron, lead)[0].status_code == 404
    for other in (org.bob, org.carol, org.otto, org.ada, org.stella):
        assert brief(signed_in(other), lead)[0].status_code == 404
    assert brief(alice, lead)[0].status_code == 200
