"""Reads of the weekly figures, shared by the dashboards, their CSV and the weekly API."""

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
    return [stored.get(week.label) or kpis.compute_week(team, week.label) for week in weeks]


def per_sdr_figures(week: kpis.Week) -> dict[int, dict]:
    """Each SDR's figures of the week, keyed by person id: stored, else computed now."""
    stored = {
        r.person_id: r.figures
        for r in SdrWeeklyRollup.objects.filter(team=week.team, week=week.label)
    }
    return stored or kpis.per_sdr(week)
