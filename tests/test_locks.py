"""The lock around scheduled jobs: while one process runs a job, another skips it; the lock
goes with the transaction. On SQLite (one machine) it is a no-op."""

import psycopg
import pytest
from django.db import connection

from sdr_ops import locks

from .helpers import run_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def other_process_takes(name: str) -> bool:
    url = run_database_url().replace("postgres://", "postgresql://")
    with psycopg.connect(url) as other:
        return other.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))", [f"sdr_ops:{name}"]
        ).fetchone()[0]


def test_a_job_running_elsewhere_is_skipped():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    runs = []

    @locks.exclusive("test.job")
    def job():
        runs.append(other_process_takes("test.job"))
        return "done"

    assert job() == "done"
    assert runs == [False]  # another process could not take it meanwhile
    assert other_process_takes("test.job")  # released with the transaction
    with locks.held("test.job") as taken:
        assert taken
        assert not other_process_takes("test.job")


def test_on_sqlite_the_lock_is_always_taken():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with locks.held("test.job") as taken:
        assert taken
