"""The broker goes away (a Redis of the test's own, stopped mid-test): pages keep serving, a
write whose task cannot be queued still commits and answers as usual, and the task waits in
the outbox; once the broker is back, the sweep (beat's every minute) sends it and a worker
that lived through the outage runs it."""

import shutil

import pytest
from django.urls import reverse

from leads.models import Lead
from metrics import rollups
from metrics.kpis import Week
from metrics.models import WeeklyRollup
from sdr_ops import outbox
from sdr_ops.celery import app as celery_app
from sdr_ops.models import OutboxMessage

from . import stack
from .helpers import Worker, run_database_url
from .test_history_upload import post, team_files

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def forget_broker_connections() -> None:
    """Drops the connection and producer pools bound to the broker configured before."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis(tmp_path, monkeypatch):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    server = stack.RedisServer(tmp_path)
    # Celery prefers the environment variable to its configuration, so set both.
    before = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    # The Redis is this test's own: no key prefix (a parallel run's), here or in the worker.
    monkeypatch.delenv("CELERY_KEY_PREFIX", raising=False)
    celery_app.conf.broker_url = server.url
    celery_app.conf.broker_transport_options = {}
    forget_broker_connections()
    yield server
    server.stop()
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = before
    forget_broker_connections()


def test_writes_commit_while_the_broker_is_down_and_their_tasks_go_out_when_it_is_back(
    client, org, redis, tmp_path
):
    week = Week.parse(org.desk, "2026-W40")  # the week of the imported activity
    before = rollups.roll_up(org.desk, week).computed_at
    worker = Worker(
        tmp_path / "worker.log",
        DATABASE_URL=run_database_url(),
        CELERY_BROKER_URL=redis.url,
        CELERY_RESULT_BACKEND=redis.url,
    )
    try:
        assert stack.wait_for(lambda: "ready" in worker.log(), 60), worker.log()
        client.force_login(org.mia)
        redis.stop()

        # Pages serve, and the import commits and answers as usual.
        assert client.get(reverse("dashboards")).status_code == 200
        response = post(client, team_files())
        assert response.status_code == 200
        assert "The history is imported." in response.content.decode()
        assert Lead.objects.filter(external_id__in=["L1", "L2"]).count() == 2
        # The import marked the weeks it touched; their one recomputation waits in the outbox
        # (the upload asks for no other: one recomputation, not two).
        waiting = OutboxMessage.objects.get(task="metrics.recompute_marked")
        assert waiting.sent_at is None and waiting.attempts == 1
        assert outbox.pending() == 1
        assert WeeklyRollup.objects.get(team=org.desk, week=week.label).marked_at is not None

        # The broker is back (its data kept on disk); the sweep sends what waited.
        redis.start()
        assert outbox.drain() == 1
        assert outbox.pending() == 0
        assert stack.wait_for(
            lambda: WeeklyRollup.objects.get(team=org.desk, week=week.label).computed_at > before,
            60,
        ), worker.log()
        assert "recomputed" in worker.log() and "marked weeks" in worker.log()
        assert WeeklyRollup.objects.get(team=org.desk, week=week.label).marked_at is None
    finally:
        worker.stop()


def test_the_sweep_is_on_beats_schedule_and_sends_nothing_twice(db, settings, monkeypatch):
    assert settings.CELERY_BEAT_SCHEDULE["drain-outbox"]["task"] == "sdr_ops.drain_outbox"
    sent = []
    monkeypatch.setattr(outbox, "_publish", lambda message: sent.append(message.task))
    message = OutboxMessage.objects.create(task="sdr_ops.ping", kwargs={}, attempts=1)
    assert outbox.drain() == 1 and outbox.drain() == 0
    assert sent == ["sdr_ops.ping"]
    message.refresh_from_db()
    assert message.sent_at is not None
