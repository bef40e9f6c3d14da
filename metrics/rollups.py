"""The weekly rollup: the KPIs of every SDR team week by week, and of each of its SDRs for
reference, stored so dashboards and the API read them without recomputing. A re-run replaces
the same week's rows. A stored week is a cache: `metrics.freshness` marks the weeks a change
touches and recomputes them here in the background."""

import datetime

from django.db import transaction
from django.utils import timezone

from sdr_ops import calendar
from sdr_ops.models import Team

from . import kpis
from .models import SdrWeeklyRollup, WeeklyRollup


def last_week(team: Team, now: datetime.datetime) -> kpis.Week:
    """The team's last complete week at `now`, in the team's time zone."""
    return kpis.Week(team, calendar.previous_monday(now.astimezone(team.zone).date()))


def roll_up(team: Team, week: kpis.Week) -> WeeklyRollup:
    """Computes and stores one team-week, replacing an earlier row of the same week."""
    store_weeks(team, [week.label])
    return WeeklyRollup.objects.get(team=team, week=week.label)


def store_weeks(
    team: Team, labels: list[str], *, computed_at: datetime.datetime | None = None
) -> int:
    """Computes the team's weeks together (kpis.compute_weeks) and stores them, replacing the
    rows of the same weeks, with what the dashboards' tables take from each week (the
    qualification evidence's counts, the largest drifts). A week marked after `computed_at`
    (a change committed while it was being computed) stays marked, for the next
    recomputation. Returns the weeks stored."""
    now = computed_at or timezone.now()
    figures = kpis.compute_weeks(team, labels)
    weeks = [kpis.Week.parse(team, label) for label in figures]
    evidence = kpis.evidence_by_week(team, weeks)
    drifts = kpis.largest_drift_ids(weeks)
    with transaction.atomic():
        for week, (label, values) in zip(weeks, figures.items(), strict=True):
            WeeklyRollup.objects.update_or_create(
                team=team,
                week=label,
                defaults={
                    "week_start": week.monday,
                    "figures": values,
                    "computed_at": now,
                    "evidence": evidence[label],
                    "largest_drifts": drifts[label],
                },
            )
            WeeklyRollup.objects.filter(team=team, week=label, marked_at__lte=now).update(
                marked_at=None
            )
            SdrWeeklyRollup.objects.filter(team=team, week=label).delete()
            SdrWeeklyRollup.objects.bulk_create(
                SdrWeeklyRollup(
                    team=team, person_id=person, week=label, figures=values, computed_at=now
                )
                for person, values in kpis.per_sdr(week).items()
            )
    return len(figures)


def roll_up_weeks(labels: list[str], teams=None) -> int:
    """Rolls up the given ISO weeks for the SDR teams (all by default); returns rows written."""
    teams = list(teams or Team.objects.filter(kind=Team.Kind.SDR))
    return sum(store_weeks(team, labels) for team in teams)
