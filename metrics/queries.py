"""Reads of the weekly figures, shared by the dashboards, their CSV and the weekly API."""

from django.db.models import F, QuerySet

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


def weekly_figures(team: Team, weeks: list[kpis.Week]) -> list[dict]:
    """Each week's figures in the order given, as stored (one query), with `computed_at`
    (when they were computed, ISO 8601; null when never) and `being_computed` (true while a
    recomputation is due: the week was never computed, or a change touched it since).

    Nothing is computed or written here. Weeks never computed are asked of a worker
    (metrics.freshness.ask_for) and served with null figures until it has stored them."""
    stored = {
        row.week: row
        for row in WeeklyRollup.objects.filter(team=team, week__in=[w.label for w in weeks])
    }
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


def per_sdr_figures(week: kpis.Week) -> dict[int, dict]:
    """Each SDR's figures of the week, keyed by person id: stored, else computed now."""
    stored = {
        r.person_id: r.figures
        for r in SdrWeeklyRollup.objects.filter(team=week.team, week=week.label)
    }
    return stored or kpis.per_sdr(week)


def largest_drifts(first: kpis.Week, last: kpis.Week) -> QuerySet[Opportunity]:
    """The ten won deals of the team's handoffs closed in the weeks whose amount fell most
    from creation to close."""
    return (
        Opportunity.objects.filter(
            status=Opportunity.Status.WON,
            closed_at__gte=first.start,
            closed_at__lt=last.stop,
            handoff__in=kpis.team_handoffs(last).values("pk"),
        )
        .select_related("handoff__lead__account", "handoff__sdr", "handoff__ae")
        .annotate(drift=F("amount_at_close") - F("amount_at_creation"))
        .order_by("drift", "pk")[:10]
    )
