"""Celery tasks of handoffs: thin adapters around the domain."""

import logging

from celery import shared_task
from django.utils import timezone

from sdr_ops import calendar, locks

from . import domain, queries
from .domain import digest

log = logging.getLogger(__name__)


@shared_task(name="handoffs.flag_overdue")
@locks.exclusive("handoffs.flag_overdue")
def flag_overdue() -> int:
    """Hourly: flag handoffs undecided past their team's response time (each once)."""
    flagged = domain.flag_overdue(timezone.now())
    log.info("flagged %s overdue handoffs", flagged)
    return flagged


@shared_task(name="handoffs.send_praise_digest")
@locks.exclusive("handoffs.send_praise_digest")
def send_praise_digest(*, week: str | None = None) -> int:
    """Monday morning: e-mail last week's praise to everyone, once."""
    monday = queries.parse_week(week, timezone.localdate())
    sent = digest.send_weekly(monday)
    log.info("praise digest %s sent to %s people", calendar.week_label(monday), sent)
    return sent
