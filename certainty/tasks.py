"""Celery tasks of the certainty score: thin adapters around certainty.domain, run by beat
under a lock (a second beat's run waits its turn or does nothing twice)."""

import logging

from celery import shared_task

from sdr_ops import locks
from sdr_ops.models import Team

from . import domain

log = logging.getLogger(__name__)


@shared_task(name="certainty.train_all")
@locks.exclusive("certainty.train_all")
def train_all() -> dict[str, str]:
    """Retrains every SDR team's model (weekly); each keeps every version it trains."""
    done = {}
    for team in Team.objects.filter(kind=Team.Kind.SDR).order_by("pk"):
        version = domain.train_team(team)
        done[team.slug] = (
            "prior"
            if version is None
            else f"v{version.number} {'in use' if version.active else 'kept'}"
        )
        log.info("certainty model of %s: %s", team.slug, done[team.slug])
    return done


@shared_task(name="certainty.score_all")
@locks.exclusive("certainty.score_all")
def score_all() -> int:
    """Stores the score of every open lead of every SDR team for the call lists (nightly)."""
    return sum(domain.store_scores(team) for team in Team.objects.filter(kind=Team.Kind.SDR))
