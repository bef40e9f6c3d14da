"""Celery tasks of leads: thin adapters around the call-list build."""

import datetime
import logging
from collections import defaultdict

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from sdr_ops.models import Team

from .domain import calllists

log = logging.getLogger(__name__)


@shared_task(name="leads.build_call_lists")
def build_day_lists(*, team_ids: list[int], day: str) -> int:
    """Builds the teams' lists for one day in one statement; a re-run replaces them with the
    same result."""
    teams = list(Team.objects.filter(pk__in=team_ids).order_by("pk"))
    builds = calllists.build_many(teams, datetime.date.fromisoformat(day))
    for team in teams:
        build = builds[team.pk]
        log.info(
            "call lists of %s for %s: %s lists, %s entries",
            team.slug,
            day,
            build.lists,
            build.entries,
        )
    return sum(build.entries for build in builds.values())


@shared_task(name="leads.build_due_call_lists")
def build_due_call_lists() -> list[str]:
    """Queues the build of every team whose evening build time has passed (run by beat);
    teams due for the same day are built together."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for team, day in calllists.teams_due(timezone.now()):
        by_day[day].append(team.pk)
    for day, team_ids in by_day.items():
        transaction.on_commit(
            lambda ids=team_ids, d=day: build_day_lists.delay(team_ids=ids, day=d.isoformat())
        )
    return [f"{day}:{','.join(map(str, ids))}" for day, ids in by_day.items()]
