"""Alerts to the team's managers, in the app and by e-mail, once per occurrence (issue 15)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail as outbox

from handoffs.models import Handoff
from metrics import alerts, kpis
from metrics.models import Alert
from sdr_ops.models import Notification

from .factories import CapacityFactory, LeadFactory
from .test_kpis import at, handoff

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture
def week(org):
    return kpis.Week.parse(org.desk, "2026-W47")


def figures(ratio, status, bottleneck=None):
    return {
        "handoff_to_opportunity_ratio": ratio,
        "ratio_status": status,
        "bottleneck": bottleneck,
    }


@pytest.mark.parametrize(
    ("ratio", "status", "raised"),
    [
        (None, "no_data", False),
        (0.4, "wasted_visits", True),
        (0.6, "below_band", True),
        (0.7, "in_band", False),
        (0.8, "in_band", False),
        (0.85, "above_band", True),
        (0.95, "too_narrow", True),
    ],
)
def test_the_ratio_leaving_the_band_either_side(org, week, ratio, status, raised):
    found = alerts.out_of_band(org.desk, week, figures(ratio, status))
    assert bool(found) is raised
    if raised:
        assert found[0].key == "2026-W47" and found[0].params["ratio"] == f"{ratio:.2f}"


def test_the_bottleneck_moving_to_a_new_step(org, week):
    a = {"from": "working", "to": "connected"}
    b = {"from": "handed_off", "to": "opportunity"}
    assert alerts.bottleneck_moved(org.desk, week, figures(1, "x", a), figures(1, "x", a)) == []
    assert alerts.bottleneck_moved(org.desk, week, figures(1, "x", None), figures(1, "x", b)) == []
    assert alerts.bottleneck_moved(org.desk, week, figures(1, "x", a), figures(1, "x", None)) == []
    moved = alerts.bottleneck_moved(org.desk, week, figures(1, "x", a), figures(1, "x", b))
    assert len(moved) == 1 and moved[0].params["new_from"] == "~Handed off"


def with_checklist(org, week, sdr, states, day=1):
    h = handoff(org, week, "pending", sdr=sdr, day=day)
    h.checklist = [{"item": item, "status": status} for item, status in states.items()]
    h.save()
    return h


def test_an_item_not_asked_on_every_handoff_two_weeks_running(org, week):
    before = week.shifted(-1)
    never_budget = {"budget": "not_asked", "need": "confirmed", "timing": "not_asked"}
    for w in (before, week):
        with_checklist(org, w, org.alice, never_budget)
        with_checklist(org, w, org.alice, never_budget | {"timing": "confirmed"}, day=2)
        with_checklist(org, w, org.carol, never_budget)  # another team's SDR
    # bob asked once in the second week: no alert for him.
    with_checklist(org, before, org.bob, never_budget)
    with_checklist(org, week, org.bob, never_budget | {"budget": "not_disclosed", "timing": "ok"})
    found = alerts.not_asked(org.desk, before, week)
    assert [(o.key, o.params["item"]) for o in found] == [
        (f"{org.alice.pk}:budget:2026-W47", "~Budget")
    ]


def test_not_asked_needs_handoffs_in_both_weeks(org, week):
    with_checklist(org, week, org.alice, {"budget": "not_asked"})
    assert alerts.not_asked(org.desk, week.shifted(-1), week) == []


def test_an_ae_full_for_five_working_days(org):
    # aaron carries 1 and has 1 pending since Monday 2026-11-16: full every day from then on.
    CapacityFactory(ae=org.aaron, normal=1)
    CapacityFactory(ae=org.ada, normal=1)
    Handoff.objects.create(
        lead=LeadFactory(owner=org.alice),
        sdr=org.alice,
        ae=org.aaron,
        certainty="A",
        created_at=datetime.datetime(2026, 11, 16, 10, tzinfo=SEOUL),
    )
    # ada's pending handoff came on Tuesday 11-17 and was decided on Monday 11-23:
    Handoff.objects.create(
        lead=LeadFactory(owner=org.alice),
        sdr=org.alice,
        ae=org.ada,
        certainty="A",
        created_at=datetime.datetime(2026, 11, 17, 10, tzinfo=SEOUL),
        status="rejected",
        decided_at=datetime.datetime(2026, 11, 23, 10, tzinfo=SEOUL),
        rejection_reason="no_need",
    )
    assert alerts.ae_full(org.desk, datetime.date(2026, 11, 20)) == []  # Mon-Thu: four days
    found = alerts.ae_full(org.desk, datetime.date(2026, 11, 21))  # Mon-Fri: five
    assert [(o.key, o.params["days"]) for o in found] == [(f"{org.aaron.pk}:2026-11-16", 5)]
    # Still full a week later: the same occurrence (same first day), and ada's four days none.
    later = alerts.ae_full(org.desk, datetime.date(2026, 11, 28))
    assert [o.key for o in later] == [f"{org.aaron.pk}:2026-11-16"]


def test_a_capacity_reduced_to_nothing_is_full(org):
    CapacityFactory(ae=org.aaron, normal=5)
    org.aaron.capacity_reductions.create(
        capacity=0, start_date=datetime.date(2026, 11, 16), reason="holiday"
    )
    found = alerts.ae_full(org.desk, datetime.date(2026, 11, 21))
    assert [o.key for o in found] == [f"{org.aaron.pk}:2026-11-16"]


def test_an_occurrence_tells_the_managers_once_in_their_language(org, week):
    org.mia.language = "ko"
    org.mia.save()
    occurrence = alerts.out_of_band(org.desk, week, figures(0.6, "below_band"))[0]
    assert alerts.raise_once(org.desk, occurrence) is True
    assert alerts.raise_once(org.desk, occurrence) is False
    assert Alert.objects.count() == 1
    notes = Notification.objects.filter(user=org.mia)
    assert notes.count() == 1 and "2026-W47" in notes.get().text
    assert notes.get().url.startswith("/dashboards/rows/handoffs/?team=enterprise-desk")
    assert not Notification.objects.filter(user=org.otto).exists()
    assert [m.to for m in outbox.outbox] == [["mia@example.com"]]
    assert "밴드" in outbox.outbox[0].subject
    assert "/dashboards/rows/handoffs/" in outbox.outbox[0].body


def test_check_runs_every_rule_and_raises_each_once(org, week):
    for status in ("accepted", "rejected", "rejected"):
        handoff(org, week, status)
    monday = at(week.shifted(1), 0, hour=9)
    first = alerts.check(monday)
    assert first >= 1
    assert Alert.objects.filter(team=org.desk, kind="band", key="2026-W47").exists()
    assert alerts.check(monday + datetime.timedelta(minutes=15)) == 0
    assert Decimal(org.desk.ratio_band_low) == Decimal("0.70")
