"""Celery tasks of leads: thin adapters around the call-list build."""

import datetime
import logging
from collections import defaultdict

from celery import shared_task
from django.utils import timezone

from sdr_ops import locks
from sdr_ops.models import Team
from sdr_ops.outbox import enqueue_on_commit

from . import importer
from .domain import calllists, tasks
from .models import CallListBuild

log = logging.getLogger(__name__)


@shared_task(name="leads.build_call_lists")
def build_day_lists(*, team_ids: list[int], day: str, nightly: bool = False) -> int:
    """Builds the teams' lists for one day in one statement; a re-run replaces them with the
    same result. The nightly build (`nightly`) skips the teams built already, under a lock per
    day, so two beats queueing the same build build each team-day once."""
    date = datetime.date.fromisoformat(day)
    with locks.held(f"leads.build_call_lists:{day}", wait=nightly):
        teams = Team.objects.filter(pk__in=team_ids).order_by("pk")
        if nightly:
            teams = teams.exclude(pk__in=CallListBuild.objects.filter(day=date).values("team"))
        teams = list(teams)
        if nightly and teams:
            _before_build(teams, date)
        builds = calllists.build_many(teams, date) if teams else {}
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


def _before_build(teams: list[Team], day: datetime.date) -> None:
    for hook in calllists.before_nightly_build:
        try:
            hook(teams, day)
        except Exception:  # noqa: BLE001 - the lists are built whatever a hook does
            log.exception("before the nightly build of %s: %s failed", day, hook.__name__)


@shared_task(name="leads.build_due_call_lists")
@locks.exclusive("leads.build_due_call_lists")
def build_due_call_lists() -> list[str]:
    """Queues the build of every team whose evening build time has passed (run by beat);
    teams due for the same day are built together."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for team, day in calllists.teams_due(timezone.now()):
        by_day[day].append(team.pk)
    for day, team_ids in by_day.items():
        enqueue_on_commit(build_day_lists, team_ids=team_ids, day=day.isoformat(), nightly=True)
    return [f"{day}:{','.join(map(str, ids))}" for day, ids in by_day.items()]


@shared_task(name="leads.run_import_job")
def run_import_job(*, job_id: int) -> str | None:
    """Runs a large lead import queued from the upload page; safe to re-run (a job finished
    is not run twice)."""
    job = importer.run_job(job_id)
    return job.state if job else None


@shared_task(name="leads.remind_callbacks")
@locks.exclusive("leads.remind_callbacks")
def remind_callbacks() -> int:
    """Reminds SDRs of the callbacks that fell due (run by beat each minute); once per
    callback, however often it runs."""
    return tasks.remind_due_callbacks()
