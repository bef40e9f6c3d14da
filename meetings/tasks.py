"""Celery tasks of meetings: thin adapters that deliver what a booking, move or cancel
decided, after the commit. Safe to re-run: a calendar write replaces by UID, and a repeated
invitation is the same REQUEST or CANCEL again, which calendar programs apply once."""

import logging

from celery import shared_task

from . import domain

log = logging.getLogger(__name__)


@shared_task(
    name="meetings.deliver",
    autoretry_for=(domain.calendars.CalendarError, OSError),
    retry_backoff=30,
    max_retries=5,
)
def deliver(*, meeting_id: int, method: str) -> int:
    """Sends the invitation (REQUEST or CANCEL) and writes the AE's CalDAV calendar."""
    sent = domain.deliver(meeting_id, method=method)
    log.info("meeting %s: %s sent to %s", meeting_id, method, sent)
    return sent
