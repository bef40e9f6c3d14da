"""Prometheus metrics: requests, Celery tasks and the outbox's depth, at ``/metrics``.

Web and worker processes each count in their own memory; when ``PROMETHEUS_MULTIPROC_DIR``
names a folder they all write there instead (prometheus_client's multiprocess mode), and
``/metrics`` adds them up, so a web node's scrape also shows the counts of the workers of the
same machine. A worker on a machine of its own serves its counts with
``python -m sdr_ops.monitoring --port 9808`` over the same folder.

``/metrics`` answers the addresses of ``METRICS_ALLOWED_IPS`` and requests bearing
``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 404, as for any hidden page.
"""

import hmac
import os
import time

from celery import signals
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("sdr_ops_http_requests", "HTTP requests answered", ["method", "status"])
REQUEST_SECONDS = Histogram(
    "sdr_ops_http_request_seconds", "Time to answer an HTTP request", ["method"]
)
TASKS = Counter("sdr_ops_celery_tasks", "Celery tasks run by the workers", ["task", "state"])
TASK_SECONDS = Histogram(
    "sdr_ops_celery_task_seconds",
    "Time a Celery task ran",
    ["task"],
    buckets=(0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600),
)


class OutboxCollector:
    """The outbox's depth, read from the database at each scrape."""

    def collect(self):
        from .outbox import pending

        gauge = GaugeMetricFamily("sdr_ops_outbox_pending", "Tasks waiting in the outbox")
        try:
            gauge.add_metric([], pending())
        except Exception:  # noqa: BLE001 - a scrape during a database outage still answers
            return
        yield gauge


def registry() -> CollectorRegistry:
    """What a scrape reads: every process's counts in multiprocess mode, else this one's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        from prometheus_client import REGISTRY as reg
    return reg


_outbox_registry = CollectorRegistry()
_outbox_registry.register(OutboxCollector())


def exposition() -> bytes:
    return generate_latest(registry()) + generate_latest(_outbox_registry)


def allowed(request) -> bool:
    from django.conf import settings

    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(request.method).observe(time.perf_counter() - start)
        REQUESTS.labels(request.method, str(response.status_code)).inc()
        return response


_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    start = _started.pop(task_id, None)
    if start is not None:
        TASK_SECONDS.labels(task.name).observe(time.perf_counter() - start)
    TASKS.labels(task.name, state or "UNKNOWN").inc()


def _serve(port: int) -> None:
    from prometheus_client import start_http_server

    start_http_server(port, registry=registry())
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve this machine's worker metrics.")
    parser.add_argument("--port", type=int, default=9808)
    _serve(parser.parse_args().port)
