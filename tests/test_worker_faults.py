"""A worker killed in the middle of the nightly call-list build or the weekly rollup: the task
goes back to the queue (late acknowledgement), the next worker runs it again, and the result
is complete and free of duplicates. Needs PostgreSQL (to hold the task mid-way on a table
lock) and Redis or RabbitMQ (whose unacknowledged messages come back); CI's second run has
PostgreSQL and Redis, its broker run PostgreSQL and RabbitMQ."""

import datetime
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from leads.models import CallList, CallListEntry
from leads.tasks import build_day_lists
from metrics.models import WeeklyRollup
from metrics.tasks import roll_up_last_week

from .factories import LeadFactory
from .helpers import Worker, run_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY = "3"


@pytest.fixture(autouse=True)
def needs_postgres_and_redis():
    broker = settings.CELERY_BROKER_URL
    if connection.vendor != "postgresql" or not broker.startswith(("redis", "amqp")):
        pytest.skip("needs PostgreSQL and Redis or RabbitMQ (CI's second run)")


def held(table: str) -> psycopg.Connection:
    """A second connection holding an exclusive lock on the table until it rolls back."""
    lock = psycopg.connect(run_database_url().replace("postgres://", "postgresql://"))
    lock.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return lock


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def kill_mid_task(tmp_path, table: str, send) -> Worker:
    """Sends the task, lets a worker start it and block on the table, kills the worker with
    SIGKILL, then releases the table and starts a fresh worker."""
    env = {"DATABASE_URL": run_database_url(), "CELERY_VISIBILITY_TIMEOUT": VISIBILITY}
    lock = held(table)
    first = Worker(tmp_path / "first.log", **env)
    try:
        send()
        assert wait_for(lambda: "received" in first.log()), first.log()
        time.sleep(1)  # inside the task, waiting for the table
        first.process.kill()
        first.process.wait(10)
    except BaseException:
        first.stop()  # never left behind to take the next tests' tasks
        raise
    finally:
        lock.rollback()
        lock.close()
    time.sleep(int(VISIBILITY) + 1)  # the message becomes visible again
    return Worker(tmp_path / "second.log", **env)


def test_a_call_list_build_killed_mid_way_is_redone_whole(org, tmp_path):
    for _ in range(5):
        LeadFactory(owner=org.alice)
        LeadFactory(owner=org.bob)
    day = org.desk.local_today() + datetime.timedelta(days=1)
    second = kill_mid_task(
        tmp_path,
        "leads_calllistentry",
        lambda: build_day_lists.delay(team_ids=[org.desk.pk], day=day.isoformat()),
    )
    try:
        assert wait_for(lambda: CallListEntry.objects.filter(call_list__day=day).count() == 10)
    finally:
        second.stop()
    lists = CallList.objects.filter(day=day)
    assert sorted(lists.values_list("sdr__email", flat=True)) == [
        "alice@example.com",
        "bob@example.com",
    ]
    for call_list in lists:
        positions = list(call_list.entries.order_by("position").values_list("position", flat=True))
        leads = list(call_list.entries.values_list("lead_id", flat=True))
        assert positions == list(range(1, 6)) and len(set(leads)) == 5


def test_a_weekly_rollup_killed_mid_way_is_redone_whole(org, tmp_path):
    second = kill_mid_task(tmp_path, "metrics_weeklyrollup", roll_up_last_week.delay)
    try:
        assert wait_for(lambda: WeeklyRollup.objects.count() == 2)
        time.sleep(1)
    finally:
        second.stop()
    assert sorted(WeeklyRollup.objects.values_list("team__slug", flat=True)) == [
        "enterprise-desk",
        "growth-desk",
    ]
