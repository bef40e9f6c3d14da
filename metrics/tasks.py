"""Celery tasks of metrics: thin adapters around the rollup."""

import logging

from celery import shared_task
from django.utils import timezone

from sdr_ops.models import Team

from . import rollups

log = logging.getLogger(__name__)


@shared_task(name="metrics.roll_up_last_week")
def roll_up_last_week() -> int:
    """Early Monday: store last week's KPIs of every SDR team (in each team's time zone);
    re-running replaces the same rows."""
    written = 0
    now = timezone.now()
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        week = rollups.last_week(team, now)
        rollups.roll_up(team, week)
        log.info("rolled up %s %s", team.slug, week.label)
        written += 1
    return written
