"""Celery: a task travels through the configured broker to a real worker process and back."""

import pytest
from django.conf import settings

from sdr_ops.celery import app as celery_app
from sdr_ops.tasks import ping

from .helpers import Worker

pytestmark = pytest.mark.worker


@pytest.fixture
def worker(tmp_path):
    worker = Worker(tmp_path / "worker.log")
    yield worker
    worker.stop()


def test_a_task_travels_through_the_broker_to_a_worker_and_back(worker):
    result = ping.delay(payload="round trip")
    assert result.get(timeout=60) == "round trip"
    assert "sdr_ops.ping" in worker.log()


def test_the_suite_uses_the_broker_CELERY_BROKER_URL_names():
    # In CI's later runs this proves the round trip above went through Redis, or RabbitMQ.
    configured = settings.CELERY_BROKER_URL
    assert celery_app.conf.broker_url == configured
    expected = {"redis": "redis", "amqp": "amqp"}.get(configured.split(":")[0], "filesystem")
    with celery_app.connection_for_write() as conn:
        assert conn.transport_cls == expected or conn.transport.driver_type == expected


def test_tasks_are_acknowledged_late_and_time_limited():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.task_time_limit and celery_app.conf.task_soft_time_limit
    assert ping.name == "sdr_ops.ping"
