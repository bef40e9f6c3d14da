"""The handoffs API: create, list, accept, reject (409 when already decided), the valve."""

import pytest

from handoffs import domain
from handoffs.models import Handoff

from .factories import LeadFactory
from .test_handoffs_domain import load, qualified


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def pending(org):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    return domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="Why")


def test_an_sdr_creates_a_handoff_and_errors_name_the_field(client, org):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    client.force_login(org.alice)
    bad = post(
        client,
        "/api/v1/handoffs/",
        {"lead": lead.pk, "ae": org.aaron.pk, "certainty": "A", "comment": " "},
    )
    assert bad.status_code == 400 and "comment" in bad.json()
    ok = post(
        client,
        "/api/v1/handoffs/",
        {"lead": lead.pk, "ae": org.aaron.pk, "certainty": "A", "comment": "Why"},
    )
    assert ok.status_code == 201
    assert ok.json()["checklist"][0]["status"] == "confirmed"
    other = LeadFactory(owner=org.carol)
    assert (
        post(
            client,
            "/api/v1/handoffs/",
            {"lead": other.pk, "ae": org.aaron.pk, "certainty": "A", "comment": "x"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("alice", True),
        ("bob", False),
        ("mia", True),
        ("otto", False),
        ("aaron", True),
        ("ada", False),
        ("stella", False),
    ],
)
def test_each_role_lists_only_its_handoffs(client, org, pending, persona, sees):
    client.force_login(getattr(org, persona))
    ids = [h["id"] for h in client.get("/api/v1/handoffs/").json()["results"]]
    assert ids == ([pending.pk] if sees else [])
    detail = client.get(f"/api/v1/handoffs/{pending.pk}/")
    assert detail.status_code == (200 if sees else 404)


def test_accept_then_a_second_decision_gets_409(client, org, pending):
    client.force_login(org.aaron)
    accepted = post(client, f"/api/v1/handoffs/{pending.pk}/accept/", {"amount": "120000"})
    assert accepted.status_code == 201
    assert accepted.json()["amount_at_creation"] == "120000.00"
    again = post(client, f"/api/v1/handoffs/{pending.pk}/reject/", {"reason": "no_need"})
    assert again.status_code == 409
    assert again.json()["status"] == "accepted"
    pending.refresh_from_db()
    assert pending.status == "accepted"


def test_reject_needs_a_valid_reason_and_only_the_addressee_decides(client, org, pending):
    client.force_login(org.ada)
    assert (
        post(client, f"/api/v1/handoffs/{pending.pk}/reject/", {"reason": "no_need"}).status_code
        == 404
    )
    client.force_login(org.alice)
    assert (
        post(client, f"/api/v1/handoffs/{pending.pk}/accept/", {"amount": "1"}).status_code == 404
    )
    client.force_login(org.aaron)
    assert (
        post(client, f"/api/v1/handoffs/{pending.pk}/reject/", {"reason": "maybe"}).status_code
        == 400
    )
    refused = post(client, f"/api/v1/handoffs/{pending.pk}/reject/", {"reason": "other"})
    assert refused.status_code == 400 and "comment" in refused.json()
    assert Handoff.objects.get(pk=pending.pk).status == "pending"


def test_the_valve_state(client, org):
    load(org.aaron, 9, org)
    client.force_login(org.alice)
    body = client.get("/api/v1/valve/").json()
    aaron = next(a for a in body["aes"] if a["ae"] == "aaron@example.com")
    assert (aaron["load"], aaron["utilisation"], aaron["takes"]) == (9, 0.9, ["A"])
    assert body["team_takes"] == ["A", "B", "C"]  # ada still has room for anything
    client.force_login(org.stella)
    assert client.get("/api/v1/valve/").status_code == 404
