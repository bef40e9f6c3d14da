"""The cadence API: enrol (refused with the reason when enrolled already), pause, resume,
finish, step runs, and lists that hold only what the caller sees."""

import pytest
from rest_framework.test import APIClient

from cadences import domain

from .cadence_helpers import activate
from .factories import LeadFactory
from .test_cadences import three_steps


@pytest.fixture
def cadence(org):
    cadence = domain.create_cadence(org.desk, name="Enterprise intro", by=org.mia)
    domain.save_steps(cadence, three_steps(), by=org.mia)
    return activate(cadence, org.mia)


@pytest.fixture
def api():
    return APIClient()


def test_enrol_pause_resume_finish_through_the_api(api, org, cadence):
    lead = LeadFactory(owner=org.alice)
    api.force_authenticate(org.alice)
    made = api.post("/api/v1/cadences/enrollments/", {"lead": lead.pk, "cadence": cadence.pk})
    assert made.status_code == 201 and made.data["state"] == "active"
    again = api.post("/api/v1/cadences/enrollments/", {"lead": lead.pk, "cadence": cadence.pk})
    assert again.status_code == 400 and "Already in the cadence" in str(again.data)
    pk = made.data["id"]
    assert api.post(f"/api/v1/cadences/enrollments/{pk}/pause/", {}).data["state"] == "paused"
    assert api.post(f"/api/v1/cadences/enrollments/{pk}/pause/", {}).status_code == 409
    assert api.post(f"/api/v1/cadences/enrollments/{pk}/resume/").data["state"] == "active"
    bad = api.post(f"/api/v1/cadences/enrollments/{pk}/finish/", {"reason": "replied"})
    assert bad.status_code == 400  # replies are read from the mailbox, not claimed
    done = api.post(f"/api/v1/cadences/enrollments/{pk}/finish/", {"reason": "manual"})
    assert (done.data["state"], done.data["finish_reason"]) == ("finished", "manual")
    assert api.get(f"/api/v1/cadences/enrollments/{pk}/runs/").data["count"] == 0
    listed = api.get("/api/v1/cadences/").data["results"]
    assert [c["name"] for c in listed] == ["Enterprise intro"]
    assert [s["type"] for s in listed[0]["steps"]] == ["call", "email", "task"]


def test_the_lists_hold_only_what_the_caller_sees(
    api,
    org,
    cadence,
    django_assert_max_num_queries,
):
    api.force_authenticate(org.alice)
    for _ in range(3):
        lead = LeadFactory(owner=org.alice)
        api.post("/api/v1/cadences/enrollments/", {"lead": lead.pk, "cadence": cadence.pk})
    api.force_authenticate(org.carol)
    assert api.get("/api/v1/cadences/enrollments/").data["count"] == 0
    assert api.get("/api/v1/cadences/").data["count"] == 0
    api.force_authenticate(org.mia)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/cadences/enrollments/").data["count"] == 3
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/cadences/").data["count"] == 1
