"""Celery tasks of metrics: thin adapters around the rollup and its freshness."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from sdr_ops import locks
from sdr_ops.models import Team

from . import alerts, freshness, insight_mail, mail, rollups

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
    done = freshness.compute_missing(team, weeks) if team else 0
    log.info("computed %s missing weeks", done)
    return done


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
