"""Figures that follow the data (kpi-definitions.md, "Freshness"): a change marks the stored
weeks it touches, a worker recomputes them on commit, and the API and the page serve the new
figures saying when they were computed. No GET writes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoffs import domain as handoff_domain
from metrics import freshness, history, kpis, rollups, tasks
from metrics.models import WeeklyRollup
from sdr_ops.models import OutboxMessage, Role, StaffingRecord, Team

from .factories import UserFactory
from .test_kpis import handoff

API = "/api/v1/kpis/weekly/"


def last_full_week(team):
    today = timezone.localdate(timezone=team.zone)
    return kpis.Week(team, today - datetime.timedelta(days=today.weekday() + 7))


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Reads ask a worker for weeks never computed; here nobody listens."""
    monkeypatch.setattr(freshness, "ask_for", lambda team, labels: None)


def served(client, team, week) -> dict:
    return client.get(API, {"team": team.slug, "week": week.label}).json()


def page(client, team, week) -> str:
    return client.get(
        reverse("dashboards"), {"team": team.slug, "week": week.label}
    ).content.decode()


def the_worker_runs():
    assert OutboxMessage.objects.filter(task="metrics.recompute_marked").exists()
    return tasks.recompute_marked.apply().get()


def test_a_late_decision_changes_the_week_the_monday_job_stored(client, org):
    # The Monday job stores last week with its handoff pending; the AE decides on Tuesday.
    week = last_full_week(org.desk)
    pending = handoff(org, week, "pending")
    assert tasks.roll_up_last_week.apply().get() == 2
    client.force_login(org.mia)
    before = served(client, org.desk, week)
    assert (before["handoffs_pending"], before["being_computed"]) == (1, False)
    handoff_domain.accept(pending.pk, by=org.aaron, amount=Decimal("1000"))
    marked = served(client, org.desk, week)
    assert marked["being_computed"] is True and marked["handoffs_pending"] == 1
    assert the_worker_runs() >= 1
    after = served(client, org.desk, week)
    assert (after["handoffs_accepted"], after["handoffs_pending"]) == (1, 0)
    assert after["being_computed"] is False and after["computed_at"] > before["computed_at"]
    assert "100 %" in page(client, org.desk, week)


def test_a_ramp_change_changes_every_stored_week(client, org):
    week = last_full_week(org.desk).shifted(-2)
    rollups.store_weeks(org.desk, [week.label])
    client.force_login(org.mia)
    assert served(client, org.desk, week)["productive_headcount"] == 2.0
    team = Team.objects.get(pk=org.desk.pk)
    team.ramp_factors = [0.0] * 24  # alice and bob are in their 14th month: now 0
    team.save()
    assert served(client, org.desk, week)["being_computed"] is True
    the_worker_runs()
    assert served(client, org.desk, week)["productive_headcount"] == 0.0
    assert "2 heads, 0.0 productive" in page(client, org.desk, week)


def test_a_staffing_edit_changes_the_weeks_from_its_date(client, org):
    week = last_full_week(org.desk).shifted(-1)
    earlier = week.shifted(-3)
    rollups.store_weeks(org.desk, [earlier.label, week.label])
    client.force_login(org.mia)
    assert served(client, org.desk, week)["headcount"] == 2
    record = StaffingRecord.objects.get(person=org.bob)
    record.end_date = week.monday  # bob left in that week
    record.save()
    assert served(client, org.desk, week)["being_computed"] is True
    assert served(client, org.desk, earlier)["being_computed"] is False  # before the edit
    the_worker_runs()
    assert served(client, org.desk, week)["headcount"] == 1
    assert served(client, org.desk, earlier)["headcount"] == 2
    assert "1 heads" in page(client, org.desk, week)


def test_a_second_import_changes_the_weeks_it_touches(client, org):
    from .test_import_history import files

    history.import_files(files())
    team = Team.objects.get(slug="history-desk")
    week = kpis.Week.parse(team, "2026-W40")  # the imported leads were created on 10-01
    rollups.store_weeks(team, [week.label])
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    new = served(client, team, week)["stage_conversion"][0]
    assert new["entered"] == 2
    more = "L3,Mina,Yu,my@gamma.test,,CTO,Gamma,smb,inbound,kim@hist.test,2026-09-30T09:00\n"
    from .test_import_history import LEADS

    history.import_files(files(**{"leads.csv": LEADS + more}))
    assert served(client, team, week)["being_computed"] is True
    the_worker_runs()
    new = served(client, team, week)["stage_conversion"][0]
    assert (new["entered"], new["converted"]) == (3, 2)


def test_marks_coalesce_and_a_mark_made_during_a_computation_stays(org):
    week = last_full_week(org.desk).shifted(-2)
    rollups.store_weeks(org.desk, [week.label])
    started = timezone.now()
    handoff(org, week, "rejected")
    handoff(org, week, "accepted")  # two changes, one mark
    assert WeeklyRollup.objects.filter(marked_at__isnull=False).count() == 1
    assert freshness.recompute_marked(now=started) == 0  # marked after that run began
    assert WeeklyRollup.objects.get().marked_at is not None
    assert freshness.recompute_marked() == 1
    stored = WeeklyRollup.objects.get()
    assert stored.marked_at is None and stored.figures["handoffs_created"] == 2


def test_a_week_is_marked_again_when_a_cohort_matures(org):
    week = last_full_week(org.desk)
    rollups.store_weeks(org.desk, [week.label])
    assert not WeeklyRollup.objects.get().figures["stage_conversion"][0]["mature"]
    assert freshness.mark_matured() == 0
    assert freshness.mark_matured(lambda team: week.end_date + datetime.timedelta(days=8)) == 1


WRITES = ("INSERT", "UPDATE", "DELETE")


def test_no_get_writes(client, org):
    week = last_full_week(org.desk)
    handoff(org, week, "pending")
    rollups.store_weeks(org.desk, [week.shifted(-1).label])  # some weeks stored, some not
    client.force_login(org.mia)
    client.get(reverse("dashboards"))  # the session settles
    gets = [
        (reverse("dashboards"), {}),
        (reverse("dashboards"), {"week": week.shifted(-20).label}),
        (reverse("dashboard-export", args=["weeks"]), {}),
        (reverse("dashboard-export", args=["funnel"]), {}),
        (API, {"team": org.desk.slug, "week": week.label}),
        (API, {"team": org.desk.slug, "from": week.shifted(-52).label, "to": week.label}),
    ]
    for path, params in gets:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, params).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == [], path
    assert WeeklyRollup.objects.count() == 1


def test_the_api_serves_53_weeks_at_most(client, org):
    week = last_full_week(org.desk)
    client.force_login(org.mia)
    ok = client.get(API, {"team": org.desk.slug, "from": week.shifted(-52).label, "to": week.label})
    assert ok.status_code == 200 and len(ok.json()) == 53
    assert all(w["being_computed"] and w["computed_at"] is None for w in ok.json())
    too_many = client.get(
        API, {"team": org.desk.slug, "from": week.shifted(-53).label, "to": week.label}
    )
    assert too_many.status_code == 400 and "53" in str(too_many.json())


def test_the_funnel_csv_carries_the_like_with_like_fields(client, org):
    week = last_full_week(org.desk)
    rollups.store_weeks(org.desk, [week.label])
    client.force_login(org.mia)
    body = client.get(reverse("dashboard-export", args=["funnel"])).content.decode()
    header = body.splitlines()[0]
    assert "Window (days)" in header and "Rate in window" in header and "Mature" in header
    assert f"{week.label},new->working,0,0,,7,0,,False" in body
