"""The session backend (sdr_ops.sessions): Django's database sessions, read in one statement."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from sdr_ops.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(store.session_key)["answer"] == 42


def test_an_expired_session_is_empty_and_forgets_its_key():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.get("answer") is None
    assert again.session_key is None


def test_unknown_or_tampered_sessions_are_empty():
    assert SessionStore("no-such-key-0123456789abcdef").get("answer") is None
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="tampered")
    assert SessionStore(store.session_key).get("answer") is None


def test_signing_in_and_out_goes_through_it(client, org):
    client.force_login(org.alice)
    assert client.get("/today/").status_code == 200
    client.logout()
    assert client.get("/today/").status_code == 302
