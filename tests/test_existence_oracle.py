"""No existence oracle: an id that does not exist and an id out of the user's reach get the
same answer, so nobody learns which leads, people or teams' leads exist."""

import json

from django.urls import reverse

from leads.models import Insight, Lead

from .authz import build_world
from .factories import AccountFactory, LeadFactory
from .test_import_leads import check, csv_bytes, good_row

MISSING = 999_999


def _insight(client, lead_id: int):
    return client.post(
        reverse("api-insights"),
        json.dumps({"lead": lead_id, "topic": "competitor", "quote": "They use Acme."}),
        content_type="application/json",
    )


def test_an_insight_on_a_missing_lead_and_on_another_teams_lead_answer_alike(client, org):
    theirs = LeadFactory(owner=org.carol, stage="working")
    client.force_login(org.alice)
    missing, hidden = _insight(client, MISSING), _insight(client, theirs.pk)
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    assert not Insight.objects.exists()


def _handoff(client, lead: Lead, ae_id: int):
    return client.post(
        reverse("api-handoffs"),
        json.dumps({"lead": lead.pk, "ae": ae_id, "certainty": "A", "comment": "Ready."}),
        content_type="application/json",
    )


def test_a_handoff_to_a_missing_person_and_to_a_non_ae_answer_alike(client, org):
    world = build_world(org)
    client.force_login(org.alice)
    missing, not_ae = (
        _handoff(client, world.lead, MISSING),
        _handoff(client, world.lead, org.mia.pk),
    )
    assert missing.status_code == not_ae.status_code == 400
    assert missing.json() == not_ae.json()
    page = reverse("handoff-new", args=[world.lead.pk])
    answers = [
        client.post(page, {"to_ae": ae_id, "certainty": "A", "comment": "Ready."})
        for ae_id in (MISSING, org.mia.pk)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    errors = [a.context["form"].errors.get("to_ae") for a in answers]
    assert errors[0] == errors[1] and errors[0]


def test_the_lead_import_names_no_lead_of_another_team(org):
    LeadFactory(
        owner=org.carol,
        first_name="Secret",
        last_name="Prospect",
        email="known@hanbit.example",
        external_id="growth-77",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    result = check(
        csv_bytes(
            good_row(1, owner="alice@example.com", email="known@hanbit.example"),
            good_row(2, owner="alice@example.com", external_id="growth-77"),
        ),
        by=org.mia,
    )
    assert result.duplicates == [
        "leads.csv:2: already in SDR Ops; not created twice",
        "leads.csv:3: already in SDR Ops; not created twice",
    ]
