"""Failed log-ins are throttled and locked out (django-axes); production cookies are safe."""

import importlib

from django.urls import reverse

from .factories import PASSWORD


def attempt(client, password):
    return client.post(
        reverse("login"),
        {"username": "alice@example.com", "password": password},
        REMOTE_ADDR="203.0.113.7",
    )


def test_five_wrong_passwords_lock_the_address_out_even_with_the_right_one(client, org):
    for _ in range(4):
        response = attempt(client, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = attempt(client, "wrong")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_count(client, org):
    for _ in range(4):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200


def test_another_address_is_not_locked_by_someone_elses_failures(client, org):
    for _ in range(5):
        attempt(client, "wrong")
    response = client.post(
        reverse("login"),
        {"username": "bob@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302


def test_production_cookies_are_secure_http_only_and_same_site(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "sdr.example.com")
    production = importlib.import_module("sdr_ops.settings_production")
    production = importlib.reload(production)
    assert production.SESSION_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_SAMESITE == "Lax"
    assert production.CSRF_COOKIE_SECURE is True
