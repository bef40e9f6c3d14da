"""Cadence e-mail through a hosted provider: django-anymail's own backend for each provider
the team may choose, its HTTP API played by a local server (tests/provider_servers.py), and
anymail's test backend for the payload anymail makes of a cadence message. The threading
and one-click unsubscribe headers go out with every provider; a refusal keeps the mail due;
a team on its SMTP server still sends through it (aiosmtpd) and never calls a provider."""

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from django.core import mail

from cadences import domain, mailing
from cadences.domain import compose, mail_settings
from cadences.models import CadenceSettings, Enrollment, Mailbox, Step, StepRun

from .cadence_helpers import activate
from .factories import LeadFactory
from .provider_servers import ESP_SETTINGS, provider_api  # noqa: F401
from .test_cadence_mail import cadence, email_step, smtp, team_mail  # noqa: F401
from .test_cadences import seoul

KEY = "key-0123456789abcdef"
PROVIDERS = sorted(ESP_SETTINGS)


def use_provider(org, provider: str, **more) -> Mailbox:
    """The Enterprise Desk set to send through `provider` with KEY, as its manager would."""
    mail_settings.change_mail_settings(
        org.desk, by=org.mia, provider=provider, provider_key=KEY, **more
    )
    return Mailbox.objects.get_or_create(
        team=org.desk, sdr=org.alice, defaults={"address": "alice@desk.example"}
    )[0]


def test_the_choices_are_the_backends_built_here():
    hosted = {value for value, _label in CadenceSettings.Provider.choices} - {"smtp"}
    assert hosted == set(mailing.PROVIDER_BACKENDS) == set(PROVIDERS)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_team_on_a_provider_sends_through_its_api_with_every_header(
    org,
    cadence,  # noqa: F811
    provider_api,  # noqa: F811
    provider,
):
    use_provider(org, provider)
    lead = LeadFactory(owner=org.alice, first_name="Kim", email="kim@customer.example")
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    assert domain.send_due(seoul(12, 1, 10, 5))["sent"] == 1
    assert domain.send_due(seoul(12, 3, 9, 5))["sent"] == 1  # the follow-up
    first_run, second_run = StepRun.objects.filter(enrollment=enrollment).order_by("at")
    first, second = provider_api.requests
    assert first.key(provider) == KEY and second.key(provider) == KEY
    sent = first.mail_headers(provider)
    assert sent["message-id"] == first_run.message_id
    link = sent["list-unsubscribe"]
    assert link.startswith("<http") and "/unsubscribe/" in link
    assert sent["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    assert "in-reply-to" not in sent
    follow_up = second.mail_headers(provider)
    assert follow_up["message-id"] == second_run.message_id != first_run.message_id
    assert follow_up["in-reply-to"] == follow_up["references"] == first_run.message_id
    body = str(first.fields())
    assert "alice@desk.example" in body and "kim@customer.example" in body
    assert "Hello Kim" in body and "Hi Kim," in body
    enrollment.refresh_from_db()
    assert enrollment.thread_id == first_run.message_id and enrollment.step == 3


def test_mailgun_sends_from_the_teams_domain_when_it_names_one(org, cadence, provider_api):  # noqa: F811
    use_provider(org, "mailgun", mailgun_domain="mg.desk.example")
    domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice, now=seoul(12, 1, 10))
    domain.send_due(seoul(12, 1, 10, 5))
    assert [r.path for r in provider_api.requests] == ["/mg.desk.example/messages"]


def test_the_connection_is_built_from_the_teams_row(org):
    mailbox = use_provider(org, "mailgun", mailgun_region="eu", mailgun_domain="mg.desk.example")
    backend = mailing.connection(CadenceSettings.of(org.desk), mailbox)
    assert (backend.api_key, backend.sender_domain) == (KEY, "mg.desk.example")
    assert backend.api_url == mailing.MAILGUN_EU_API
    mail_settings.change_mail_settings(org.desk, by=org.mia, provider="postmark")
    backend = mailing.connection(CadenceSettings.of(org.desk), mailbox)
    assert backend.server_token == KEY and backend.timeout == mailing.TIMEOUT
    mail_settings.change_mail_settings(
        org.desk, by=org.mia, provider="smtp", smtp_host="smtp.desk.example"
    )
    backend = mailing.connection(CadenceSettings.of(org.desk), mailbox)
    assert (backend.host, backend.username) == ("smtp.desk.example", "")


def test_a_provider_refusing_fails_the_run_and_the_mail_waits(org, cadence, provider_api):  # noqa: F811
    use_provider(org, "postmark")
    enrollment = domain.enrol(
        LeadFactory(owner=org.alice), cadence, by=org.alice, now=seoul(12, 1, 10)
    )
    provider_api.status = 401
    counts = domain.send_due(seoul(12, 1, 10, 5))
    assert (counts["sent"], counts["failed"]) == (0, 1)
    assert not StepRun.objects.filter(enrollment=enrollment).exists()
    assert Enrollment.objects.get(pk=enrollment.pk).step == 1
    provider_api.status = None
    assert domain.send_due(seoul(12, 1, 10, 10))["sent"] == 1
    assert len(provider_api.requests) == 2


def test_a_team_on_its_smtp_server_never_calls_the_provider(
    org,
    cadence,  # noqa: F811
    team_mail,  # noqa: F811
    smtp,  # noqa: F811
    provider_api,  # noqa: F811
):
    # A key stored for later does not change the way out while SMTP is chosen.
    mail_settings.change_mail_settings(org.desk, by=org.mia, provider_key=KEY)
    domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice, now=seoul(12, 1, 10))
    assert domain.send_due(seoul(12, 1, 10, 5))["sent"] == 1
    assert len(smtp.messages) == 1 and provider_api.requests == []


def test_anymail_carries_the_headers_and_both_bodies_of_a_cadence_message(org, cadence):  # noqa: F811
    mailbox = use_provider(org, "resend")
    lead = LeadFactory(owner=org.alice, first_name="Kim")
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    variant = Step.objects.get(version=enrollment.version, position=1).variants.get()
    message, message_id = mailing.build_message(
        enrollment, variant, mailbox, CadenceSettings.of(org.desk), references=["<a@desk>"]
    )
    AnymailTestBackend().send_messages([message])
    [sent] = mail.outbox
    params = sent.anymail_test_params
    headers = {k.lower(): v for k, v in params["extra_headers"].items()}
    assert headers["message-id"] == message_id
    assert headers["in-reply-to"] == headers["references"] == "<a@desk>"
    assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    assert headers["list-unsubscribe"].startswith("<http")
    assert params["subject"] == "Hello Kim" and "Hi Kim," in params["text_body"]
    assert "Hi Kim," in params["html_body"]
    assert sent.anymail_status.status == {"sent"}


def test_an_email_sent_by_hand_leaves_through_the_provider_too(org, provider_api):  # noqa: F811
    use_provider(org, "brevo")
    manual = email_step(0, "Hello")
    manual.manual = True
    by_hand = domain.create_cadence(org.desk, name="By hand", by=org.mia)
    domain.save_steps(by_hand, [manual], by=org.mia)
    activate(by_hand, org.mia)
    enrollment = domain.enrol(
        LeadFactory(owner=org.alice), by_hand, by=org.alice, now=seoul(12, 1, 10)
    )
    run = compose.send_manual(enrollment, subject="Hello", text="As promised.", by=org.alice)
    [request] = provider_api.requests
    headers = request.mail_headers("brevo")
    assert headers["message-id"] == run.message_id
    assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
