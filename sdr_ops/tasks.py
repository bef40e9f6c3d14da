"""Celery tasks of the organisation package."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="sdr_ops.ping")
def ping(*, payload: str = "pong") -> str:
    """Answers with its payload; proves a message travels through the broker to a worker."""
    log.info("ping %s", payload)
    return payload


# The outbox's sweep is a task of this package too; importing it here registers it.
from .outbox import drain_outbox  # noqa: E402, F401


@shared_task(name="sdr_ops.compact_change_marks")
def compact_change_marks() -> int:
    """Folds each team's data-version marks into one row (sdr_ops.changes)."""
    from . import changes

    return changes.compact()
