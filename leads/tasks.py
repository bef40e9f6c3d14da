"""Celery tasks of leads: thin adapters around the call-list build."""

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from sdr_ops.models import Team

from . import calllists

log = logging.getLogger(__name__)


@shared_task(name="leads.build_team_call_lists")
def build_team_call_lists(*, team_id: int, day: str) -> int:
    """Builds one team's lists for one day; re-running replaces them with the same result."""
    team = Team.objects.get(pk=team_id)
    build = calllists.build_call_lists(team, datetime.date.fromisoformat(day))
    log.info(
        "call lists of %s for %s: %s lists, %s entries", team.slug, day, build.lists, build.entries
    )
    return build.entries


@shared_task(name="leads.build_due_call_lists")
def build_due_call_lists() -> list[str]:
    """Queues the build of every team whose evening build time has passed (run by beat)."""
    due = calllists.teams_due(timezone.now())
    for team, day in due:
        transaction.on_commit(
            lambda t=team, d=day: build_team_call_lists.delay(team_id=t.pk, day=d.isoformat())
        )
    return [f"{team.slug}:{day}" for team, day in due]
