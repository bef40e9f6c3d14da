"""Locks around scheduled jobs, so that two beats (an active one and a standby, or two by
mistake) never run the same job twice at once.

On PostgreSQL the lock is a transaction-level advisory lock: it needs no table, and it goes
away with the transaction, so neither a crashed worker nor a pooled connection can leave it
held. On SQLite (one machine, development) writers are serialised by the database itself and
the lock is a no-op. The jobs are also written to be idempotent (unique records, replace in a
transaction), so a job that runs again after the lock was released does no double work.
"""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

log = logging.getLogger(__name__)


def _key(name: str) -> str:
    return f"sdr_ops:{name}"


@contextmanager
def held(name: str, *, wait: bool = False) -> Iterator[bool]:
    """Opens a transaction holding the lock `name`; yields whether it was taken. With
    `wait`, waits for another holder to finish instead of giving up."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield True
            return
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_key(name)])
                taken = True
            else:
                cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [_key(name)])
                taken = cursor.fetchone()[0]
        yield taken


def exclusive(name: str):
    """Runs the decorated job only where no other process runs it at the moment; elsewhere
    the call returns None at once (and says so in the log)."""

    def decorate(job):
        @functools.wraps(job)
        def run(*args, **kwargs):
            with held(name) as taken:
                if not taken:
                    log.info("%s is already running elsewhere; skipped", name)
                    return None
                return job(*args, **kwargs)

        return run

    return decorate


def hold(name: str) -> None:
    """Waits for the lock called `name`, then holds it until the current transaction ends, so
    that a second import started meanwhile checks its files against what the first wrote and
    answers as a repeat would. Call it inside `transaction.atomic()`; SQLite needs no lock, as
    its transactions begin IMMEDIATE (settings.py) and writers already run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_key(name)])
