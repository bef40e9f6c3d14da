"""Drill-down: each dashboard figure opens the rows behind it, and each list counts exactly what
its figure says (issue 15, "Drill-down")."""

import csv
import datetime
import io
import statistics

import pytest
from django.urls import reverse

from handoffs.models import Opportunity
from leads.models import Activity
from metrics import drilldown, kpis

from .factories import LeadFactory
from .test_kpis import at, handoff, journey, sdr

D = datetime.date


@pytest.fixture
def week(org):
    return kpis.Week.parse(org.desk, "2026-W47")


@pytest.fixture
def busy(org, week):
    """A week with a bit of everything, on the team and off it."""
    for status in ("accepted", "accepted", "accepted", "rejected", "pending"):
        handoff(org, week, status)
    handoff(org, week, "accepted", sdr=org.carol)  # another team's
    handoff(org, week.shifted(-1), "rejected")  # another week's
    handoff(org, week.shifted(-2), "pending")  # still in the pipeline
    journey(org, week, created_day=0, touched=0, connected=1, handed=2, accepted=True, won=True)
    journey(org, week, created_day=1, touched=1, connected=3)
    journey(org, week, created_day=2, touched=6)
    journey(org, week, created_day=3)
    LeadFactory(owner=org.carol, created_at=at(week, 1))
    # Won deals of the week: one from a handoff of an earlier week.
    old = handoff(org, week.shifted(-3), "accepted")
    Opportunity.objects.create(
        handoff=old,
        amount_at_creation=100,
        amount_at_close=80,
        status="won",
        created_at=at(week.shifted(-3), 1, hour=16),
        closed_at=at(week, 4),
    )
    # Inbound leads: two touched, one not, one outbound, one of another team.
    for hours in (2, 6):
        lead = LeadFactory(owner=org.alice, source="inbound", created_at=at(week, 1))
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="email",
            outcome="sent",
            started_at=at(week, 1) + datetime.timedelta(hours=hours),
        )
    LeadFactory(owner=org.bob, source="inbound", created_at=at(week, 2))
    LeadFactory(owner=org.alice, source="outbound", created_at=at(week, 2))
    LeadFactory(owner=org.carol, source="inbound", created_at=at(week, 2))
    # People: one in month 0, one moved in keeping tenure, one who left before Sunday.
    sdr(org, "dan@example.com", (org.desk, D(2026, 11, 2), None))
    sdr(
        org,
        "finn@example.com",
        (org.growth, D(2026, 1, 10), D(2026, 10, 31)),
        (org.desk, D(2026, 11, 1), None),
    )
    sdr(org, "hal@example.com", (org.desk, D(2025, 1, 1), D(2026, 11, 21)))
    return kpis.compute_week(org.desk, week.label)


def length(week, figure, part="", step="", **evidence):
    rows = drilldown.drill(week, figure, part, step, **evidence).rows
    return len(rows) if isinstance(rows, list) else rows.count()


@pytest.mark.parametrize(
    ("part", "key"),
    [
        ("created", "handoffs_created"),
        ("accepted", "handoffs_accepted"),
        ("rejected", "handoffs_rejected"),
        ("pending", "handoffs_pending"),
    ],
)
def test_the_handoffs_behind_the_ratio(busy, week, part, key):
    assert busy[key] > 0
    assert length(week, "handoffs", part) == busy[key]


def test_the_handoffs_behind_the_pipeline(busy, week):
    assert busy["pending_handoffs"] > busy["handoffs_pending"]  # an earlier week's too
    assert length(week, "pipeline") == busy["pending_handoffs"]


def test_the_handoffs_behind_each_line_of_the_qualification_evidence(org, week):
    states = ["confirmed", "not_asked", "not_disclosed"]
    for n, status in enumerate(["accepted", "rejected", "accepted", "pending", "accepted"]):
        h = handoff(org, week.shifted(-(n % 3)), status)
        h.checklist = [
            {"item": "need", "status": "confirmed"},
            {"item": "budget", "status": states[n % 3]},
        ][:: 1 if n % 2 else -1]  # the item found wherever it stands
        h.save()
    handoff(org, week.shifted(-12), "accepted")  # before the span
    first = week.shifted(-(drilldown.EVIDENCE_WEEKS - 1))
    lines = kpis.qualification_evidence(first, week)
    assert sum(r["handoffs"] for r in lines if r["item"] == "budget") == 5
    for r in lines:
        args = (week, "evidence")
        assert length(*args, "created", item=r["item"], state=r["state"]) == r["handoffs"]
        assert length(*args, "accepted", item=r["item"], state=r["state"]) == r["accepted"]
        assert length(*args, "rejected", item=r["item"], state=r["state"]) == r["rejected"]


@pytest.mark.parametrize(("source", "target"), drilldown.STEPS)
def test_the_leads_behind_each_funnel_step(busy, week, source, target):
    step = next(s for s in busy["stage_conversion"] if s["from"] == source)
    assert length(week, "funnel", "entered", source) == step["entered"]
    assert length(week, "funnel", "converted", source) == step["converted"]
    if "converted_in_window" in step:
        assert length(week, "funnel", "converted_in_window", source) == step["converted_in_window"]


def test_the_funnel_has_data_to_compare(busy):
    assert [s["entered"] for s in busy["stage_conversion"]][:3] == [8, 5, 2]


def test_converted_in_window_counts_to_the_minute(org, week):
    # working -> connected has a 14-day window: exactly 14 days in counts, a minute past not.
    lead_in = LeadFactory(owner=org.alice, created_at=at(week, 0, hour=8))
    lead_out = LeadFactory(owner=org.alice, created_at=at(week, 0, hour=8))
    for lead, extra in ((lead_in, 0), (lead_out, 1)):
        touched = at(week, 0, hour=9)
        Activity.objects.create(
            lead=lead, sdr=org.alice, type="call", outcome="no_answer", started_at=touched
        )
        Activity.objects.create(
            lead=lead,
            sdr=org.alice,
            type="call",
            outcome="connected",
            started_at=touched + datetime.timedelta(days=14, minutes=extra),
        )
    assert length(week, "funnel", "converted", "working") == 2
    assert length(week, "funnel", "converted_in_window", "working") == 1


def test_the_opportunities_behind_the_drift(busy, week):
    assert busy["opportunities_won"] == 2
    found = drilldown.drill(week, "won")
    assert found.rows.count() == busy["opportunities_won"]
    assert sum(o.drift for o in found.rows) == busy["amount_drift"]


def test_the_people_behind_headcount_with_their_ramp_factor_and_why(busy, week):
    found = drilldown.drill(week, "headcount")
    assert len(found.rows) == busy["headcount"] == 4
    assert found.total == busy["productive_headcount"]
    why = {c.record.person.email: (c.factor, c.why) for c in found.rows}
    assert why["dan@example.com"][0] == 0.0
    assert "month 0" in why["dan@example.com"][1]
    assert why["finn@example.com"][0] == 1.0
    assert "2026-01-10" in why["finn@example.com"][1]
    assert "hal@example.com" not in why


def test_the_inbound_leads_behind_speed_to_lead(busy, week):
    touched = drilldown.drill(week, "speed", "touched").rows
    untouched = drilldown.drill(week, "speed", "untouched").rows
    assert untouched.count() == busy["inbound_untouched"] > 0
    assert length(week, "speed", "inbound") == touched.count() + untouched.count()
    hours = [(r.first_touch - r.created_at).total_seconds() / 3600 for r in touched]
    assert round(statistics.median(hours), 4) == busy["speed_to_lead_median_hours"]


@pytest.mark.parametrize("part", ["calls", "connects", "emails"])
def test_the_activities_behind_the_counts(busy, week, part):
    assert length(week, "activities", part) == busy[part]


@pytest.mark.parametrize(
    ("figure", "part", "step"),
    [
        ("nope", "", ""),
        ("handoffs", "nope", ""),
        ("funnel", "entered", "won"),
        ("funnel", "", ""),
        ("evidence", "", ""),
    ],
)
def test_an_unknown_figure_part_or_step_is_404(client, org, figure, part, step):
    client.force_login(org.mia)
    query = {"part": part, "step": step, "week": "2026-W47"}
    assert client.get(reverse("dashboard-rows", args=[figure]), query).status_code == 404
    assert client.get(reverse("dashboard-rows-export", args=[figure]), query).status_code == 404


def test_another_teams_rows_are_404_for_a_manager(client, org):
    client.force_login(org.otto)
    url = reverse("dashboard-rows", args=["handoffs"])
    assert client.get(url, {"team": "enterprise-desk"}).status_code == 404
    assert client.get(url, {"team": "growth-desk"}).status_code == 200
    client.force_login(org.stella)
    assert client.get(url, {"team": "enterprise-desk"}).status_code == 200


def test_the_page_pages_and_the_csv_has_every_row(client, org, week, settings):
    for _ in range(53):
        handoff(org, week, "accepted")
    client.force_login(org.mia)
    url = reverse("dashboard-rows", args=["handoffs"])
    query = {"team": "enterprise-desk", "week": week.label, "part": "accepted"}
    first = client.get(url, query).content.decode()
    assert "53 rows" in first and "Page 1 of 2" in first
    assert first.count("<tr>") == 1 + 50
    second = client.get(url, query | {"page": "2"}).content.decode()
    assert second.count("<tr>") == 1 + 3
    response = client.get(reverse("dashboard-rows-export", args=["handoffs"]), query)
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(lines) == 1 + 53 and lines[0][0] == "Company"


def test_a_bad_week_never_gives_a_5xx(client, org):
    client.force_login(org.mia)
    for week in ("2026-W99", "0000-W01", "x" * 500, "9999-W52"):
        url = reverse("dashboard-rows", args=["handoffs"])
        assert client.get(url, {"week": week}).status_code == 200


@pytest.mark.parametrize(
    ("figure", "part", "step"),
    [
        ("handoffs", "created", ""),
        ("funnel", "converted_in_window", "working"),
        ("won", "", ""),
        ("pipeline", "", ""),
        ("evidence", "accepted", ""),
        ("headcount", "", ""),
        ("speed", "touched", ""),
        ("activities", "calls", ""),
    ],
)
@pytest.mark.parametrize("rows", [1, 8])
def test_query_counts_do_not_grow_with_rows(
    client, org, week, figure, part, step, rows, django_assert_max_num_queries
):
    for day in range(rows):
        journey(
            org, week, created_day=day % 7, touched=day % 7, connected=6, handed=6, accepted=True
        )
        sdr(org, f"new{day}@example.com", (org.desk, D(2026, 11, 2), None))
        LeadFactory(owner=org.alice, source="inbound", created_at=at(week, 1))
    client.force_login(org.mia)
    query = {"team": "enterprise-desk", "week": week.label, "part": part, "step": step}
    query |= {"item": "budget", "state": "not_asked"}  # the evidence's; the others ignore them
    # session, user and team, teams, count, the page's rows (the people: records and history)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("dashboard-rows", args=[figure]), query).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("dashboard-rows-export", args=[figure]), query).status_code == 200


def test_the_page_and_csv_speak_korean(client, org, week):
    handoff(org, week, "accepted")
    org.mia.language = "ko"
    org.mia.save()
    client.force_login(org.mia)
    query = {"week": week.label}
    html = client.get(reverse("dashboard-rows", args=["handoffs"]), query).content.decode()
    assert "이번 주에 만든 이관" in html
    response = client.get(reverse("dashboard-rows-export", args=["handoffs"]), query)
    assert response.content.decode().startswith("회사")
