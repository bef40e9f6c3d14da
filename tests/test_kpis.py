"""KPI definitions of kpi-definitions.md on small hand-made data (issue 6, first part)."""

import datetime
from decimal import Decimal

import pytest

from handoffs.models import Handoff, Opportunity
from leads.models import Activity
from metrics import kpis
from sdr_ops.models import Role, Team

from .factories import LeadFactory, StaffingFactory, UserFactory

D = datetime.date
LATER = D(2027, 6, 1)  # every cohort of 2026 has had its whole window by then


@pytest.fixture
def week(org):
    return kpis.Week.parse(org.desk, "2026-W47")  # Monday 2026-11-16 to Sunday 11-22


def at(week, day_offset, hour=10, minute=0):
    return week.start + datetime.timedelta(days=day_offset, hours=hour, minutes=minute)


def test_week_bounds_are_in_the_team_time_zone(week):
    assert (week.monday, week.end_date, week.label) == (
        D(2026, 11, 16),
        D(2026, 11, 22),
        "2026-W47",
    )
    assert week.start.utcoffset() == datetime.timedelta(hours=9)


def sdr(org, email, *records):
    person = UserFactory(email=email, role=Role.SDR)
    for team, start, end in records:
        StaffingFactory(person=person, team=team, role=Role.SDR, start_date=start, end_date=end)
    return person


def test_headcount_and_productive_headcount_with_ramp_moves_and_returns(org, week):
    sdr(org, "dan@example.com", (org.desk, D(2026, 11, 2), None))  # month 0: 0.0
    sdr(org, "eve@example.com", (org.desk, D(2026, 10, 10), None))  # month 1: 0.5
    # Moved from Growth Desk the day after leaving it: keeps tenure (month 10): 1.0
    sdr(
        org,
        "finn@example.com",
        (org.growth, D(2026, 1, 10), D(2026, 10, 31)),
        (org.desk, D(2026, 11, 1), None),
    )
    # Left and came back after a gap: ramps again from 10-15 (month 1): 0.5
    sdr(
        org,
        "gus@example.com",
        (org.desk, D(2025, 1, 1), D(2026, 9, 30)),
        (org.desk, D(2026, 10, 15), None),
    )
    # Left before the week's Sunday: not counted.
    sdr(org, "hal@example.com", (org.desk, D(2025, 1, 1), D(2026, 11, 21)))
    figures = kpis.people(week)
    # alice and bob (400 days in): 1.0 each
    assert figures == {"headcount": 6, "productive_headcount": 4.0}


def test_ramp_factors_are_the_teams(org, week):
    Team.objects.filter(pk=org.desk.pk).update(ramp_factors=[0.2, 0.6, 0.9])
    week.team.refresh_from_db()
    sdr(org, "dan@example.com", (org.desk, D(2026, 11, 2), None))
    assert kpis.people(week)["productive_headcount"] == pytest.approx(2.2)


def test_calls_connects_and_emails_belong_to_the_team_on_the_day(org, week):
    lead = LeadFactory(owner=org.alice)
    for minute, outcome in ((0, "connected"), (1, "no_answer"), (2, "busy")):
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="call",
            outcome=outcome,
            started_at=at(week, 0, minute=minute),
        )
    Activity.objects.create(
        lead=lead,
        sdr=org.alice,
        type="email",
        outcome="sent",
        started_at=at(week, 6, hour=23, minute=59),
    )
    Activity.objects.create(
        lead=lead, sdr=org.alice, type="call", outcome="connected", started_at=at(week, 7, hour=0)
    )  # next Monday
    Activity.objects.create(
        lead=lead, sdr=org.carol, type="call", outcome="connected", started_at=at(week, 1)
    )  # another team's SDR
    assert kpis.activities(week) == {"calls": 3, "connects": 1, "emails": 1}


def test_speed_to_lead_median_and_untouched(org, week):
    for hours in (2, 6):
        lead = LeadFactory(owner=org.alice, source="inbound", created_at=at(week, 1))
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="call",
            outcome="no_answer",
            started_at=at(week, 1) + datetime.timedelta(hours=hours),
        )
    LeadFactory(owner=org.alice, source="inbound", created_at=at(week, 2))
    LeadFactory(owner=org.alice, source="outbound", created_at=at(week, 2))
    assert kpis.speed_to_lead(week) == {"speed_to_lead_median_hours": 4.0, "inbound_untouched": 1}


def test_speed_to_lead_is_null_without_inbound_leads(org, week):
    assert kpis.speed_to_lead(week)["speed_to_lead_median_hours"] is None


def handoff(org, week, status, *, day=1, sdr=None):
    h = Handoff.objects.create(
        lead=LeadFactory(owner=sdr or org.alice),
        sdr=sdr or org.alice,
        ae=org.aaron,
        certainty="A",
        created_at=at(week, day),
        status=status,
        decided_at=None if status == "pending" else at(week, day, hour=15),
        rejection_reason="no_need" if status == "rejected" else "",
    )
    return h


def test_handoff_ratio_and_status(org, week):
    for status in ("accepted", "accepted", "accepted", "rejected", "pending"):
        handoff(org, week, status)
    handoff(org, week, "rejected", sdr=org.carol)  # another team
    handoff(org, week, "rejected", day=8)  # next week
    assert kpis.handoff_ratio(week) == {
        "handoffs_created": 5,
        "handoffs_accepted": 3,
        "handoffs_rejected": 1,
        "handoffs_pending": 1,
        "handoff_to_opportunity_ratio": 0.75,
        "dead_ratio": 0.25,
        "ratio_status": "in_band",
    }


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        (None, "no_data"),
        (0.5, "wasted_visits"),
        (0.51, "below_band"),
        (0.7, "in_band"),
        (0.8, "in_band"),
        (0.81, "above_band"),
        (0.9, "too_narrow"),
        (1.0, "too_narrow"),
    ],
)
def test_ratio_status_at_every_boundary(ratio, status):
    assert kpis.ratio_status(ratio, Team()) == status


def test_amounts_and_drift(org, week):
    for created, won in (("100", "90"), ("200", "260")):
        h = handoff(org, week.shifted(-3), "accepted")
        Opportunity.objects.create(
            handoff=h,
            amount_at_creation=Decimal(created),
            status="won",
            amount_at_close=Decimal(won),
            closed_at=at(week, 2),
        )
    h = handoff(org, week.shifted(-3), "accepted")
    Opportunity.objects.create(
        handoff=h, amount_at_creation=50, status="lost", amount_at_close=0, closed_at=at(week, 2)
    )
    assert kpis.amounts(week) == {
        "opportunities_won": 2,
        "amount_at_creation_won": 300,
        "amount_won": 350,
        "amount_drift": 50,
        "amount_drift_pct": 0.1667,
        "median_drift_pct": 0.1,
    }


def test_amounts_without_a_cohort_have_null_percentages(org, week):
    figures = kpis.amounts(week)
    assert figures["opportunities_won"] == 0
    assert figures["amount_drift_pct"] is None and figures["median_drift_pct"] is None


def test_pipeline_expects_pending_times_the_recent_ratio(org, week):
    for status in ("accepted", "rejected"):
        h = handoff(org, week.shifted(-1), status)
        if status == "accepted":
            Opportunity.objects.create(
                handoff=h, amount_at_creation=1000, created_at=at(week.shifted(-1), 1, hour=15)
            )
    handoff(org, week, "pending")
    handoff(org, week, "pending")
    figures = kpis.pipeline(week)
    assert figures == {
        "pending_handoffs": 2,
        "expected_opportunities": 1.0,
        "expected_amount": 1000.0,
    }


def journey(
    org, week, *, created_day, touched=None, connected=None, handed=None, accepted=False, won=False
):
    lead = LeadFactory(owner=org.alice, created_at=at(week, created_day, hour=9))
    if touched is not None:
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="call",
            outcome="no_answer",
            started_at=at(week, touched, hour=10),
        )
    if connected is not None:
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="call",
            outcome="connected",
            started_at=at(week, connected, hour=11),
        )
    if handed is not None:
        h = Handoff.objects.create(
            lead=lead,
            sdr=org.alice,
            ae=org.aaron,
            certainty="A",
            created_at=at(week, handed, hour=12),
            status="accepted" if accepted else "pending",
            decided_at=at(week, handed, hour=16) if accepted else None,
        )
        if accepted:
            Opportunity.objects.create(
                handoff=h,
                amount_at_creation=10,
                created_at=at(week, handed, hour=16),
                status="won" if won else "open",
                amount_at_close=12 if won else None,
                closed_at=at(week, handed + 1) if won else None,
            )
    return lead


def test_stage_conversion_and_the_bottleneck_without_history(org, week):
    journey(org, week, created_day=0, touched=0, connected=1, handed=2, accepted=True, won=True)
    journey(org, week, created_day=1, touched=1)
    journey(org, week, created_day=2)
    figures = kpis.stages(week, today=LATER)  # every cohort mature
    rates = {
        (s["from"], s["to"]): (s["entered"], s["converted"], s["rate"])
        for s in figures["stage_conversion"]
    }
    assert rates[("new", "working")] == (3, 2, 0.6667)
    assert rates[("working", "connected")] == (2, 1, 0.5)
    assert rates[("connected", "handed_off")] == (1, 1, 1.0)
    assert rates[("handed_off", "opportunity")] == (1, 1, 1.0)
    assert rates[("opportunity", "won")] == (1, 1, 1.0)
    assert figures["bottleneck"] == {"from": "working", "to": "connected"}


def test_the_bottleneck_is_judged_against_each_transitions_own_history(org, week):
    before = week.shifted(-1)
    journey(org, before, created_day=0, touched=0)  # new->working 1.0, working->connected 0
    journey(org, week, created_day=0, touched=0, connected=1)
    journey(org, week, created_day=1, touched=1)
    journey(org, week, created_day=2)
    # new->working fell from 1.0 to 0.67; working->connected rose from 0 to 0.5.
    assert kpis.stages(week, today=LATER)["bottleneck"] == {"from": "new", "to": "working"}


def test_no_data_no_bottleneck(org, week):
    figures = kpis.stages(week)
    assert figures["bottleneck"] is None
    assert all(s["rate"] is None for s in figures["stage_conversion"])


def test_the_whole_object_has_exactly_the_keys_of_the_definition(org, week):
    figures = kpis.compute_week(org.desk, "2026-W47")
    assert list(figures) == [
        "team",
        "week",
        "week_start",
        "week_end",
        "headcount",
        "productive_headcount",
        "calls",
        "connects",
        "emails",
        "speed_to_lead_median_hours",
        "inbound_untouched",
        "handoffs_created",
        "handoffs_accepted",
        "handoffs_rejected",
        "handoffs_pending",
        "handoff_to_opportunity_ratio",
        "dead_ratio",
        "ratio_status",
        "opportunities_won",
        "amount_at_creation_won",
        "amount_won",
        "amount_drift",
        "amount_drift_pct",
        "median_drift_pct",
        "stage_conversion",
        "bottleneck",
        "pending_handoffs",
        "expected_opportunities",
        "expected_amount",
    ]
    assert figures["team"] == "enterprise-desk" and figures["week_end"] == "2026-11-22"


def test_the_command_prints_the_json_object(org, capsys):
    import json

    from django.core.management import CommandError, call_command

    call_command("kpis", "--team", "enterprise-desk", "--week", "2026-W47", "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["week"] == "2026-W47" and figures["headcount"] == 2
    with pytest.raises(CommandError, match="2026-W47"):
        call_command("kpis", "--team", "enterprise-desk", "--week", "last", "--json")
    with pytest.raises(CommandError, match="No team"):
        call_command("kpis", "--team", "nope", "--week", "2026-W47")


@pytest.mark.parametrize(
    ("persona", "team", "status"),
    [
        ("mia", "enterprise-desk", 200),
        ("mia", "growth-desk", 404),
        ("otto", "growth-desk", 200),
        ("stella", "growth-desk", 200),
        ("root", "enterprise-desk", 200),
        ("alice", "enterprise-desk", 404),
        ("aaron", "enterprise-desk", 404),
    ],
)
def test_the_api_is_for_managers_stakeholders_and_admins(client, org, persona, team, status):
    client.force_login(getattr(org, persona))
    response = client.get("/api/v1/kpis/weekly/", {"team": team, "week": "2026-W47"})
    assert response.status_code == status
    if status == 200:
        assert response.json()["team"] == team


def test_the_api_returns_a_range_and_explains_bad_weeks(client, org):
    client.force_login(org.stella)
    weeks = client.get(
        "/api/v1/kpis/weekly/", {"team": "enterprise-desk", "from": "2026-W45", "to": "2026-W47"}
    ).json()
    assert [w["week"] for w in weeks] == ["2026-W45", "2026-W46", "2026-W47"]
    bad = client.get("/api/v1/kpis/weekly/", {"team": "enterprise-desk", "week": "soon"})
    assert bad.status_code == 400 and "2026-W47" in str(bad.json())
    backwards = client.get(
        "/api/v1/kpis/weekly/", {"team": "enterprise-desk", "from": "2026-W47", "to": "2026-W45"}
    )
    assert backwards.status_code == 400


def test_rollups_store_the_same_object_and_a_rerun_replaces_it(org, week, capsys):
    from django.core.management import call_command

    from metrics.models import WeeklyRollup
    from metrics.tasks import roll_up_last_week

    handoff(org, week, "accepted")
    call_command("rollup_kpis", "--week", "2026-W47")
    stored = WeeklyRollup.objects.get(team=org.desk, week="2026-W47")
    assert stored.figures == kpis.compute_week(org.desk, "2026-W47")
    handoff(org, week, "rejected")
    call_command("rollup_kpis", "--week", "2026-W47")
    stored = WeeklyRollup.objects.get(team=org.desk, week="2026-W47")
    assert stored.figures["handoffs_created"] == 2
    assert WeeklyRollup.objects.filter(week="2026-W47").count() == 2  # both SDR teams
    call_command("rollup_kpis", "--since", "2026-W40", "--team", "growth-desk")
    assert WeeklyRollup.objects.filter(team=org.growth).count() >= 8
    assert roll_up_last_week.apply().get() == 2


def test_the_api_serves_the_stored_rollup_when_there_is_one(client, org, week):
    from metrics.models import WeeklyRollup

    WeeklyRollup.objects.create(
        team=org.desk,
        week="2026-W47",
        week_start=week.monday,
        figures={"team": "enterprise-desk", "stored": True},
    )
    client.force_login(org.mia)
    body = client.get(
        "/api/v1/kpis/weekly/", {"team": "enterprise-desk", "week": "2026-W47"}
    ).json()
    # The stored figures, saying when they were computed and that no recomputation is due.
    assert body == {
        "team": "enterprise-desk",
        "stored": True,
        "computed_at": WeeklyRollup.objects.get().computed_at.isoformat(),
        "being_computed": False,
    }
