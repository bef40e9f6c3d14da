"""Handing off with evidence, the valve, and deciding once (domain rules)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from handoffs import domain, valve
from handoffs.models import Capacity, CapacityReduction, Handoff, Opportunity
from leads.models import QualificationAnswer, Segment, StageChange
from sdr_ops.models import Team

from .factories import LeadFactory

ITEMS = ["budget", "approval_process", "need", "timing"]


def qualified(lead, **overrides):
    """Answers every checklist item of the lead."""
    for item in ITEMS:
        values = {"status": "confirmed", "answer": f"{item} confirmed"}
        values.update(overrides.get(item, {}))
        QualificationAnswer.objects.update_or_create(lead=lead, item=item, defaults=values)
    return lead


@pytest.fixture
def lead(org):
    return qualified(LeadFactory(owner=org.alice, stage="connected"))


def hand(lead, org, *, to=None, certainty="A", **kw):
    return domain.hand_off(
        lead,
        by=kw.pop("by", org.alice),
        to_ae=to or org.aaron,
        certainty=certainty,
        comment=kw.pop("comment", "Real problem: X"),
        **kw,
    )


def load(ae, n, org):
    """Gives the AE n open opportunities."""
    for _ in range(n):
        h = Handoff.objects.create(
            lead=LeadFactory(owner=org.bob),
            sdr=org.bob,
            ae=ae,
            certainty="A",
            status="accepted",
            decided_at=timezone.now(),
        )
        Opportunity.objects.create(handoff=h, amount_at_creation=Decimal("1000"))


# -- the valve ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utilisation", "allowed"),
    [
        (0.0, ("A", "B", "C")),
        (0.49, ("A", "B", "C")),
        (0.5, ("A", "B")),
        (0.79, ("A", "B")),
        (0.8, ("A",)),
        (0.99, ("A",)),
        (1.0, ()),
        (1.5, ()),
        (None, ()),
    ],
)
def test_certainty_required_at_every_boundary(utilisation, allowed):
    assert valve.allowed_certainties(utilisation, Team()) == allowed


def test_thresholds_are_team_settings():
    team = Team(
        valve_full_at=Decimal("0.90"),
        valve_a_only_at=Decimal("0.60"),
        valve_a_or_b_at=Decimal("0.30"),
    )
    assert valve.allowed_certainties(0.3, team) == ("A", "B")
    assert valve.allowed_certainties(0.6, team) == ("A",)
    assert valve.allowed_certainties(0.9, team) == ()


def test_load_is_open_opportunities_plus_pending_handoffs(org, django_assert_num_queries):
    load(org.aaron, 3, org)
    Handoff.objects.create(
        lead=LeadFactory(owner=org.bob), sdr=org.bob, ae=org.aaron, certainty="B"
    )
    closed = Handoff.objects.create(
        lead=LeadFactory(owner=org.bob),
        sdr=org.bob,
        ae=org.aaron,
        certainty="A",
        status="accepted",
        decided_at=timezone.now(),
    )
    Opportunity.objects.create(
        handoff=closed,
        amount_at_creation=1,
        status="won",
        amount_at_close=1,
        closed_at=timezone.now(),
    )
    # 1 the AEs with capacity and load, 2 their working hours (is a week of meetings full)
    with django_assert_num_queries(2):
        states = {s.ae: s for s in valve.ae_states(timezone.localdate(), org.desk)}
    aaron = states[org.aaron]
    assert (aaron.open_opportunities, aaron.pending, aaron.load) == (3, 1, 4)
    assert (aaron.capacity, aaron.room, aaron.allowed) == (10, 6, ("A", "B", "C"))


def test_dated_reductions_set_the_capacity_while_they_last(org):
    Capacity.objects.create(ae=org.aaron, normal=10)
    today = timezone.localdate()
    CapacityReduction.objects.create(
        ae=org.aaron,
        capacity=0,
        start_date=today,
        end_date=today + datetime.timedelta(days=5),
        reason="Leave",
    )
    CapacityReduction.objects.create(
        ae=org.aaron, capacity=5, start_date=today, reason="Firefighting"
    )

    def state(day):
        return next(s for s in valve.ae_states(day, org.desk) if s.ae == org.aaron)

    assert state(today).capacity == 0 and state(today).full
    assert state(today + datetime.timedelta(days=6)).capacity == 5
    assert state(today - datetime.timedelta(days=1)).capacity == 10


def test_routing_suggests_most_room_then_round_robin_respecting_segments(org):
    Capacity.objects.create(ae=org.ada, normal=10, segment=Segment.ENTERPRISE)
    today = timezone.localdate()
    states = valve.ae_states(today, org.desk)
    # Equal room: the one who never received a handoff goes first, then round robin.
    first = valve.suggest(states, "B", Segment.ENTERPRISE)
    Handoff.objects.create(
        lead=LeadFactory(owner=org.bob),
        sdr=org.bob,
        ae=first.ae,
        certainty="B",
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason="no_need",
    )
    second = valve.suggest(valve.ae_states(today, org.desk), "B", Segment.ENTERPRISE)
    assert {first.ae, second.ae} == {org.aaron, org.ada}
    # ada covers enterprise only.
    assert valve.suggest(states, "B", Segment.SMB).ae == org.aaron
    load(org.aaron, 9, org)
    assert valve.suggest(valve.ae_states(today, org.desk), "B", Segment.SMB) is None


# -- handing off -------------------------------------------------------------------------


def test_a_handoff_carries_a_frozen_snapshot_and_moves_the_lead(org, lead):
    handoff = hand(lead, org)
    assert [row["status"] for row in handoff.checklist] == ["confirmed"] * 4
    lead.refresh_from_db()
    assert lead.stage == "handed_off"
    assert StageChange.objects.filter(lead=lead, to_stage="handed_off", by=org.alice).exists()
    QualificationAnswer.objects.filter(lead=lead).update(status="not_asked", reason="later")
    handoff.refresh_from_db()
    assert handoff.checklist[0]["answer"] == "budget confirmed"


def test_unknown_items_block_the_handoff_and_are_named(org):
    lead = qualified(
        LeadFactory(owner=org.alice, stage="connected"), timing={"status": "unknown", "answer": ""}
    )
    QualificationAnswer.objects.filter(lead=lead, item="need").delete()
    with pytest.raises(ValidationError) as info:
        hand(lead, org)
    assert "Still unknown: Need, Timing" in str(info.value)
    assert not Handoff.objects.exists()


def test_a_full_ae_is_refused_with_a_clear_message_unless_a_manager_overrides(org, lead):
    Capacity.objects.create(ae=org.aaron, normal=2)
    load(org.aaron, 2, org)
    with pytest.raises(ValidationError, match="is full \\(2 of 2\\)"):
        hand(lead, org)
    handoff = hand(lead, org, by=org.mia, override_reason="Strategic account, Aaron agreed")
    assert handoff.overridden_by == org.mia
    assert handoff.override_reason == "Strategic account, Aaron agreed"


def test_a_loaded_ae_takes_only_high_certainty(org, lead):
    load(org.aaron, 8, org)
    with pytest.raises(ValidationError, match="takes only certainty A now"):
        hand(lead, org, certainty="B")
    assert hand(lead, org, certainty="A").certainty == "A"


def test_an_sdr_cannot_override_or_hand_off_anothers_lead(org, lead):
    Capacity.objects.create(ae=org.aaron, normal=0)
    with pytest.raises(ValidationError, match="is full"):
        hand(lead, org, override_reason="please")
    with pytest.raises(PermissionDenied):
        hand(lead, org, by=org.bob, to=org.ada)


def test_a_pending_lead_cannot_be_handed_off_twice(org, lead):
    hand(lead, org)
    lead.refresh_from_db()
    with pytest.raises(ValidationError):
        hand(lead, org, to=org.ada)


# -- deciding ----------------------------------------------------------------------------


def test_accept_creates_the_opportunity_with_its_amount(org, lead):
    handoff = hand(lead, org)
    opportunity = domain.accept(handoff.pk, by=org.aaron, amount=Decimal("45000000"))
    assert opportunity.amount_at_creation == Decimal("45000000")
    lead.refresh_from_db()
    assert lead.stage == "opportunity"
    with pytest.raises(domain.AlreadyDecided):
        domain.accept(handoff.pk, by=org.aaron, amount=Decimal("1"))
    with pytest.raises(domain.AlreadyDecided):
        domain.reject(handoff.pk, by=org.aaron, reason="no_need")


@pytest.mark.parametrize(("reason", "stage"), [("bad_timing", "nurture"), ("no_need", "working")])
def test_reject_sends_the_lead_back(org, lead, reason, stage):
    handoff = hand(lead, org)
    domain.reject(handoff.pk, by=org.aaron, reason=reason)
    lead.refresh_from_db()
    assert lead.stage == stage
    handoff.refresh_from_db()
    assert (handoff.status, handoff.rejection_reason) == ("rejected", reason)


def test_forbidden_decisions(org, lead):
    handoff = hand(lead, org)
    with pytest.raises(ValidationError, match="reason"):
        domain.reject(handoff.pk, by=org.aaron, reason="")
    with pytest.raises(ValidationError, match="what was missing"):
        domain.reject(handoff.pk, by=org.aaron, reason="insufficient_qualification")
    with pytest.raises(ValidationError, match="amount"):
        domain.accept(handoff.pk, by=org.aaron, amount=Decimal("0"))
    with pytest.raises(PermissionDenied):
        domain.accept(handoff.pk, by=org.ada, amount=Decimal("10"))
    handoff.refresh_from_db()
    assert handoff.status == "pending"


@pytest.mark.django_db(transaction=True)
def test_two_aes_deciding_at_the_same_moment_one_wins(org):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    handoff = hand(lead, org)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action):
        try:
            barrier.wait(timeout=10)
            if action == "accept":
                domain.accept(handoff.pk, by=org.aaron, amount=Decimal("100"))
            else:
                domain.reject(handoff.pk, by=org.aaron, reason="no_need")
            outcomes.append(action)
        except domain.AlreadyDecided:
            outcomes.append("already decided")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("accept", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) in (["accept", "already decided"], ["already decided", "reject"])
    handoff.refresh_from_db()
    assert handoff.decided_at is not None
    assert Opportunity.objects.filter(handoff=handoff).count() == (
        1 if handoff.status == "accepted" else 0
    )
    assert StageChange.objects.filter(lead=lead, from_stage="handed_off").count() == 1


def test_history_counts_the_load_at_each_week_end(org):
    from django.utils import timezone as tz

    today = datetime.date(2026, 11, 27)  # a Friday; the last week end is Sunday 11-22
    zone = org.desk.zone

    def at(day):
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=zone)

    lead = LeadFactory(owner=org.bob)
    handoff = Handoff.objects.create(
        lead=lead,
        sdr=org.bob,
        ae=org.aaron,
        certainty="A",
        created_at=at(datetime.date(2026, 11, 3)),
        status="accepted",
        decided_at=at(datetime.date(2026, 11, 4)),
    )
    Opportunity.objects.create(
        handoff=handoff,
        amount_at_creation=1,
        created_at=at(datetime.date(2026, 11, 4)),
        status="won",
        amount_at_close=1,
        closed_at=at(datetime.date(2026, 11, 18)),
    )
    Handoff.objects.create(
        lead=LeadFactory(owner=org.bob),
        sdr=org.bob,
        ae=org.aaron,
        certainty="B",
        created_at=at(datetime.date(2026, 11, 20)),
    )
    CapacityReduction.objects.create(
        ae=org.aaron,
        capacity=0,
        start_date=datetime.date(2026, 11, 9),
        end_date=datetime.date(2026, 11, 15),
        reason="Leave",
    )
    states = valve.ae_states(tz.localdate(), org.desk)
    weeks, rows = valve.history(states, org.desk, today, weeks=4)
    assert weeks == [datetime.date(2026, 11, d) for d in (1, 8, 15, 22)]
    aaron = {s.ae: cells for s, cells in rows}[org.aaron]
    assert [c.load for c in aaron] == [0, 1, 1, 1]  # open deal, then a pending handoff
    assert [c.capacity for c in aaron] == [10, 10, 0, 10]
    assert aaron[2].full and aaron[1].allowed == ("A", "B", "C")


def test_a_handed_off_lead_leaves_todays_and_later_call_lists(org, lead):
    from leads.domain import calllists
    from leads.models import CallListEntry

    today = org.desk.local_today()
    later = calllists.next_working_day(today)
    calllists.build_call_lists(org.desk, today)
    calllists.build_call_lists(org.desk, later)
    assert CallListEntry.objects.filter(lead=lead).count() == 2
    hand(lead, org)
    entries = CallListEntry.objects.filter(lead=lead)
    assert [(e.call_list.day, e.status) for e in entries] == [(today, "skipped")]
    assert entries[0].skip_reason == f"Handed off to {org.aaron}"


def test_a_rejected_handoff_cannot_be_accepted(org, lead):
    handoff = hand(lead, org)
    domain.reject(handoff.pk, by=org.aaron, reason="duplicate")
    with pytest.raises(domain.AlreadyDecided):
        domain.accept(handoff.pk, by=org.aaron, amount=Decimal("5"))
    assert not Opportunity.objects.exists()
