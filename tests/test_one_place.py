"""Each rule in one place: who reaches what (the access helpers), which team a request
concerns, the lead's checklist, and writes that stand or fall with their audit record."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from handoffs import access as handoff_access
from handoffs import domain as handoff_domain
from handoffs.domain import reviews
from handoffs.models import Capacity, Handoff, RejectionReason, Review
from leads import access as lead_access
from leads.domain import calllists
from leads.models import CallListRule
from sdr_ops import access, audit
from sdr_ops.models import AuditEvent

from .factories import LeadFactory

# -- which team ---------------------------------------------------------------------------


def test_teams_visible_to_each_role(org):
    sdr_teams = {"enterprise-desk", "growth-desk"}
    assert {t.slug for t in access.teams_visible_to(org.stella)} == sdr_teams
    assert {t.slug for t in access.teams_visible_to(org.root)} == sdr_teams
    assert [t.slug for t in access.teams_visible_to(org.mia)] == ["enterprise-desk"]
    assert access.team_for(org.otto).slug == "growth-desk"
    with pytest.raises(Http404):
        access.team_for(org.mia, "growth-desk")


@pytest.mark.parametrize("persona", ["stella", "root"])
def test_the_weekly_api_refuses_a_team_the_dashboards_refuse(client, org, persona):
    # It used to answer for any team by slug, field sales and other departments included.
    client.force_login(getattr(org, persona))
    for slug in ("field-sales", "marketing"):
        response = client.get("/api/v1/kpis/weekly/", {"team": slug, "week": "2026-W47"})
        assert response.status_code == 404
        assert client.get(reverse("dashboards"), {"team": slug}).status_code == 404


def test_a_manager_naming_another_team_on_the_rules_page_gets_404(client, org):
    # It used to ignore ?team= and show the manager's own team.
    client.force_login(org.mia)
    assert client.get(reverse("call-list-rules"), {"team": "growth-desk"}).status_code == 404
    assert client.get(reverse("call-list-adherence"), {"team": "growth-desk"}).status_code == 404
    assert client.get(reverse("call-list-rules"), {"team": "enterprise-desk"}).status_code == 200


# -- who reaches what -------------------------------------------------------------------------


def test_lead_for_reads_in_scope_and_writes_only_ones_own(org):
    lead = LeadFactory(owner=org.alice)
    assert lead_access.lead_for(org.mia, lead.pk) == lead
    assert lead_access.lead_for(org.alice, lead.pk, write=True) == lead
    for user, write in ((org.bob, False), (org.mia, True), (org.otto, False), (org.aaron, False)):
        with pytest.raises(Http404):
            lead_access.lead_for(user, lead.pk, write=write)


def test_handoff_for_decision_is_the_addressee_only(org):
    lead = LeadFactory(owner=org.alice)
    handoff = Handoff.objects.create(lead=lead, sdr=org.alice, ae=org.aaron, certainty="A")
    assert handoff_access.handoff_for_decision(org.aaron, handoff.pk) == handoff
    for user in (org.ada, org.alice, org.mia):
        with pytest.raises(Http404):
            handoff_access.handoff_for_decision(user, handoff.pk)


def test_ae_capacity_for_the_ae_and_managers(org):
    assert handoff_access.ae_capacity_for(org.aaron, org.aaron.pk) == org.aaron
    assert handoff_access.ae_capacity_for(org.mia, org.aaron.pk) == org.aaron
    for user, ae_id in ((org.ada, org.aaron.pk), (org.alice, org.aaron.pk), (org.mia, org.bob.pk)):
        with pytest.raises(Http404):
            handoff_access.ae_capacity_for(user, ae_id)


# -- one checklist: the lead owner's team -------------------------------------------------------


def test_everyone_reads_the_checklist_of_the_lead_owners_team(client, org):
    org.desk.qualification_items = ["budget", "champion"]
    org.desk.save()
    lead = LeadFactory(owner=org.alice, stage="connected")
    Handoff.objects.create(
        lead=lead,
        sdr=org.alice,
        ae=org.aaron,
        certainty="B",
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason=RejectionReason.NO_NEED,
    )
    # The AE's own team keeps the defaults: they used to see those on the brief and the API.
    client.force_login(org.aaron)
    items = [a["item"] for a in client.get(f"/api/v1/leads/{lead.pk}/qualification/").json()]
    assert items == ["budget", "champion"]
    assert "Champion" in client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
    assert [row["item"] for row in handoff_domain.snapshot(lead)] == ["budget", "champion"]


# -- writes and their records -----------------------------------------------------------------


def _failing_audit(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(audit, "record", broken)


def test_a_capacity_change_stands_or_falls_with_its_record(org, monkeypatch):
    _failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        handoff_domain.set_capacity(org.aaron, by=org.mia, normal=3)
    assert not Capacity.objects.filter(ae=org.aaron).exists()
    with pytest.raises(RuntimeError):
        handoff_domain.add_reduction(
            org.aaron, by=org.mia, capacity=0, start_date=datetime.date.today(), reason="Leave"
        )
    assert not org.aaron.capacity_reductions.exists()


def test_a_review_stands_or_falls_with_its_record(org, monkeypatch):
    lead = LeadFactory(owner=org.alice)
    handoff = Handoff.objects.create(lead=lead, sdr=org.alice, ae=org.aaron, certainty="A")
    _failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        reviews.record_review(handoff, by=org.mia, rating="exemplary", feedback="Clear problem")
    assert not Review.objects.exists()


def test_the_team_settings_are_saved_with_an_audit_record(client, org):
    from .test_call_list_rules import formset_data

    client.force_login(org.mia)
    url = reverse("call-list-rules")
    data = formset_data(client, url)
    data["team-call_list_size"] = "45"
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(subject=audit.Subject.TEAM)
    assert (event.subject_id, event.field, event.before, event.after, event.actor) == (
        org.desk.pk,
        "call_list_size",
        "60",
        "45",
        org.mia,
    )
    assert event.label == "team settings changed"


def test_reading_the_rules_writes_nothing(org):
    assert [r.name for r in calllists.rules_for(org.growth)][0] == "Callbacks due"
    assert not CallListRule.objects.filter(team=org.growth).exists()
    assert len(calllists.ensure_rules(org.growth)) == 4
    assert CallListRule.objects.filter(team=org.growth).count() == 4


def test_a_call_list_is_changed_by_its_sdr_only(org):
    from django.core.exceptions import PermissionDenied

    day = datetime.date(2026, 11, 30)
    calllists.build_call_lists(org.desk, day)
    lead = LeadFactory(owner=org.alice)  # made after the build: not on the list yet
    call_list = org.alice.call_lists.get(day=day)
    with pytest.raises(PermissionDenied):
        calllists.add_to_list(call_list, lead, by=org.bob)
    with pytest.raises(PermissionDenied):
        calllists.mark_reviewed(call_list, by=org.mia)
    calllists.add_to_list(call_list, lead, by=org.alice)


# -- one path to the weekly figures ------------------------------------------------------------


def test_weeks_computed_together_are_the_weeks_computed_one_by_one(org):
    from metrics import kpis, queries, rollups

    from .test_kpis import handoff

    week = kpis.Week.parse(org.desk, "2026-W47")
    for back, status in enumerate(["accepted", "rejected", "pending", "accepted"]):
        handoff(org, week.shifted(-back), status)
    labels = [week.shifted(-back).label for back in range(13, -1, -1)]  # two runs of weeks
    alone = {label: kpis.compute_week(org.desk, label) for label in labels}
    assert kpis.compute_weeks(org.desk, labels) == alone
    weeks = [week.shifted(-back) for back in range(3, -1, -1)]
    rollups.store_weeks(org.desk, [w.label for w in weeks])  # what the worker stores
    served = queries.weekly_figures(org.desk, weeks)
    assert [
        {k: v for k, v in f.items() if k not in ("computed_at", "being_computed")} for f in served
    ] == [alone[w.label] for w in weeks]
