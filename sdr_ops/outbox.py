"""The transactional outbox: tasks are queued through a table, in the same transaction as
the change they follow.

``enqueue_on_commit(task, **kwargs)`` writes an ``OutboxMessage`` row and, once the
transaction commits, tries to send the task at once. When the broker is down the send fails
quietly (the request answers as usual) and the row stays unsent; ``drain`` (a worker at start
and beat every minute, under a lock) sends whatever is left once the broker is back. A task
may thus arrive twice (sent, then the process died before marking it), never zero times:
every task is written to be safe to run twice.
"""

import datetime
import logging

from celery import Task, current_app, shared_task, signals
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import locks, observability
from .models import OutboxMessage

log = logging.getLogger(__name__)

# An unsent row younger than this may still be on its way from its own transaction's
# on-commit hook; the sweep leaves it to that hook.
GRACE = datetime.timedelta(seconds=30)
KEEP_SENT = datetime.timedelta(days=7)


def enqueue_on_commit(task: Task | str, **kwargs) -> OutboxMessage:
    """Records `task(**kwargs)` in the current transaction and sends it after the commit."""
    name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(
        task=name, kwargs=kwargs, request_id=observability.current()
    )
    transaction.on_commit(lambda: send(message.pk))
    return message


def _publish(message: OutboxMessage) -> None:
    headers = {"request_id": message.request_id} if message.request_id else {}
    # No retries here: with the broker down the caller must not wait; the sweep retries.
    task = current_app.tasks[message.task]
    task.apply_async(kwargs=message.kwargs, headers=headers, retry=False)


def send(pk: int) -> bool:
    """Sends one message if it is still unsent; False when the broker refused it."""
    message = OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).first()
    if message is None:
        return True
    try:
        _publish(message)
    except Exception as exc:  # noqa: BLE001 - any broker failure leaves the row for the sweep
        log.warning("outbox: %s #%s not sent yet: %s", message.task, pk, type(exc).__name__)
        OutboxMessage.objects.filter(pk=pk).update(
            attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        return False
    OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def pending() -> int:
    """How many messages wait to be sent (the outbox's depth)."""
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def drain(limit: int = 500) -> int:
    """Sends the unsent messages older than the grace period, oldest first; stops at the
    first refusal (the broker is still down). Returns how many went out."""
    sent = 0
    with locks.held("outbox.drain") as taken:
        if not taken:
            return 0
        now = timezone.now()
        due = OutboxMessage.objects.filter(
            Q(created_at__lt=now - GRACE) | Q(attempts__gt=0), sent_at__isnull=True
        )
        for pk in due.values_list("pk", flat=True)[:limit]:
            if not send(pk):
                break
            sent += 1
        OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    if sent:
        log.info("outbox: sent %s waiting tasks", sent)
    return sent


@shared_task(name="sdr_ops.drain_outbox")
def drain_outbox() -> int:
    """Every minute (beat) and when a worker starts: sends what the broker refused earlier."""
    return drain()


@signals.worker_ready.connect
def _drain_at_start(**kwargs) -> None:
    try:
        drain()
    except Exception:  # noqa: BLE001 - a worker starts even when the database is not there yet
        log.exception("outbox: could not drain at start")
