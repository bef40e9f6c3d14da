"""Celery tasks of metrics: thin adapters around the rollup and its freshness."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from sdr_ops import locks
from sdr_ops.models import Team

from . import alerts, freshness, insight_mail, mail, rollups
from .models import WeeklyRollup

log = logging.getLogger(__name__)


@shared_task(name="metrics.roll_up_last_week")
@locks.exclusive("metrics.roll_up_last_week")
def roll_up_last_week() -> int:
    """Early Monday: store last week's KPIs of every SDR team (in each team's time zone);
    re-running replaces the same rows. Decisions made later mark the week again
    (metrics.freshness), so its pending handoffs never freeze its ratio."""
    written = 0
    now = timezone.now()
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        week = rollups.last_week(team, now)
        rollups.roll_up(team, week)
        log.info("rolled up %s %s", team.slug, week.label)
        written += 1
    return written


@shared_task(name="metrics.recompute_marked")
@locks.exclusive("metrics.recompute_marked")
def recompute_marked() -> int:
    """On commit of a change (and every minute): recomputes the stored weeks it marked, and
    those whose cohorts have matured since they were stored."""
    freshness.mark_matured()
    done = freshness.recompute_marked()
    if done:
        log.info("recomputed %s marked weeks", done)
    return done


@shared_task(name="metrics.compute_missing")
def compute_missing(*, team_id: int, weeks: list[str]) -> int:
    """A page or the API found weeks never computed: computes and stores them."""
    team = Team.objects.filter(pk=team_id, kind=Team.Kind.SDR).first()
    return freshness.compute_missing(team, weeks) if team else 0


@shared_task(name="metrics.recompute_rollups")
def recompute_rollups(*, team_ids: list[int] | None = None) -> int:
    """After a history import: computes again every stored week of the teams (all SDR teams
    when None), whose figures the imported rows may have changed; a re-run gives the same."""
    teams = Team.objects.filter(kind=Team.Kind.SDR)
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    written = 0
    for team in teams:
        labels = list(WeeklyRollup.objects.filter(team=team).values_list("week", flat=True))
        written += rollups.store_weeks(team, labels) if labels else 0
    log.info("recomputed %s stored weeks", written)
    return written


@shared_task(name="metrics.send_weekly_mail")
@locks.exclusive("metrics.send_weekly_mail")
def send_weekly_mail(*, now: str | None = None) -> int:
    """Run by beat every 15 minutes: the Monday e-mail of each team whose Monday e-mail time
    has passed (team time zone), and the market-insight digest from 08:00, once per person
    and week; returns how many were sent. `now` (ISO) stands in for the clock in tests."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    return mail.send_due(moment) + insight_mail.send_due(moment)


@shared_task(name="metrics.check_alerts")
@locks.exclusive("metrics.check_alerts")
def check_alerts(*, now: str | None = None) -> int:
    """Run by beat every 15 minutes: the alert rules on every SDR team; each occurrence tells
    the managers once (metrics/alerts.py). `now` (ISO) stands in for the clock in tests."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    return alerts.check(moment)
