"""/healthz answers 200 when the database and the broker are reachable, 503 naming what is down."""

import pytest

from sdr_ops.celery import app as celery_app


def test_healthz_is_ok_with_database_and_broker_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "down": [], "database": "ok", "broker": "ok"}


@pytest.fixture
def stopped_broker(monkeypatch):
    # Nothing listens on port 1 of the loopback: a real connection attempt that fails.
    # Celery prefers the environment variable to its configuration, so set both.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})


def test_healthz_reports_a_stopped_broker_by_name(client, db, stopped_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["broker"]
    assert body["database"] == "ok"
    assert "Connection" in body["broker"] or "refused" in body["broker"]


def test_healthz_needs_no_login_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response.headers["Cache-Control"]
