"""Cadence e-mail through a real SMTP server (aiosmtpd started by the test): merge fields,
text and HTML, threading headers, one-click unsubscribe (RFC 8058), advertising and its
quiet hours, the caps holding back and releasing, the mailbox password at rest."""

import datetime
import urllib.parse

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError

from cadences import domain
from cadences.models import (
    CadenceSettings,
    Enrollment,
    Mailbox,
    Step,
    StepRun,
    Suppression,
)
from leads.models import Lead
from sdr_ops.models import AuditEvent

from .cadence_helpers import activate
from .factories import LeadFactory
from .meetings_servers import Inbox, free_port
from .test_cadences import seoul


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def team_mail(org, smtp):
    CadenceSettings.objects.create(
        team=org.desk, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none"
    )
    return Mailbox.objects.create(team=org.desk, sdr=org.alice, address="alice@desk.example")


def email_step(offset, subject, body="Hi {{ first_name }},\n\nAbout {{ company }}."):
    return domain.StepData(
        type=Step.Type.EMAIL,
        offset_days=offset,
        variants=[domain.VariantData(subject=subject, body=body)],
    )


@pytest.fixture
def cadence(org):
    cadence = domain.create_cadence(org.desk, name="Mail first", by=org.mia)
    domain.save_steps(
        cadence,
        [
            email_step(0, "Hello {{ first_name }}"),
            email_step(2, "Following up"),
            domain.StepData(type=Step.Type.CALL, offset_days=1),
        ],
        by=org.mia,
    )
    return activate(cadence, org.mia)


def test_a_due_email_step_is_sent_through_the_teams_server(org, cadence, team_mail, smtp):
    lead = LeadFactory(owner=org.alice, first_name="<b>Kim</b>", email="kim@customer.example")
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    counts = domain.send_due(seoul(12, 1, 10, 5))
    assert counts["sent"] == 1
    [message] = smtp.messages
    assert message["Subject"] == "Hello <b>Kim</b>"
    assert message["To"] == "kim@customer.example"
    assert "alice@desk.example" in message["From"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"].startswith("<http")
        and "/unsubscribe/" in message["List-Unsubscribe"]
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hi <b>Kim</b>," in text and "unsubscribe" in text.lower()
    assert "&lt;b&gt;Kim&lt;/b&gt;" in html and "<b>Kim</b>" not in html
    run = StepRun.objects.get(enrollment=enrollment)
    assert (run.outcome, run.message_id) == ("sent", message["Message-ID"])
    enrollment.refresh_from_db()
    assert (enrollment.step, enrollment.thread_id) == (2, run.message_id)
    assert enrollment.next_due == seoul(12, 3, 9)


def test_a_follow_up_answers_the_first_message(org, cadence, team_mail, smtp):
    lead = LeadFactory(owner=org.alice)
    domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    domain.send_due(seoul(12, 1, 10, 5))
    assert domain.send_due(seoul(12, 2, 10))["sent"] == 0  # not due before 3 December
    domain.send_due(seoul(12, 3, 9, 5))
    first, second = smtp.messages
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert first["Message-ID"] != second["Message-ID"]


def test_advertising_marks_the_subject_and_keeps_quiet_at_night(org, cadence, team_mail, smtp):
    CadenceSettings.objects.filter(team=org.desk).update(
        advertising=True, window_start=datetime.time(7), window_end=datetime.time(23)
    )
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    Enrollment.objects.filter(pk=enrollment.pk).update(next_due=seoul(12, 1, 20))
    assert domain.send_due(seoul(12, 1, 21, 30)) == {
        "sent": 0,
        "held": 1,
        "skipped": 0,
        "failed": 0,
        "suppressed": 0,
    }
    assert domain.send_due(seoul(12, 2, 7, 30))["held"] == 1  # before 08:00
    assert domain.send_due(seoul(12, 2, 8, 10))["sent"] == 1
    assert smtp.messages[0]["Subject"] == "(광고) Hello " + lead.first_name


def test_the_caps_hold_back_and_release_never_dropping(org, cadence, team_mail, smtp):
    CadenceSettings.objects.filter(team=org.desk).update(emails_per_hour=2, emails_per_day=3)
    leads = [LeadFactory(owner=org.alice) for _ in range(4)]
    domain.enrol_many(cadence, [lead.pk for lead in leads], by=org.alice, now=seoul(12, 1, 10))
    assert domain.send_due(seoul(12, 1, 10, 5), per_run=10)["sent"] == 2  # the hour's cap
    assert domain.send_due(seoul(12, 1, 10, 30), per_run=10)["held"] == 2
    assert domain.send_due(seoul(12, 1, 11, 10), per_run=10)["sent"] == 1  # the 24 hours' cap
    assert domain.send_due(seoul(12, 1, 16), per_run=10)["held"] == 1
    assert domain.send_due(seoul(12, 2, 10, 10), per_run=10)["sent"] == 1
    assert len(smtp.messages) == 4
    # Staggered: by default a run sends a twelfth of the hour's cap, rounded up.
    CadenceSettings.objects.filter(team=org.desk).update(emails_per_hour=24, emails_per_day=100)
    more = [LeadFactory(owner=org.alice) for _ in range(3)]
    domain.enrol_many(cadence, [lead.pk for lead in more], by=org.alice, now=seoul(12, 3, 10))
    assert domain.send_due(seoul(12, 3, 10, 5))["sent"] == 2


def test_one_click_unsubscribe_suppresses_the_address_for_every_team(
    client, org, cadence, team_mail, smtp
):
    lead = LeadFactory(owner=org.alice, email="Kim@Customer.example")
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    other_cadence = domain.create_cadence(org.growth, name="Growth mail", by=org.otto)
    domain.save_steps(other_cadence, [email_step(0, "Hi")], by=org.otto)
    activate(other_cadence, org.otto)
    same_person = LeadFactory(owner=org.carol, email="kim@customer.example")
    elsewhere = domain.enrol(same_person, other_cadence, by=org.carol, now=seoul(12, 1, 10))
    domain.send_due(seoul(12, 1, 10, 5))
    link = smtp.messages[0]["List-Unsubscribe"].strip("<>")
    path = urllib.parse.urlsplit(link).path
    assert client.get(path).status_code == 200  # a GET only asks
    assert not Suppression.objects.exists()
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and b"unsubscribed" in response.content
    assert Suppression.objects.get().reason == "opted_out"
    for e in (enrollment, elsewhere):
        e.refresh_from_db()
        assert (e.state, e.finish_reason) == ("finished", "opted_out")
    assert AuditEvent.objects.filter(action="opted_out").count() == 1
    assert client.post(path).status_code == 200  # again: nothing new
    assert AuditEvent.objects.filter(action="opted_out").count() == 1
    assert client.post(path[:-5] + "xxxx/").status_code == 404
    # A new enrollment of that address is refused; a lead whose address changes to it after
    # enrolling is not written to.
    again = LeadFactory(owner=org.alice, email="kim@customer.example")
    with pytest.raises(ValidationError, match="opted out"):
        domain.enrol(again, cadence, by=org.alice, now=seoul(12, 2, 10))
    again.email = "new@customer.example"
    again.save(update_fields=["email"])
    later = domain.enrol(again, cadence, by=org.alice, now=seoul(12, 2, 10))
    Lead.objects.filter(pk=again.pk).update(email="Kim@Customer.example")
    assert domain.send_due(seoul(12, 2, 10, 5))["suppressed"] == 1
    later.refresh_from_db()
    assert later.finish_reason == "opted_out" and len(smtp.messages) == 1


def test_an_opt_out_of_an_address_that_bounced_is_audited(org):
    domain.mark_bounced("kim@customer.example")
    domain.opt_out("Kim@Customer.example")
    assert Suppression.objects.get().reason == "opted_out"
    assert AuditEvent.objects.filter(action="opted_out", after="kim@customer.example").exists()
    domain.opt_out("kim@customer.example")  # again: nothing new
    assert AuditEvent.objects.filter(action="opted_out").count() == 1


def test_a_lead_without_an_address_skips_the_step(org, cadence, team_mail, smtp):
    enrollment = domain.enrol(
        LeadFactory(owner=org.alice, email=""), cadence, by=org.alice, now=seoul(12, 1, 10)
    )
    assert domain.send_due(seoul(12, 1, 10, 5))["skipped"] == 1
    run = StepRun.objects.get(enrollment=enrollment)
    assert run.outcome == "skipped" and "no e-mail address" in run.reason
    enrollment.refresh_from_db()
    assert enrollment.step == 2


def test_mailbox_passwords_are_stored_encrypted(org):
    mailbox = Mailbox(team=org.desk, sdr=org.alice, address="a@desk.example")
    mailbox.set_password("s3cret-pass")
    mailbox.save()
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert "s3cret" not in stored.password_token and stored.password() == "s3cret-pass"


def test_a_mailbox_the_server_refuses_fails_alone_and_its_mail_waits(org, cadence, team_mail):
    # The server asks no login: a mailbox with a user name cannot open its connection.
    refused = Mailbox(team=org.desk, sdr=org.bob, address="bob@desk.example", username="bob")
    refused.set_password("secret")
    refused.save()
    for sdr, address in ((org.alice, "one@customer.example"), (org.bob, "two@customer.example")):
        domain.enrol(LeadFactory(owner=sdr, email=address), cadence, by=sdr, now=seoul(12, 1, 10))
    domain.enrol(
        LeadFactory(owner=org.bob, email="three@customer.example"),
        cadence,
        by=org.bob,
        now=seoul(12, 1, 10),
    )
    counts = domain.send_due(seoul(12, 1, 10, 5))
    assert (counts["sent"], counts["failed"], counts["held"]) == (1, 1, 1)
    assert StepRun.objects.filter(enrollment__sdr=org.bob).count() == 0  # never dropped
    assert Enrollment.objects.filter(sdr=org.bob, step=1, state="active").count() == 2
