"""The dashboards' qualification evidence and largest drifts read from the stored weeks equal
the same tables computed from the rows, and both equal a reference written here from
kpi-definitions.md in plain Python, on randomised data: weeks stored, stored before they
carried the tables, never stored, and touched by a change since they were stored (which must
not be read as the data as it stands)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs.models import Handoff, Opportunity
from metrics import kpis, queries, rollups
from metrics.models import WeeklyRollup
from metrics.views import WEEKS

from .factories import LeadFactory

STATES = ["confirmed", "not_disclosed", "not_asked", "unknown"]


def last_full_week(team) -> kpis.Week:
    today = timezone.localdate(timezone=team.zone)
    return kpis.Week(team, today - datetime.timedelta(days=today.weekday() + 7))


def random_checklist(rng: random.Random, items: list[str]) -> list[dict]:
    """The team's items (some left out, one unknown to the team), in any order, each with a
    state; at most two entries more than the team's list, as a snapshot holds."""
    entries = [
        {"item": item, "status": rng.choice(STATES)} for item in items if rng.random() < 0.85
    ]
    if rng.random() < 0.3:
        entries.append({"item": "an_item_since_removed", "status": rng.choice(STATES)})
    rng.shuffle(entries)
    return entries


def amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(100_000, 90_000_000)) / 100


def seed(org, rng: random.Random, weeks: list[kpis.Week], count: int) -> None:
    """`count` handoffs over the weeks and the week after (by the desk's SDRs and by one of
    another team), decided at random, the accepted ones with a deal won, lost or open."""
    items = list(org.desk.qualification_items)
    span = (weeks[-1].stop - weeks[0].start) + datetime.timedelta(days=7)
    for _ in range(count):
        sdr = rng.choice([org.alice, org.bob, org.carol])
        created = weeks[0].start + datetime.timedelta(
            seconds=rng.randrange(int(span.total_seconds()))
        )
        status = rng.choice(["accepted", "accepted", "rejected", "pending"])
        handoff = Handoff.objects.create(
            lead=LeadFactory(owner=sdr),
            sdr=sdr,
            ae=org.aaron,
            certainty="A",
            created_at=created,
            status=status,
            decided_at=None if status == "pending" else created + datetime.timedelta(hours=5),
            rejection_reason="no_need" if status == "rejected" else "",
            checklist=random_checklist(rng, items),
        )
        if status == "accepted":
            outcome = rng.choice(["won", "won", "won", "lost", "open"])
            closed = created + datetime.timedelta(days=rng.randrange(1, 40))
            Opportunity.objects.create(
                handoff=handoff,
                amount_at_creation=amount(rng),
                amount_at_close=None if outcome == "open" else amount(rng),
                status=outcome,
                created_at=created + datetime.timedelta(hours=6),
                closed_at=None if outcome == "open" else closed,
            )


def reference_evidence(team, first: kpis.Week, last: kpis.Week) -> list[dict]:
    """kpi-definitions.md's evidence from the rows, in Python: the team's handoffs (their SDR
    on the team on the handoff's day) made in the weeks, by each item's state where the
    snapshot names it."""
    items = list(team.qualification_items)
    totals = {
        (item, state): [0, 0, 0, None, None] for item in items for state in kpis.EVIDENCE_STATES
    }
    for handoff in Handoff.objects.filter(created_at__gte=first.start, created_at__lt=last.stop):
        day = handoff.created_at.astimezone(team.zone).date()
        on_team = handoff.sdr.staffing_records.filter(
            team=team, role="sdr", start_date__lte=day
        ).exclude(end_date__lt=day)
        if not on_team.exists():
            continue
        opportunity = Opportunity.objects.filter(handoff=handoff, status="won").first()
        for item in items:
            state = next((e["status"] for e in handoff.checklist if e["item"] == item), None)
            total = totals.get((item, state))
            if total is None:
                continue
            total[0] += 1
            total[1] += handoff.status == "accepted"
            total[2] += handoff.status == "rejected"
            if opportunity:
                total[3] = (total[3] or 0) + opportunity.amount_at_creation
                total[4] = (total[4] or 0) + opportunity.amount_at_close
    return [
        {
            "item": item,
            "state": state,
            "handoffs": n,
            "accepted": a,
            "rejected": r,
            "acceptance": round(a / (a + r), 4) if a + r else None,
            "drift_pct": round(float((w - c) / c), 4) if c else None,
        }
        for (item, state), (n, a, r, c, w) in totals.items()
    ]


def reference_drifts(team, first: kpis.Week, last: kpis.Week) -> list[int]:
    """The ten deals won by the team's handoffs, closed in the weeks, whose amount fell most."""
    won = []
    for deal in Opportunity.objects.filter(
        status="won", closed_at__gte=first.start, closed_at__lt=last.stop
    ):
        day = deal.handoff.created_at.astimezone(team.zone).date()
        records = deal.handoff.sdr.staffing_records.filter(team=team, role="sdr")
        if records.filter(start_date__lte=day).exclude(end_date__lt=day).exists():
            won.append((deal.amount_at_close - deal.amount_at_creation, deal.pk))
    return [pk for _drift, pk in sorted(won)[:10]]


def both(team, weeks):
    stored = queries.stored_weeks(team, weeks)
    evidence = queries.qualification_evidence(team, weeks, stored)
    drifts = [deal.pk for deal in queries.largest_drifts(team, weeks, stored)]
    return evidence, drifts


def assert_all_agree(team, weeks):
    first, last = weeks[0], weeks[-1]
    evidence, drifts = both(team, weeks)
    assert (
        evidence
        == kpis.qualification_evidence(first, last)
        == reference_evidence(team, first, last)
    )
    direct = [deal.pk for deal in kpis.won_by_drift(first, last)[: kpis.LARGEST_DRIFTS]]
    assert drifts == direct == reference_drifts(team, first, last)


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_the_tables_from_the_stored_weeks_equal_the_rows(org, monkeypatch, seed_value):
    from metrics import freshness

    monkeypatch.setattr(freshness, "ask_for", lambda team, labels: None)
    rng = random.Random(seed_value)
    last = last_full_week(org.desk)
    weeks = [last.shifted(-back) for back in range(WEEKS - 1, -1, -1)]
    seed(org, rng, weeks, 70)
    assert_all_agree(org.desk, weeks)  # nothing stored: every week from the rows
    rollups.store_weeks(org.desk, [w.label for w in weeks])
    assert_all_agree(org.desk, weeks)  # every week stored and current
    rows = WeeklyRollup.objects.filter(team=org.desk)
    assert not rows.filter(marked_at__isnull=False).exists()
    assert not rows.filter(evidence__isnull=True).exists()
    # Some weeks never stored, some stored before they carried the tables.
    labels = [w.label for w in rng.sample(weeks, 3)]
    rows.filter(week__in=labels[:2]).delete()
    rows.filter(week=labels[2]).update(evidence=None, largest_drifts=None)
    assert_all_agree(org.desk, weeks)
    # Changes after the weeks were stored: decisions, a deal won, a checklist edited. Their
    # weeks are marked, and read from the rows until they are recomputed.
    for handoff in rng.sample(list(Handoff.objects.filter(status="pending")), 3):
        handoff.status, handoff.decided_at = "rejected", handoff.created_at
        handoff.rejection_reason = "no_need"
        handoff.save(update_fields=["status", "decided_at", "rejection_reason"])
    for deal in Opportunity.objects.filter(status="open")[:2]:
        deal.status, deal.closed_at = "won", deal.created_at + datetime.timedelta(days=1)
        deal.amount_at_close = deal.amount_at_creation / 3
        deal.save(update_fields=["status", "closed_at", "amount_at_close"])
    edited = Handoff.objects.order_by("?").first()
    edited.checklist = random_checklist(rng, list(org.desk.qualification_items))
    edited.save(update_fields=["checklist"])
    assert rows.filter(marked_at__isnull=False).exists()
    assert_all_agree(org.desk, weeks)
    # The background recomputation: every week current again, the same tables.
    from metrics.freshness import recompute_marked

    recompute_marked()
    assert not rows.filter(marked_at__isnull=False).exists()
    assert_all_agree(org.desk, weeks)


def test_a_changed_checklist_is_not_read_from_weeks_counted_with_the_old_one(org):
    last = last_full_week(org.desk)
    weeks = [last.shifted(-back) for back in range(WEEKS - 1, -1, -1)]
    seed(org, random.Random(7), weeks, 20)
    rollups.store_weeks(org.desk, [w.label for w in weeks])
    # Changed where no signal marks the weeks (an update of the row): the stored counts name
    # the old checklist, so the weeks are counted from the rows.
    type(org.desk).objects.filter(pk=org.desk.pk).update(qualification_items=["budget", "timing"])
    org.desk.refresh_from_db()
    evidence, _drifts = both(org.desk, weeks)
    assert {row["item"] for row in evidence} == {"budget", "timing"}
    assert evidence == reference_evidence(org.desk, weeks[0], last)
    # Saved as a team's settings are, the change marks every stored week for recomputation.
    org.desk.qualification_items = ["budget"]
    org.desk.save()
    assert not WeeklyRollup.objects.filter(team=org.desk, marked_at__isnull=True).exists()


def test_the_page_shows_the_tables_from_the_stored_weeks(client, org):
    last = last_full_week(org.desk)
    weeks = [last.shifted(-back) for back in range(WEEKS - 1, -1, -1)]
    seed(org, random.Random(11), weeks, 40)
    rollups.store_weeks(org.desk, [w.label for w in weeks])
    client.force_login(org.mia)
    response = client.get(reverse("dashboards"))
    shown = [
        {k: v for k, v in row.items() if not k.endswith("_label")}
        for row in response.context["evidence"]
    ]
    assert shown == reference_evidence(org.desk, weeks[0], last)
    assert [deal.pk for deal in response.context["drifts"]] == reference_drifts(
        org.desk, weeks[0], last
    )


def test_the_history_uploads_recomputation_fills_what_the_weeks_carry(client, org):
    from metrics.freshness import recompute_marked

    from .test_history_upload import post, team_files

    week = kpis.Week.parse(org.desk, "2026-W40")  # the imported handoff's
    rollups.roll_up(org.desk, week)
    WeeklyRollup.objects.filter(team=org.desk).update(evidence=None, largest_drifts=None)
    client.force_login(org.mia)
    post(client, team_files())
    recompute_marked()  # what the upload queued
    row = WeeklyRollup.objects.get(team=org.desk, week=week.label)
    assert row.marked_at is None
    assert row.evidence == kpis.evidence_by_week(org.desk, [week])[week.label]
    assert row.largest_drifts == kpis.largest_drift_ids([week])[week.label]
    assert row.evidence["items"] == list(org.desk.qualification_items)
