"""Celery tasks of handoffs: thin adapters around the domain."""

import logging

from celery import shared_task
from django.utils import timezone

from . import domain

log = logging.getLogger(__name__)


@shared_task(name="handoffs.flag_overdue")
def flag_overdue() -> int:
    """Hourly: flag handoffs undecided past their team's response time (each once)."""
    flagged = domain.flag_overdue(timezone.now())
    log.info("flagged %s overdue handoffs", flagged)
    return flagged
