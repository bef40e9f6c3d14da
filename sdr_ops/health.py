"""Health of the app and of the services it depends on; the 503 page of a database outage.

``/healthz/live`` says the process answers (a load balancer or an orchestrator restarts it when
it does not); ``/healthz/ready`` (and ``/healthz``, kept for existing probes) says whether it
can serve: the database and the broker answer. An answer names only which component is down;
what went wrong (with hosts and ports) goes to the log, never to an unauthenticated caller.
"""

import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import monitoring
from .celery import app as celery_app

log = logging.getLogger(__name__)


def check_database() -> str | None:
    """None when the database answers a query, else what went wrong."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and we say which
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def check_broker(timeout: float = 2.0) -> str | None:
    """None when the Celery broker accepts a connection, else what went wrong."""
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, timeout=timeout
            )
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@login_not_required
@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """200 whenever the process answers; touches no other service."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 naming whichever is down."""
    problems = {"database": check_database(), "broker": check_broker()}
    down = [name for name, problem in problems.items() if problem]
    for name in down:
        log.warning("readiness: %s is down: %s", name, problems[name])
    body = {
        "status": "ok" if not down else "unavailable",
        "down": down,
        **{name: "down" if problem else "ok" for name, problem in problems.items()},
    }
    return JsonResponse(body, status=503 if down else 200)


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition, for the configured addresses or the token only."""
    if not monitoring.allowed(request):
        return HttpResponseNotFound()
    return HttpResponse(monitoring.exposition(), content_type=CONTENT_TYPE_LATEST)


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a lost database connection answers a plain 503 page ("try again in
    a moment", with Retry-After), any other error the 500 page. Neither reads the database."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    ):
        body = loader.render_to_string("503.html")
        return HttpResponse(body, status=503, headers={"Retry-After": "5"})
    return HttpResponse(loader.render_to_string("500.html"), status=500)
