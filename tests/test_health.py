"""Liveness and readiness: /healthz/live answers whenever the process does; /healthz/ready
(and /healthz) answer 200 when the database and the broker are reachable, 503 naming which is
down, and never how to reach it (host, port, error text). A lost database answers a 503 page."""

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from sdr_ops.celery import app as celery_app


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
def test_ready_is_ok_with_database_and_broker_up(client, db, path):
    response = client.get(path)
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "down": [], "database": "ok", "broker": "ok"}


@pytest.fixture
def stopped_broker(monkeypatch):
    # Nothing listens on port 1 of the loopback: a real connection attempt that fails.
    # Celery prefers the environment variable to its configuration, so set both.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
def test_ready_names_a_stopped_broker_and_nothing_more(client, db, stopped_broker, path, caplog):
    response = client.get(path)
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "down": ["broker"],
        "database": "ok",
        "broker": "down",
    }
    assert b"127.0.0.1" not in response.content and b":1" not in response.content
    # The operator finds the detail in the log.
    assert "127.0.0.1:1" in caplog.text


def test_live_needs_neither_database_nor_broker(client, stopped_broker):
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_health_needs_no_login_and_is_never_cached(client, db, path):
    response = client.get(path)
    assert "no-cache" in response.headers["Cache-Control"]


def test_a_lost_database_answers_the_503_page_not_a_traceback(db, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("sdr_ops.views.unread", lost)
    client = Client(raise_request_exception=False)
    from sdr_ops.models import User

    user = User.objects.create_user(email="sam@example.com", password="pw-long-enough-1")
    client.force_login(user)
    with override_settings(DEBUG=False):
        response = client.get("/notifications/badge/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert b"briefly unavailable" in response.content
    assert b"Traceback" not in response.content and b"closed the connection" not in response.content


def test_any_other_error_still_answers_the_500_page(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("sdr_ops.views.unread", broken)
    client = Client(raise_request_exception=False)
    from sdr_ops.models import User

    user = User.objects.create_user(email="sam@example.com", password="pw-long-enough-1")
    client.force_login(user)
    response = client.get("/notifications/badge/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
