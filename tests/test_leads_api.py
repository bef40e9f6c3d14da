"""The leads API answers with the same scope as the pages: 404 outside one's reach."""

import datetime

import pytest
from django.utils import timezone

from leads.models import Activity

from .factories import LeadFactory


@pytest.fixture
def leads(org):
    return {
        "alice": LeadFactory(owner=org.alice, first_name="Hana"),
        "bob": LeadFactory(owner=org.bob),
        "carol": LeadFactory(owner=org.carol),
    }


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", {"alice"}),
        ("mia", {"alice", "bob"}),
        ("otto", {"carol"}),
        ("aaron", set()),
        ("stella", set()),
        ("root", {"alice", "bob", "carol"}),
    ],
)
def test_list_returns_no_row_outside_ones_reach(client, org, leads, persona, expected):
    client.force_login(getattr(org, persona))
    response = client.get("/api/v1/leads/")
    assert response.status_code == 200
    assert ids(response) == {leads[k].pk for k in expected}


@pytest.mark.parametrize(
    ("persona", "lead", "status"),
    [
        ("alice", "alice", 200),
        ("alice", "bob", 404),
        ("mia", "carol", 404),
        ("otto", "carol", 200),
        ("aaron", "alice", 404),
        ("stella", "alice", 404),
    ],
)
def test_detail_and_activities_are_404_outside_ones_reach(
    client, org, leads, persona, lead, status
):
    client.force_login(getattr(org, persona))
    pk = leads[lead].pk
    assert client.get(f"/api/v1/leads/{pk}/").status_code == status
    assert client.get(f"/api/v1/leads/{pk}/activities/").status_code == status


def test_detail_carries_company_owner_and_last_touch(client, org, leads):
    lead = leads["alice"]
    when = timezone.now() - datetime.timedelta(hours=3)
    Activity.objects.create(
        lead=lead,
        sdr=org.alice,
        type="call",
        outcome="connected",
        started_at=when,
        duration_seconds=300,
    )
    client.force_login(org.alice)
    body = client.get(f"/api/v1/leads/{lead.pk}/").json()
    assert body["owner"] == "alice@example.com"
    assert body["account"]["segment"] == "mid_market"
    assert body["last_touch"] is not None
    activities = client.get(f"/api/v1/leads/{lead.pk}/activities/").json()["results"]
    assert [a["outcome"] for a in activities] == ["connected"]


def test_filters_are_validated_with_a_message(client, org, leads):
    client.force_login(org.alice)
    response = client.get("/api/v1/leads/", {"stage": "bogus"})
    assert response.status_code == 400
    assert "stage" in response.json()
    assert ids(client.get("/api/v1/leads/", {"q": "hana"})) == {leads["alice"].pk}


def test_token_auth_reaches_the_same_scope(client, org, leads):
    from sdr_ops.tokens import issue_token

    _token, key = issue_token(org.otto, name="script")
    response = client.get("/api/v1/leads/", headers={"Authorization": f"Token {key}"})
    assert ids(response) == {leads["carol"].pk}


@pytest.mark.parametrize("rows", [5, 40])
def test_list_queries_do_not_grow_with_rows(client, org, rows, django_assert_num_queries):
    LeadFactory.create_batch(rows, owner=org.bob)
    client.force_login(org.mia)
    # 1 session, 2 user with their team, 3 count, 4 the page with company, owner, last touch
    with django_assert_num_queries(4):
        assert client.get("/api/v1/leads/").status_code == 200
