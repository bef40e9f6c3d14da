"""The team's cadence mail settings (its manager's page) and an SDR's own mailbox (the SDR's
page): saved whole or not at all, audited on the team, out of reach for everyone else, and a
mailbox password stored encrypted that no page, audit record or later form shows back."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cadences.domain import mail_settings
from cadences.models import CadenceSettings, Mailbox
from sdr_ops import audit
from sdr_ops.models import AuditEvent

SETTINGS = {
    "window_start": "08:30",
    "window_end": "17:30",
    "new_per_sdr_per_day": "20",
    "emails_per_hour": "30",
    "emails_per_day": "200",
    "advertising": "on",
    "provider": "smtp",
    "smtp_host": "smtp.desk.example",
    "smtp_port": "465",
    "smtp_security": "ssl",
    "mailgun_region": "us",
    "mailgun_domain": "",
    "imap_host": "imap.desk.example",
    "imap_port": "993",
    "imap_security": "ssl",
}


def test_the_manager_sets_the_window_caps_advertising_and_servers_audited(client, org):
    client.force_login(org.mia)
    response = client.post(reverse("cadence-mail-settings"), SETTINGS)
    assert response.status_code == 302
    saved = CadenceSettings.of(org.desk)
    assert (saved.window_start, saved.window_end) == (datetime.time(8, 30), datetime.time(17, 30))
    assert (saved.new_per_sdr_per_day, saved.emails_per_hour, saved.emails_per_day) == (20, 30, 200)
    assert saved.advertising and saved.smtp_host == "smtp.desk.example" and saved.smtp_port == 465
    events = AuditEvent.objects.filter(
        subject=audit.Subject.TEAM, subject_id=org.desk.pk, action=audit.Action.MAIL_SETTINGS
    )
    assert {e.field for e in events} == {
        "window_start",
        "window_end",
        "new_per_sdr_per_day",
        "emails_per_hour",
        "emails_per_day",
        "advertising",
        "smtp_host",
        "smtp_port",
        "smtp_security",
        "imap_host",
    }
    assert all(e.actor_id == org.mia.pk for e in events)
    assert "Settings saved." in client.get(reverse("cadence-mail-settings")).content.decode()
    # The team's trail words them with their labels, not the stored codes.
    page = client.get(reverse("team-settings")).content.decode()
    assert "sending window starts" in page and "SSL/TLS" in page
    # The same values again change nothing and record nothing.
    client.post(reverse("cadence-mail-settings"), SETTINGS)
    assert events.count() == 10


@pytest.mark.parametrize(
    "change, field",
    [
        ({"window_start": "18:00", "window_end": "09:00"}, "window_end"),
        ({"window_start": "21:00", "window_end": "23:00"}, "advertising"),
        ({"emails_per_hour": "500", "emails_per_day": "100"}, "emails_per_hour"),
        ({"emails_per_hour": "0"}, "emails_per_hour"),
        ({"smtp_port": "70000"}, "smtp_port"),
        ({"window_start": "nine"}, "window_start"),
    ],
)
def test_a_window_or_caps_that_cannot_run_are_refused_beside_their_field(
    client, org, change, field
):
    client.force_login(org.mia)
    response = client.post(reverse("cadence-mail-settings"), SETTINGS | change)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not CadenceSettings.objects.filter(team=org.desk).exclude(smtp_host="").exists()
    assert not AuditEvent.objects.filter(action=audit.Action.MAIL_SETTINGS).exists()


def test_the_domain_refuses_unknown_settings_and_checks_the_whole(org):
    with pytest.raises(TypeError):
        mail_settings.change_mail_settings(org.desk, by=org.mia, name="x")
    with pytest.raises(ValidationError):
        mail_settings.change_mail_settings(
            org.desk, by=org.mia, window_start=datetime.time(19), window_end=datetime.time(10)
        )
    assert not CadenceSettings.objects.filter(team=org.desk, window_start="19:00").exists()


def test_the_sdrs_mailbox_password_is_encrypted_and_never_shown_back(client, org):
    client.force_login(org.alice)
    secret = "hunter2-very-secret"
    response = client.post(
        reverse("cadence-mailbox"),
        {"address": "alice@desk.example", "username": "", "password": secret},
    )
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(team=org.desk, sdr=org.alice)
    assert mailbox.username == "alice@desk.example"
    assert secret not in mailbox.password_token and mailbox.password() == secret
    page = client.get(reverse("cadence-mailbox")).content.decode()
    assert secret not in page and mailbox.password_token not in page
    assert "stored, encrypted" in page
    # Saved again with the password empty, the stored one stays.
    client.post(reverse("cadence-mailbox"), {"address": "alice@desk.example", "username": "al"})
    mailbox.refresh_from_db()
    assert mailbox.username == "al" and mailbox.password() == secret
    events = AuditEvent.objects.filter(action=audit.Action.MAILBOX, subject_id=org.desk.pk)
    assert events.exists()
    assert not any(secret in e.before + e.after for e in events)
    assert not any(mailbox.password_token in e.before + e.after for e in events)
    # The team's manager sees that it is stored, never what it is.
    client.force_login(org.mia)
    page = client.get(reverse("cadence-mail-settings")).content.decode()
    assert "alice@desk.example" in page and "stored, encrypted" in page and secret not in page
    client.force_login(org.alice)
    # Removing it stops sending and reading.
    client.post(
        reverse("cadence-mailbox"),
        {"address": "alice@desk.example", "username": "al", "forget_password": "on"},
    )
    mailbox.refresh_from_db()
    assert mailbox.password_token == "" and mailbox.password() == ""


def test_a_mailbox_with_a_bad_address_is_refused(client, org):
    client.force_login(org.alice)
    response = client.post(reverse("cadence-mailbox"), {"address": "not an address"})
    assert response.status_code == 400 and response.context["form"].errors["address"]
    assert not Mailbox.objects.exists()


def test_each_sdr_edits_only_their_own_mailbox(client, org):
    Mailbox.objects.create(team=org.desk, sdr=org.bob, address="bob@desk.example")
    client.force_login(org.alice)
    client.post(reverse("cadence-mailbox"), {"address": "alice@desk.example"})
    assert Mailbox.objects.get(sdr=org.bob).address == "bob@desk.example"
    assert Mailbox.objects.get(sdr=org.alice).address == "alice@desk.example"


@pytest.mark.parametrize(
    "person, route, query",
    [
        ("alice", "cadence-mail-settings", ""),
        ("aaron", "cadence-mail-settings", ""),
        ("mia", "cadence-mail-settings", "?team=growth-desk"),
        ("mia", "cadence-mailbox", ""),
        ("aaron", "cadence-mailbox", ""),
        ("stella", "cadence-mailbox", ""),
    ],
)
def test_the_pages_are_404_out_of_reach(client, org, person, route, query):
    client.force_login(getattr(org, person))
    assert client.get(reverse(route) + query).status_code == 404
    assert client.post(reverse(route) + query, SETTINGS).status_code == 404
    assert not CadenceSettings.objects.exists() and not Mailbox.objects.exists()


@pytest.mark.parametrize("sdrs", [1, 2])
def test_the_pages_read_a_constant_few_queries(client, org, sdrs, django_assert_max_num_queries):
    for sdr in [org.alice, org.bob][:sdrs]:
        Mailbox.objects.create(team=org.desk, sdr=sdr, address=f"{sdr.first_name}@desk.example")
    client.force_login(org.mia)
    # session, user, team, settings, the mailboxes with their SDRs; the navigation's badges
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cadence-mail-settings")).status_code == 200
    client.force_login(org.alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cadence-mailbox")).status_code == 200


PROVIDER_KEY = "pm-server-token-8f1c2d"


def test_a_provider_key_is_stored_encrypted_never_shown_back_nor_audited(client, org):
    client.force_login(org.mia)
    url = reverse("cadence-mail-settings")
    chosen = SETTINGS | {"provider": "postmark", "provider_key": PROVIDER_KEY}
    assert client.post(url, chosen).status_code == 302
    saved = CadenceSettings.of(org.desk)
    assert saved.provider == "postmark" and saved.provider_key() == PROVIDER_KEY
    assert PROVIDER_KEY not in saved.provider_key_token
    page = client.get(url).content.decode()
    assert PROVIDER_KEY not in page and saved.provider_key_token not in page
    assert "stored, encrypted" in page and 'name="forget_provider_key"' in page
    events = AuditEvent.objects.filter(action=audit.Action.MAIL_SETTINGS, subject_id=org.desk.pk)
    key_events = events.filter(field="provider_key_token")
    assert [(e.before, e.after) for e in key_events] == [("", "changed")]
    assert events.filter(field="provider", after="postmark").exists()
    assert not any(PROVIDER_KEY in e.before + e.after for e in events)
    assert not any(saved.provider_key_token in e.before + e.after for e in events)
    trail = client.get(reverse("team-settings")).content.decode()
    assert "Postmark" in trail and "provider&#x27;s API key" in trail and PROVIDER_KEY not in trail
    # Saved with the field empty, or with the same key again, the key stays and nothing is
    # recorded; a new key is recorded as changed, never as what it is.
    assert client.post(url, SETTINGS | {"provider": "postmark"}).status_code == 302
    assert client.post(url, chosen).status_code == 302
    assert key_events.count() == 1
    client.post(url, chosen | {"provider_key": "pm-another-token"})
    assert CadenceSettings.of(org.desk).provider_key() == "pm-another-token"
    assert [e.after for e in key_events.order_by("pk")] == ["changed", "changed"]
    # Back on the SMTP server, the key can be removed.
    client.post(url, SETTINGS | {"forget_provider_key": "on"})
    saved = CadenceSettings.of(org.desk)
    assert (saved.provider, saved.provider_key_token) == ("smtp", "")
    assert key_events.order_by("pk").last().after == "removed"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"provider": "mailgun"}, "provider_key"),  # a provider without its key
        ({"provider": "resend", "provider_key": "key with spaces"}, "provider_key"),
        ({"provider": "resend", "provider_key": "ключ"}, "provider_key"),
        ({"provider": "ses", "provider_key": PROVIDER_KEY}, "provider"),
        ({"provider": "mailgun", "provider_key": "k", "mailgun_region": "mars"}, "mailgun_region"),
        ({"provider": "mailgun", "provider_key": "k", "mailgun_domain": "a/b?c"}, "mailgun_domain"),
        ({"provider_key": "x" * 501}, "provider_key"),
    ],
)
def test_a_provider_without_a_usable_key_is_refused_in_place(client, org, change, field):
    client.force_login(org.mia)
    response = client.post(reverse("cadence-mail-settings"), SETTINGS | change)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert f'id="id_{field}"' in response.content.decode()
    assert not CadenceSettings.objects.filter(team=org.desk).exclude(provider="smtp").exists()
    assert not CadenceSettings.objects.filter(team=org.desk).exclude(provider_key_token="").exists()
    assert not AuditEvent.objects.filter(action=audit.Action.MAIL_SETTINGS).exists()


def test_removing_the_key_of_the_provider_in_use_is_refused(client, org):
    mail_settings.change_mail_settings(
        org.desk, by=org.mia, provider="resend", provider_key=PROVIDER_KEY
    )
    client.force_login(org.mia)
    response = client.post(
        reverse("cadence-mail-settings"),
        SETTINGS | {"provider": "resend", "forget_provider_key": "on"},
    )
    assert response.status_code == 400 and response.context["form"].errors["provider_key"]
    assert CadenceSettings.of(org.desk).provider_key() == PROVIDER_KEY


def test_the_sdrs_mailbox_page_says_which_provider_sends(client, org):
    mail_settings.change_mail_settings(
        org.desk, by=org.mia, provider="mailgun", provider_key=PROVIDER_KEY
    )
    client.force_login(org.alice)
    page = client.get(reverse("cadence-mailbox")).content.decode()
    assert "mail leaves through Mailgun" in page and PROVIDER_KEY not in page
