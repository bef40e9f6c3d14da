"""Named locks that make two runs of the same bulk write take turns."""

from django.db import connection


def hold(name: str) -> None:
    """Waits for the lock called `name`, then holds it until the current transaction ends, so
    that a second import started meanwhile checks its files against what the first wrote and
    answers as a repeat would. Call it inside `transaction.atomic()`.

    PostgreSQL takes a transaction-level advisory lock. SQLite needs none: its transactions
    begin IMMEDIATE (settings.py), so writers already run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
