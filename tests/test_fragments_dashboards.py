"""The dashboards' body served from a cached fragment (metrics.views.dashboards,
sdr_ops.fragments): the same HTML as without the cache, the new data after every kind of
write the page shows (its own team's, and the other teams' it shows: the AEs' and the owners'
of the largest drifts, the teams of a stakeholder's picker), no query of the page's data on a
hit."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from handoffs.models import Opportunity
from leads.models import Account
from metrics import freshness, rollups
from metrics.models import WeeklyRollup
from sdr_ops.models import Role, StaffingRecord, Team, User

from .factories import LeadFactory, TeamFactory
from .test_dashboard_tables import carrying
from .test_dashboards import last_full_week, store_all_weeks
from .test_team_settings import form_data

# Each write commits, as the app's requests and workers do: on PostgreSQL a team's version
# moves once a transaction (sdr_ops.changes), so writes inside one test transaction would not.
pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def page(client, **params) -> tuple[str, int]:
    """The page's HTML (its CSRF tokens blanked: each request has its own) and its queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards"), params)
    assert response.status_code == 200
    return TOKEN.sub(r"\1-", response.content.decode()), len(queries)


@pytest.fixture
def desk(org):
    """The desk's 13 weeks stored (the spans of the last week and of the week before), with
    deals won whose amounts drifted (their AE Aaron, on the field sales team)."""
    last = last_full_week(org.desk)
    for n in range(3):
        carrying(org, last.shifted(-n), "accepted", (1000, 900 + n), budget="confirmed")
    carrying(org, last, "rejected", budget="not_asked")
    store_all_weeks(org.desk)
    rollups.store_weeks(org.desk, [last.shifted(-12).label])  # the week before's span too
    return last


def signed_in(user, language="en", **kw) -> Client:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client(**kw)
    client.force_login(user)
    return client


def hit(client, **params) -> tuple[str, int]:
    """The page once it is cached: the first read learns which other teams it shows, the
    second stores it, the third is served from the cache."""
    page(client, **params)
    page(client, **params)
    return page(client, **params)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    ("persona", "params", "hit_queries"),
    [
        # session, user (with their team's version), the others' version
        ("mia", {}, 3),
        # and the picker's teams
        ("stella", {}, 4),
        # an admin on no team today: rendered every time (sdr_ops.fragments)
        ("root", {"team": "enterprise-desk"}, None),
    ],
)
def test_the_cached_page_is_the_page(
    client, org, desk, settings, language, persona, params, hit_queries
):
    client = signed_in(getattr(org, persona), language)
    picked = {"week": desk.shifted(-1).label, **params}
    cached, queries = hit(client, **params)
    assert queries == hit_queries if hit_queries else queries >= 7
    cached_picked, queries = hit(client, **picked)
    assert queries == hit_queries if hit_queries else queries >= 7
    settings.FRAGMENT_CACHE = False
    assert page(client, **params)[0] == cached and page(client, **picked)[0] == cached_picked
    assert 'id="drift-dates"' in cached and cached != cached_picked
    assert ("대시보드" in cached) == (language == "ko")


@pytest.mark.parametrize("rows", [2, 12])
def test_a_hit_reads_nothing_of_the_pages_data(org, rows, django_assert_num_queries):
    last = last_full_week(org.desk)
    for n in range(rows):
        carrying(org, last.shifted(-(n % 3)), "accepted", (1000, 900 + n), budget="confirmed")
    store_all_weeks(org.desk)
    client = signed_in(org.mia)
    # the first read as the page read before (tests/test_dashboards.py): 5 queries
    with django_assert_num_queries(5):
        page(client)
    with django_assert_num_queries(5):
        page(client)  # stored now, under the AE's team's version read with the weeks
    # 1 session, 2 user with their team's version, 3 the version of the AE's team
    with django_assert_num_queries(3):
        html, _queries = page(client)
    assert html.count("→ ₩") == min(rows, 10)


def test_each_kind_of_write_shows_on_the_next_read(org, desk):
    client = signed_in(org.mia)
    html, queries = hit(client)
    assert queries == 3 and "Healthy band 70 %–80 %." in html and "recomputed" not in html
    # through the app's own route: the team's settings (and every stored week marked)
    response = client.post(
        reverse("team-settings"), form_data(org.desk, ratio_band_low="65", ratio_band_high="85")
    )
    assert response.status_code == 302
    html, queries = page(client)
    assert queries > 3 and "Healthy band 65 %–85 %." in html
    assert "A change touched this week: it is being recomputed" in html
    # a worker recomputed the weeks (an ORM save elsewhere): the new time, never the old one
    hit(client)
    later = timezone.now() + datetime.timedelta(minutes=3)
    rollups.store_weeks(org.desk, [desk.shifted(-b).label for b in range(12)], computed_at=later)
    html, queries = page(client)
    shown = date_format(timezone.localtime(later, org.desk.zone), "SHORT_DATETIME_FORMAT")
    assert queries > 3 and f"Figures computed {shown}." in html and "recomputed" not in html
    # an account renamed by a save
    hit(client)
    account = Account.objects.filter(leads__handoffs__sdr=org.alice).first()
    account.name = "Renamed & Co"
    account.save()
    assert "Renamed &amp; Co" in page(client)[0]
    # the stored weeks marked by a QuerySet.update (metrics.freshness)
    hit(client)
    assert freshness.mark([org.desk.pk]) >= 12
    assert "A change touched this week: it is being recomputed" in page(client)[0]
    # a join written by a bulk path
    hit(client)
    dan = User.objects.create_user(email="dan@example.com", first_name="Dan", role=Role.SDR)
    StaffingRecord.objects.bulk_create(
        [StaffingRecord(person=dan, team=org.desk, role=Role.SDR, start_date=desk.monday)]
    )
    assert "Dan: joined" in page(client)[0]


def test_the_other_teams_it_shows_move_it_and_no_other(org, desk):
    client = signed_in(org.mia)
    before, queries = hit(client)
    assert queries == 3 and "Aaron" in before
    # another team's writes (the growth desk's lead, its weeks): still served from the cache
    LeadFactory(owner=org.carol)
    WeeklyRollup.objects.filter(team=org.growth).update(marked_at=timezone.now())
    assert page(client) == (before, 3)
    # a team's name is shown on other teams' pages: renaming one moves every team
    Team.objects.filter(pk=org.growth.pk).update(name="Growth Floor")
    assert page(client)[1] > 3
    before, _ = hit(client)
    # the AE on the field sales team, renamed by an update: the drifts name them anew
    User.objects.filter(pk=org.aaron.pk).update(first_name="Aaronson")
    html, queries = page(client)
    assert queries > 3 and "Aaronson" in html
    # a lead handed off and moved to an SDR of the growth desk: its account is theirs too
    assert hit(client)[1] == 3
    handed = Opportunity.objects.filter(status="won").first().handoff.lead
    Account.objects.filter(pk=handed.account_id).update(name="Both Teams Ltd")
    handed.owner = org.carol
    handed.save()
    assert "Both Teams Ltd" in hit(client)[0]
    Account.objects.filter(pk=handed.account_id).update(name="Carol's Now")
    assert "Carol&#x27;s Now" in page(client)[0]


def test_a_stakeholder_sees_every_team_of_the_picker_move(org, desk):
    client = signed_in(org.stella)
    html, queries = hit(client, team="enterprise-desk")
    assert queries == 4 and "Growth Desk" in html  # session, user, others' version, teams
    Team.objects.filter(pk=org.growth.pk).update(name="Growth Floor")
    html, queries = page(client, team="enterprise-desk")
    assert queries > 4 and "Growth Floor" in html and "Growth Desk" not in html
    hit(client, team="enterprise-desk")
    WeeklyRollup.objects.filter(team=org.desk).update(marked_at=timezone.now())
    assert "it is being recomputed" in page(client, team="enterprise-desk")[0]
    # a new team joins the picker
    hit(client, team="enterprise-desk")
    TeamFactory(slug="new-desk", name="New Desk")
    assert 'value="new-desk"' in page(client, team="enterprise-desk")[0]


def test_an_ae_on_no_team_is_never_cached(org, desk):
    StaffingRecord.objects.filter(person=org.aaron).delete()
    client = signed_in(org.mia)
    assert hit(client)[1] > 3
    User.objects.filter(pk=org.aaron.pk).update(first_name="Aaronson")
    assert "Aaronson" in page(client)[0]


def test_a_page_waiting_for_its_weeks_is_read_each_time(org, monkeypatch):
    asked = []
    monkeypatch.setattr(freshness, "ask_for", lambda team, labels: asked.append(labels))
    client = signed_in(org.mia)
    html, queries = hit(client)
    assert queries > 3 and "being computed: reload in a few minutes" in html
    assert len(asked) == 3 and len(asked[-1]) == 12  # asked of a worker on each read
    store_all_weeks(org.desk)
    html, queries = page(client)
    assert "being computed" not in html and "Figures computed" in html
    assert page(client)[1] == 2  # stored now: nothing else it shows (no deal, no other team)


def test_a_second_session_gets_its_own_token(org, desk):
    first = signed_in(org.mia)
    second = signed_in(org.mia, enforce_csrf_checks=True)
    hit(first)
    with CaptureQueriesContext(connection) as queries:
        response = second.get(reverse("dashboards"))
    assert len(queries) == 3  # served from the first session's cache
    html = response.content.decode()
    token = re.search(r'csrfmiddlewaretoken" value="([^"]+)', html).group(1)
    # the fragment's form, the week picker, from the second session
    picked = second.get(reverse("dashboards"), {"week": desk.shifted(-1).label})
    assert f'value="{desk.shifted(-1).label}" selected' in picked.content.decode()
    # a form of the page posted with the token it gave the second session
    assert second.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
