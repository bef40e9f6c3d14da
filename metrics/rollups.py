"""The weekly rollup: last week's KPIs of every SDR team, and of each of its SDRs for
reference, stored so dashboards and the API read them without recomputing. A re-run replaces
the same week's rows."""

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


@transaction.atomic
def roll_up(team: Team, week: kpis.Week) -> WeeklyRollup:
    """Computes and stores one team-week, replacing an earlier row of the same week."""
    figures = kpis.compute_week(team, week.label)
    now = timezone.now()
    rollup, _created = WeeklyRollup.objects.update_or_create(
        team=team,
        week=week.label,
        defaults={"week_start": week.monday, "figures": figures, "computed_at": now},
    )
    SdrWeeklyRollup.objects.filter(team=team, week=week.label).delete()
    SdrWeeklyRollup.objects.bulk_create(
        SdrWeeklyRollup(
            team=team, person_id=person, week=week.label, figures=values, computed_at=now
        )
        for person, values in kpis.per_sdr(week).items()
    )
    return rollup


def roll_up_weeks(labels: list[str], teams=None) -> int:
    """Rolls up the given ISO weeks for the SDR teams (all by default); returns rows written."""
    teams = list(teams or Team.objects.filter(kind=Team.Kind.SDR))
    written = 0
    for team in teams:
        for label in labels:
            roll_up(team, kpis.Week.parse(team, label))
            written += 1
    return written
