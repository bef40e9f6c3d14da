"""Stored weeks that a change has made stale. Until a background recomputation replaces
them, a stale week is dropped, so that reads compute it from the data as it stands
(queries.weekly_figures) instead of serving the figure of the old settings."""

import datetime

from sdr_ops import calendar
from sdr_ops.models import Team

from .models import SdrWeeklyRollup, WeeklyRollup


def forget_weeks(team: Team, fields: list[str], since: datetime.date | None) -> None:
    """Registered as sdr_ops.hooks.on_team_settings_changed: drops the team's stored weeks
    from the week of `since` on (all of them when None)."""
    rollups = WeeklyRollup.objects.filter(team=team)
    if since is not None:
        rollups = rollups.filter(week_start__gte=calendar.monday_of(since))
    weeks = list(rollups.values_list("week", flat=True))
    rollups.delete()
    SdrWeeklyRollup.objects.filter(team=team, week__in=weeks).delete()
