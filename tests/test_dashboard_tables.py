"""The dashboards' week picker, qualification evidence, CSV exports and the per-SDR page."""

import csv
import io

import pytest
from django.urls import reverse

from handoffs.models import Opportunity
from metrics import kpis, rollups
from metrics.models import SdrWeeklyRollup

from .factories import StaffingFactory, UserFactory
from .test_dashboards import last_full_week, store_all_weeks
from .test_kpis import at, handoff


def checklist(**states):
    return [{"item": item, "status": state} for item, state in states.items()]


def carrying(org, week, status, amounts=None, **states):
    h = handoff(org, week, status)
    h.checklist = checklist(**states)
    h.save(update_fields=["checklist"])
    if amounts:
        Opportunity.objects.create(
            handoff=h,
            amount_at_creation=amounts[0],
            amount_at_close=amounts[1],
            status="won",
            created_at=at(week, 2),
            closed_at=at(week, 4),
        )
    return h


def test_qualification_evidence_by_item_and_state(org):
    week = kpis.Week.parse(org.desk, "2026-W47")
    carrying(org, week, "accepted", (1000, 800), budget="confirmed", need="confirmed")
    carrying(org, week, "accepted", (1000, 1000), budget="confirmed", need="not_asked")
    carrying(org, week, "rejected", budget="not_asked", need="confirmed")
    carrying(org, week, "rejected", budget="not_asked", need="not_disclosed")
    # Items found by name wherever they stand in the snapshot.
    carrying(org, week, "accepted", need="confirmed", budget="not_disclosed")
    rows = {(r["item"], r["state"]): r for r in kpis.qualification_evidence(week, week)}
    assert rows["budget", "confirmed"] | {} == {
        "item": "budget",
        "state": "confirmed",
        "handoffs": 2,
        "accepted": 2,
        "rejected": 0,
        "acceptance": 1.0,
        "drift_pct": -0.1,
    }
    assert (
        rows["budget", "not_asked"]["acceptance"],
        rows["budget", "not_asked"]["drift_pct"],
    ) == (
        0.0,
        None,
    )
    assert rows["budget", "not_disclosed"]["handoffs"] == 1
    assert rows["need", "confirmed"]["acceptance"] == pytest.approx(2 / 3, abs=1e-4)
    assert rows["need", "not_asked"]["drift_pct"] == 0.0
    assert rows["approval_process", "confirmed"]["acceptance"] is None


def test_the_week_picker_shows_the_chosen_week(client, org):
    week = kpis.Week.parse(org.desk, "2026-W40")
    handoff(org, week, "accepted")
    client.force_login(org.mia)
    html = client.get(reverse("dashboards"), {"week": "2026-W40"}).content.decode()
    assert 'value="2026-W40"' in html and "2026-W29" in html  # the 12 weeks up to it
    html = client.get(reverse("dashboards"), {"week": "soon"}).content.decode()
    assert "Pick a week like 2026-W47." in html
    html = client.get(reverse("dashboards"), {"week": "2099-W01"}).content.decode()
    assert "That week has not begun" in html


def test_every_table_is_exported_as_csv(client, org):
    last = last_full_week(org.desk)
    carrying(org, last, "accepted", (1000, 900), budget="confirmed")
    client.force_login(org.mia)
    response = client.get(reverse("dashboard-export", args=["weeks"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Week", "Headcount", "Productive headcount"]
    assert len(rows) == 13 and rows[-1][0] == last.label
    evidence = client.get(reverse("dashboard-export", args=["evidence"])).content.decode()
    assert "budget,confirmed,1,1,0,1.0,-0.1" in evidence
    drifts = client.get(reverse("dashboard-export", args=["drifts"])).content.decode()
    assert "alice@example.com,aaron@example.com,1000.00,900.00," in drifts
    assert client.get(reverse("dashboard-export", args=["other"])).status_code == 404


def test_exported_cells_never_run_as_formulas(client, org):
    last = last_full_week(org.desk)
    h = carrying(org, last, "accepted", (1000, 900), budget="confirmed")
    h.lead.account.name = "=HYPERLINK(1)"
    h.lead.account.save()
    client.force_login(org.mia)
    drifts = client.get(reverse("dashboard-export", args=["drifts"])).content.decode()
    assert "'=HYPERLINK(1)" in drifts


@pytest.mark.parametrize(
    ("persona", "status"), [("alice", 404), ("aaron", 404), ("stella", 200), ("root", 200)]
)
def test_who_may_export(client, org, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("dashboard-export", args=["weeks"])).status_code == status


def test_per_sdr_figures_with_the_lead_mix(client, org):
    last = last_full_week(org.desk)
    handoff(org, last, "accepted")
    handoff(org, last, "rejected", sdr=org.bob)
    client.force_login(org.mia)
    html = client.get(reverse("dashboard-people")).content.decode()
    assert "Reference only" in html
    assert "Alice" in html and "Bob" in html and "Carol" not in html
    assert "Mid-market 100 %" in html  # the factories' leads are mid-market accounts


def test_an_sdr_sees_only_their_own_row(client, org):
    last = last_full_week(org.desk)
    handoff(org, last, "accepted", sdr=org.bob)
    client.force_login(org.alice)
    html = client.get(reverse("dashboard-people")).content.decode()
    assert "Alice" in html and "Bob" not in html
    assert client.get(reverse("dashboard-people"), {"team": "growth-desk"}).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("aaron", 404), ("stella", 200), ("otto", 200)])
def test_who_sees_the_per_sdr_page(client, org, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("dashboard-people")).status_code == status


def test_another_teams_figures_are_not_there_for_a_manager(client, org):
    client.force_login(org.otto)
    response = client.get(reverse("dashboard-people"), {"team": "enterprise-desk"})
    assert response.status_code == 404
    for name in ("dashboards", "dashboard-people"):
        assert client.get(reverse(name), {"team": "enterprise-desk"}).status_code == 404
    assert (
        client.get(
            reverse("dashboard-export", args=["weeks"]), {"team": "enterprise-desk"}
        ).status_code
        == 404
    )
    html = client.get(reverse("dashboard-people")).content.decode()
    assert "Growth Desk" in html and "Alice" not in html


@pytest.mark.parametrize("extra", [0, 6])
def test_per_sdr_page_queries_do_not_grow_with_sdrs(client, org, extra, django_assert_num_queries):
    last = last_full_week(org.desk)
    for n in range(extra):
        person = UserFactory(email=f"extra{n}@example.com", role="sdr")
        StaffingFactory(person=person, team=org.desk, role="sdr")
        handoff(org, last, "accepted", sdr=person)
    store_all_weeks(org.desk)
    client.force_login(org.mia)
    # session, the user with their team, stored per-SDR rows, the people, their lead mix
    with django_assert_num_queries(5):
        client.get(reverse("dashboard-people"))


def test_the_rollup_stores_each_sdr_and_a_rerun_replaces_them(org):
    week = kpis.Week.parse(org.desk, "2026-W47")
    handoff(org, week, "accepted")
    rollups.roll_up(org.desk, week)
    handoff(org, week, "rejected")
    rollups.roll_up(org.desk, week)
    stored = {r.person_id: r.figures for r in SdrWeeklyRollup.objects.filter(week="2026-W47")}
    assert set(stored) == {org.alice.pk, org.bob.pk}
    assert stored[org.alice.pk]["handoffs_created"] == 2
    assert stored[org.alice.pk]["handoff_to_opportunity_ratio"] == 0.5
    assert stored[org.bob.pk]["handoff_to_opportunity_ratio"] is None
