"""API of the SDR's day: log activities, the qualification checklist, the caller's call list."""

import pytest

from leads.domain import calllists
from leads.models import Activity, QualificationChange

from .factories import LeadFactory


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org.alice)


def test_the_owner_logs_a_call_and_the_stage_follows(client, org, lead):
    client.force_login(org.alice)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/activities/",
        {"type": "call", "outcome": "connected", "duration_seconds": 300, "notes": "Good talk"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["outcome"] == "connected"
    lead.refresh_from_db()
    assert lead.stage == "connected"


@pytest.mark.parametrize("persona", ["bob", "mia", "carol", "aaron"])
def test_nobody_else_logs_on_a_lead(client, org, lead, persona):
    client.force_login(getattr(org, persona))
    response = client.post(
        f"/api/v1/leads/{lead.pk}/activities/",
        {"type": "call", "outcome": "busy"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_a_callback_without_a_time_is_refused_with_the_field_named(client, org, lead):
    client.force_login(org.alice)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/activities/",
        {"type": "call", "outcome": "callback"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "callback_at" in response.json()


def test_qualification_read_and_write(client, org, lead):
    client.force_login(org.alice)
    items = client.get(f"/api/v1/leads/{lead.pk}/qualification/").json()
    assert [(i["item"], i["status"]) for i in items] == [
        ("budget", "unknown"),
        ("approval_process", "unknown"),
        ("need", "unknown"),
        ("timing", "unknown"),
    ]
    url = f"/api/v1/leads/{lead.pk}/qualification/budget/"
    refused = client.put(url, {"status": "not_disclosed"}, content_type="application/json")
    assert refused.status_code == 400 and "questions" in refused.json()
    ok = client.put(
        url,
        {"status": "not_disclosed", "questions": "Who approves such projects?"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["updated_by"] == "alice@example.com"
    assert QualificationChange.objects.filter(lead=lead, item="budget").count() == 1
    assert (
        client.put(
            f"/api/v1/leads/{lead.pk}/qualification/colour/",
            {"status": "unknown"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_manager_reads_but_does_not_write_the_checklist(client, org, lead):
    client.force_login(org.mia)
    assert client.get(f"/api/v1/leads/{lead.pk}/qualification/").status_code == 200
    assert (
        client.put(
            f"/api/v1/leads/{lead.pk}/qualification/budget/",
            {"status": "confirmed", "answer": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    client.force_login(org.otto)
    assert client.get(f"/api/v1/leads/{lead.pk}/qualification/").status_code == 404


def test_my_call_list_and_skipping_an_entry(client, org, lead, django_assert_num_queries):
    LeadFactory.create_batch(5, owner=org.alice)
    day = org.desk.local_today()
    calllists.build_call_lists(org.desk, day)
    client.force_login(org.alice)
    # 1 session, 2 user with their team, 3 the list, 4 its entries with lead, company, owner, touch
    with django_assert_num_queries(4):
        body = client.get("/api/v1/call-list/").json()
    assert body["day"] == day.isoformat()
    assert [e["position"] for e in body["entries"]] == [1, 2, 3, 4, 5, 6]
    entry = body["entries"][0]
    assert entry["reason"] == "New inbound leads" and entry["lead"]["account"]["name"]
    url = f"/api/v1/call-list/entries/{entry['id']}/skip/"
    assert client.post(url, {"reason": ""}, content_type="application/json").status_code == 400
    skipped = client.post(url, {"reason": "Out of office"}, content_type="application/json")
    assert skipped.json()["status"] == "skipped"
    client.force_login(org.bob)
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    assert client.get("/api/v1/call-list/").json()["entries"] == []  # his own, empty list
    client.force_login(org.mia)
    assert client.get("/api/v1/call-list/").status_code == 404
    client.force_login(org.alice)
    assert client.get("/api/v1/call-list/", {"day": "soon"}).status_code == 400
