"""Reads of the weekly figures, shared by the dashboards, their CSV and the weekly API."""

from django.db.models import F, QuerySet

from handoffs.models import Opportunity
from sdr_ops.models import Team

from . import kpis
from .models import SdrWeeklyRollup, WeeklyRollup


def weekly_figures(team: Team, weeks: list[kpis.Week]) -> list[dict]:
    """Each week's figures in the order given, in one query for the stored ones: the rollup
    the Monday job (or rollup_kpis) stored, else computed now from the data. Nothing is
    stored here: a read never writes, so a missing week costs its computation on each read
    until a rollup stores it."""
    stored = dict(
        WeeklyRollup.objects.filter(team=team, week__in=[w.label for w in weeks]).values_list(
            "week", "figures"
        )
    )
    missing = [week.label for week in weeks if not stored.get(week.label)]
    computed = kpis.compute_weeks(team, missing) if missing else {}
    return [stored.get(week.label) or computed[week.label] for week in weeks]


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
