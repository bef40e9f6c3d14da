"""Celery tasks of cadences: thin adapters around the domain, each under a lock so two beats
never run the same job at once; every one is safe to run again."""

import logging

from celery import shared_task

from sdr_ops import locks

from . import domain, imap
from .models import Mailbox

log = logging.getLogger(__name__)


@shared_task(name="cadences.advance_due")
@locks.exclusive("cadences.advance_due")
def advance_due() -> dict:
    """Qualified exits, skipped and done steps, resumes, and every enrollment moved on."""
    counts = domain.advance_due()
    log.info("cadences advanced: %s", counts)
    return counts


@shared_task(name="cadences.send_due")
@locks.exclusive("cadences.send_due")
def send_due() -> dict:
    """Sends the e-mail steps due now, within the window and the caps."""
    counts = domain.send_due()
    log.info("cadence mail: %s", counts)
    return counts


@shared_task(name="cadences.poll_mailboxes")
@locks.exclusive("cadences.poll_mailboxes")
def poll_mailboxes() -> int:
    """Reads every connected mailbox once; one failing mailbox does not stop the others."""
    read = 0
    for mailbox in Mailbox.objects.select_related("team").exclude(password_token=""):
        try:
            counts = imap.poll(mailbox)
        except Exception:  # noqa: BLE001 - a server down or a password changed: log, go on
            log.exception("reading mailbox %s failed", mailbox.pk)
            continue
        read += sum(counts.values())
    return read
