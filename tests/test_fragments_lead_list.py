"""The lead list served from its cached fragments (leads/templatetags/lead_rows.py's
`lead_list_fragment`, sdr_ops.fragments): the same HTML as rendered every time, in English and
Korean, for the full page and its htmx answer; the new data after every kind of write; fewer
queries on a hit, as many whatever the rows; its bulk form posting from another session.

Transactional: on PostgreSQL a team's version moves once per committed transaction, so each
write here must commit, as a request's does."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.models import Account, Activity, Lead, Stage
from sdr_ops import changes
from sdr_ops.models import Role

from .factories import AccountFactory, LeadFactory, StaffingFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("lead-list")
HTMX = {"HX-Request": "true"}
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
HEADER_TOKEN = re.compile(r'("X-CSRFToken": ")[^"]+(")')  # the base layout's, for htmx


def without_token(html: str) -> str:
    """The page but for the CSRF token's value (each request's is masked anew)."""
    return HEADER_TOKEN.sub(r"\1-\2", TOKEN.sub(r"\1-\2", html))


def get(client, params=None, *, htmx=False):
    """The page's HTML and the number of queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {}, headers=HTMX if htmx else {})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def bulk_token(html: str) -> str:
    """The CSRF token of the list's bulk form."""
    return TOKEN.search(html.split('id="bulk"')[1]).group(0).split('value="')[1][:-1]


def row(html: str, pk: int) -> str:
    return re.search(rf'<tr data-lead="{pk}">.*?</tr>', html, re.S).group(0)


def listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-lead="(\d+)"', html)}


def touch(lead, days_ago=1):
    return Activity.objects.create(
        lead=lead,
        sdr=lead.owner,
        type=Activity.Type.CALL,
        outcome=Activity.Outcome.NO_ANSWER,
        started_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def leads(org):
    """55 of alice's leads (two pages), some touched, one at a company with a name to
    escape; 3 of bob's (her teammate), 2 of carol's (another team)."""
    odd = AccountFactory(name="O'Neil & <Sons>")
    mine = [LeadFactory(owner=org.alice, stage=Stage.WORKING, account=odd)]
    mine += LeadFactory.create_batch(54, owner=org.alice)
    for lead in mine[:10]:
        touch(lead)
    LeadFactory.create_batch(3, owner=org.bob)
    LeadFactory.create_batch(2, owner=org.carol)
    return mine


VARIANTS = [
    ({}, False),
    ({}, True),
    ({"page": "2"}, False),
    ({"page": "2"}, True),
    ({"page": "abc"}, False),
    ({"q": "Neil", "stage": "working"}, False),
    ({"q": "Neil", "stage": "working"}, True),
    ({"last_touch": "7d", "segment": "smb", "extra": "<x>"}, False),
    ({"stage": "bogus", "owner": "x"}, False),
    ({"stage": "handed_off"}, True),  # nothing listed
]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("persona", ["alice", "mia"])
def test_a_hit_is_the_html_rendered_every_time(client, org, leads, settings, language, persona):
    user = getattr(org, persona)
    user.language = language
    user.save()
    client.force_login(user)
    variants = VARIANTS + ([({"owner": org.bob.pk}, False)] if persona == "mia" else [])
    for params, htmx in variants:
        settings.FRAGMENT_CACHE = False
        plain, _ = get(client, params, htmx=htmx)
        settings.FRAGMENT_CACHE = True
        cache.clear()  # the full page stores its results' fragment too: the htmx answer's
        miss, miss_queries = get(client, params, htmx=htmx)
        hit, hit_queries = get(client, params, htmx=htmx)
        assert hit_queries < miss_queries, (params, htmx)
        assert without_token(hit) == without_token(miss) == without_token(plain), (params, htmx)
        if htmx:
            assert hit.lstrip().startswith('<section id="results"') and "<!doctype" not in hit
    assert ("<h1>리드</h1>" if language == "ko" else "<h1>Leads</h1>") in get(client)[0]


def test_the_full_page_and_its_htmx_answer_are_cached_apart(client, org, leads):
    client.force_login(org.alice)
    full, _ = get(client)
    part, _ = get(client, htmx=True)
    assert "<!doctype" in full and "<!doctype" not in part
    assert without_token(part).strip() in without_token(full)
    # the full page again, and page 2 apart from page 1
    assert without_token(get(client)[0]) == without_token(full)
    assert listed(get(client, {"page": "2"})[0]) == {lead.pk for lead in leads[:5]}


def test_a_write_through_the_apps_own_post_route_shows_next(client, org, leads):
    client.force_login(org.alice)
    lead = leads[20]
    assert lead.pk in listed(get(client, {"stage": "new"})[0])
    assert lead.pk in listed(get(client, {"stage": "new"}, htmx=True)[0])
    response = client.post(
        reverse("lead-bulk"),
        {"leads": [lead.pk], "action": "disqualify", "disqualify_reason": "no_need"},
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).stage == Stage.DISQUALIFIED
    assert lead.pk not in listed(get(client, {"stage": "new"})[0])
    assert lead.pk not in listed(get(client, {"stage": "new"}, htmx=True)[0])


def test_an_orm_save_elsewhere_shows_next(client, org, leads):
    client.force_login(org.alice)
    assert "Renamed Holdings" not in get(client)[0]
    account = Account.objects.get(pk=leads[-1].account_id)  # the newest lead's: page 1
    account.name = "Renamed Holdings"
    account.save()
    assert "Renamed Holdings" in get(client)[0]
    lead = leads[-1]
    lead.title = "Chief Everything Officer"
    lead.save()
    assert "Chief Everything Officer" in get(client, htmx=True)[0]


def test_an_update_and_a_bulk_create_show_next(client, org, leads):
    client.force_login(org.alice)
    before, _ = get(client, {"last_touch": "never"})
    newest = leads[-1]
    assert newest.pk in listed(before)
    Activity.objects.bulk_create(
        [
            Activity(
                lead=newest,
                sdr=org.alice,
                type=Activity.Type.CALL,
                outcome=Activity.Outcome.CONNECTED,
                started_at=timezone.now(),
            )
        ]
    )
    assert newest.pk not in listed(get(client, {"last_touch": "never"})[0])
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(title="Updated title")
    assert "Updated title" in get(client)[0]
    Lead.objects.filter(pk=newest.pk).update(do_not_call=True)
    assert "pill-bad" in row(get(client)[0], newest.pk)


def test_a_write_in_another_team_leaves_the_page_cached(client, org, leads):
    client.force_login(org.alice)
    first, miss = get(client)
    desk = changes.version([org.desk.pk])
    carol = Lead.objects.filter(owner=org.carol).first()
    carol.title = "Another team's title"
    carol.save()
    Lead.objects.filter(owner=org.carol).update(stage=Stage.NURTURE)
    assert changes.version([org.desk.pk]) == desk
    again, hit = get(client)
    assert hit < miss and without_token(again) == without_token(first)
    # and a write of this team's moves it
    Lead.objects.filter(pk=leads[-1].pk).update(title="Our own title")
    assert "Our own title" in get(client)[0]


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize(
    ("persona", "miss_queries"),
    # an SDR: session, user with their team, count, the page of leads, the team's cadences;
    # a manager also the owners offered
    [("alice", 5), ("mia", 6)],
)
def test_a_hit_runs_fewer_queries_as_many_whatever_the_rows(
    client, org, rows, persona, miss_queries, django_assert_num_queries
):
    for lead in LeadFactory.create_batch(rows, owner=org.alice):
        touch(lead)
    client.force_login(getattr(org, persona))
    with django_assert_num_queries(miss_queries):
        client.get(URL)
    # a hit: the session and the user with their team's version, nothing of the list's own
    with django_assert_num_queries(2):
        client.get(URL)
    cache.clear()  # the full page stored the htmx answer's fragment too
    with django_assert_num_queries(miss_queries):
        client.get(URL, headers=HTMX)
    with django_assert_num_queries(2):
        client.get(URL, headers=HTMX)


def test_an_admin_list_is_rendered_every_time(client, org, leads):
    """An admin lists every team's leads: another team's write does not move their own
    team's version, so nothing of theirs is cached."""
    admin = UserFactory(email="root@example.com", role=Role.ADMIN)
    StaffingFactory(person=admin, team=org.desk, role=Role.MANAGER)  # a team's version known
    client.force_login(admin)
    first, queries = get(client)
    desk = changes.version([org.desk.pk])
    Lead.objects.filter(owner=org.carol).update(title="Another team's title")
    assert changes.version([org.desk.pk]) == desk
    again, queries_again = get(client)
    assert queries_again == queries and "Another team&#x27;s title" in again


def test_the_bulk_form_of_a_cached_page_posts_from_another_session(org, leads):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(org.alice)
    second.force_login(org.alice)  # (a sign-in writes: both before the pages)
    html_first, miss = get(first)
    html_second, hit = get(second)
    assert hit < miss  # served from the cache
    token = bulk_token(html_second)
    assert token != bulk_token(html_first)
    lead = leads[-1]
    response = second.post(
        reverse("lead-bulk"),
        {
            "csrfmiddlewaretoken": token,
            "leads": [lead.pk],
            "action": "disqualify",
            "disqualify_reason": "no_need",
        },
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).stage == Stage.DISQUALIFIED
