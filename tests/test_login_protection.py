"""Failed log-ins slow the guesser down: a growing delay per account, a limit per client
address across accounts, the address read through trusted proxies only. Production cookies
are safe."""

import datetime
import importlib

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from sdr_ops.clientip import client_ip
from sdr_ops.throttle import account_delay

from .factories import PASSWORD

OFFICE = "203.0.113.7"


def attempt(client, password, *, email="alice@example.com", address=OFFICE, **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def age_attempts(**filters):
    """Moves the recorded failures back in time, as if the wait had passed."""
    AccessAttempt.objects.filter(**filters).update(
        attempt_time=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )


def test_five_wrong_passwords_make_the_account_wait_even_with_the_right_one(client, org):
    for _ in range(4):
        response = attempt(client, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = attempt(client, "wrong")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "Try again in 30 seconds" in response.content.decode()
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_wait_is_for_the_account_from_every_address(client, org):
    for _ in range(5):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD, address="198.51.100.9").status_code == 429


def test_the_wait_ends_by_itself_and_then_grows(client, org):
    for _ in range(5):
        attempt(client, "wrong")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time)
    # Thirty seconds later the account may try again: a hard lock would still refuse it.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(seconds=31)
    )
    response = attempt(client, "wrong")
    assert response.status_code == 429  # the sixth failure: now a minute
    assert "Try again in 1 minute" in response.content.decode()


def test_hammering_a_waiting_account_does_not_lengthen_its_wait(client, org):
    for _ in range(5):
        attempt(client, "wrong")
    failures = AccessAttempt.objects.get().failures_since_start
    for _ in range(10):
        assert attempt(client, "wrong").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == failures


def test_the_delay_doubles_and_is_capped():
    assert account_delay(4) == datetime.timedelta(0)
    assert account_delay(5) == datetime.timedelta(seconds=30)
    assert account_delay(6) == datetime.timedelta(seconds=60)
    assert account_delay(7) == datetime.timedelta(seconds=120)
    assert account_delay(500) == datetime.timedelta(minutes=15)


def test_a_success_clears_the_count(client, org):
    for _ in range(4):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200


def test_another_account_is_not_slowed_by_someone_elses_failures(client, org):
    for _ in range(5):
        attempt(client, "wrong")
    response = attempt(client, PASSWORD, email="bob@example.com")
    assert response.status_code == 302


def test_guesses_spread_over_many_accounts_from_one_address_are_limited(client, org, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(5):
        assert attempt(client, "wrong", email=f"nobody{n}@example.com").status_code == 200
    assert attempt(client, "wrong", email="nobody5@example.com").status_code == 429
    response = attempt(client, PASSWORD, email="bob@example.com")
    assert response.status_code == 429
    assert "from your network" in response.content.decode()
    # Another address is not paused, and the pause ends with its window.
    assert (
        attempt(client, PASSWORD, email="bob@example.com", address="198.51.100.9").status_code
        == 302
    )
    client.logout()
    age_attempts(ip_address=OFFICE)
    assert attempt(client, PASSWORD, email="bob@example.com").status_code == 302


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.5", "198.51.100.1", "10.0.0.5"),  # no proxy trusted: the header is ignored
        (["10.0.0.0/8"], "10.0.0.5", "198.51.100.1", "198.51.100.1"),
        # A client that writes the header itself does not choose its address.
        (["10.0.0.0/8"], "10.0.0.5", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        (["10.0.0.0/8"], "198.51.100.1", "1.2.3.4", "198.51.100.1"),  # not from the proxy
        (["10.0.0.0/8"], "10.0.0.5", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two hops
        (["10.0.0.0/8"], "10.0.0.5", "not-an-address", "10.0.0.5"),
        (["10.0.0.0/8"], "10.0.0.5", "", "10.0.0.5"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_address_is_read_through_trusted_proxies_only(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_one_colleague_cannot_pause_the_whole_office(client, org, settings):
    """Every request reaches the app from the proxy; the lock-out must still tell people apart."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):
        attempt(
            client,
            "wrong",
            email=f"nobody{n}@example.com",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    response = attempt(
        client,
        PASSWORD,
        email="bob@example.com",
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
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


def test_a_name_too_long_for_any_address_is_refused_and_recorded_cut(client, org):
    """Found by the HTML fuzz on PostgreSQL: a 5,000-character name overflowed the attempts
    table (a 500); the attempt is now recorded under its first 254 characters."""
    response = attempt(client, "wrong", email="x" * 5000)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 254
