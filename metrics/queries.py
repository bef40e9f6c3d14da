"""Reads of the weekly figures, shared by the dashboards, their CSV and the weekly API."""

from django.db.models import F, Q, QuerySet

from handoffs.models import Opportunity
from sdr_ops.models import Team

from . import freshness, kpis
from .models import SdrWeeklyRollup, WeeklyRollup

# Every key of a week's object (kpi-definitions.md, "The JSON shape"), for a week not computed
# yet: its figures are null until a worker has computed them.
FIGURE_KEYS = [
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


def not_computed(week: kpis.Week) -> dict:
    """The object of a week never computed: its identity, every figure null."""
    return {
        "team": week.team.slug,
        "week": week.label,
        "week_start": week.monday.isoformat(),
        "week_end": week.end_date.isoformat(),
        **dict.fromkeys(FIGURE_KEYS),
        "stage_conversion": [],
    }


def stored_weeks(team: Team, weeks: list[kpis.Week]) -> dict[str, WeeklyRollup]:
    """The team's stored rows of these weeks, keyed by label (one query)."""
    return {
        row.week: row
        for row in WeeklyRollup.objects.filter(team=team, week__in=[w.label for w in weeks])
    }


def weekly_figures(
    team: Team, weeks: list[kpis.Week], stored: dict[str, WeeklyRollup] | None = None
) -> list[dict]:
    """Each week's figures in the order given, as stored (one query, none when `stored`, the
    rows stored_weeks read, is given), with `computed_at` (when they were computed, ISO
    8601; null when never) and `being_computed` (true while a recomputation is due: the week
    was never computed, or a change touched it since).

    Nothing is computed or written here. Weeks never computed are asked of a worker
    (metrics.freshness.ask_for) and served with null figures until it has stored them."""
    if stored is None:
        stored = stored_weeks(team, weeks)
    served, missing = [], []
    for week in weeks:
        row = stored.get(week.label)
        if row is None or not row.figures:
            missing.append(week.label)
            served.append({**not_computed(week), "computed_at": None, "being_computed": True})
        else:
            served.append(
                {
                    **row.figures,
                    "computed_at": row.computed_at.isoformat(),
                    "being_computed": row.marked_at is not None,
                }
            )
    if missing:
        freshness.ask_for(team, missing)
    return served


def _current(row: WeeklyRollup | None) -> bool:
    """The stored week is the data as it stands: computed, and touched by no change since
    (metrics.freshness marks the weeks a change touches until they are recomputed)."""
    return row is not None and bool(row.figures) and row.marked_at is None


def qualification_evidence(
    team: Team, weeks: list[kpis.Week], stored: dict[str, WeeklyRollup]
) -> list[dict]:
    """kpis.qualification_evidence over the weeks (consecutive, oldest first), summed from
    the counts each stored week carries where the week is current and was counted with the
    team's checklist as it is now; the other weeks (never stored, touched since, or stored
    before weeks carried the counts) are counted from the rows in one query. The same
    figures either way (tests/test_dashboard_rollups.py)."""
    items = list(team.qualification_items)
    counts, due = [], []
    for week in weeks:
        row = stored.get(week.label)
        if _current(row) and row.evidence and row.evidence.get("items") == items:
            counts.append(row.evidence)
        else:
            due.append(week)
    if due:
        counts += kpis.evidence_by_week(team, due).values()
    return kpis.evidence_table(items, counts)


def largest_drifts(
    team: Team, weeks: list[kpis.Week], stored: dict[str, WeeklyRollup]
) -> QuerySet[Opportunity]:
    """The ten won deals of the team's handoffs closed in the weeks (consecutive, oldest
    first) whose amount fell most from creation to close: among the ten each current stored
    week keeps, and every deal of the other weeks. The same deals as kpis.won_by_drift over
    the span (tests/test_dashboard_rollups.py)."""
    first, last = weeks[0], weeks[-1]
    kept: list[int] = []
    chosen = Q()
    for week in weeks:
        row = stored.get(week.label)
        if _current(row) and row.largest_drifts is not None:
            kept += row.largest_drifts
        else:
            chosen |= Q(closed_at__gte=week.start, closed_at__lt=week.stop)
    deals = Opportunity.objects.filter(
        status=Opportunity.Status.WON, closed_at__gte=first.start, closed_at__lt=last.stop
    )
    if chosen:
        deals = deals.filter(
            Q(pk__in=kept) | (chosen & Q(handoff__in=kpis.team_handoffs(last).values("pk")))
        )
    else:
        deals = deals.filter(pk__in=kept)
    return (
        deals.select_related("handoff__lead__account", "handoff__sdr", "handoff__ae")
        .annotate(drift=F("amount_at_close") - F("amount_at_creation"))
        .order_by("drift", "pk")[: kpis.LARGEST_DRIFTS]
    )


def per_sdr_figures(week: kpis.Week) -> dict[int, dict]:
    """Each SDR's figures of the week, keyed by person id: stored, else computed now."""
    stored = {
        r.person_id: r.figures
        for r in SdrWeeklyRollup.objects.filter(team=week.team, week=week.label)
    }
    return stored or kpis.per_sdr(week)
