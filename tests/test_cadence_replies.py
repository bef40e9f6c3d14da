"""Reading replies through a real IMAP server (Dovecot started by the test): replies matched
by In-Reply-To/References or the sender's address, out-of-office answers pausing and
resuming, DSN bounces marking the address invalid."""

import datetime
from email.header import Header

import pytest
from imap_tools import MailBoxUnencrypted

from cadences import domain, imap
from cadences.domain import replies
from cadences.models import CadenceSettings, Enrollment, Mailbox, StepRun, Suppression
from leads.models import Activity
from sdr_ops.models import AuditEvent, Notification

from .factories import LeadFactory
from .mail_servers import imap_server  # noqa: F401
from .test_cadence_mail import cadence, smtp, team_mail  # noqa: F401
from .test_cadences import seoul


@pytest.fixture
def mailbox(org, team_mail, imap_server):  # noqa: F811
    CadenceSettings.objects.filter(team=org.desk).update(
        imap_host=imap_server.host, imap_port=imap_server.port, imap_security="none"
    )
    team_mail.set_password("secret")
    team_mail.save()
    return team_mail


def deliver(imap_server, raw: str) -> None:  # noqa: F811
    with MailBoxUnencrypted(imap_server.host, imap_server.port).login(
        "alice@desk.example", "secret"
    ) as box:
        box.append(raw.replace("\n", "\r\n").encode(), "INBOX")


@pytest.fixture
def sent(org, cadence, mailbox, smtp):  # noqa: F811
    lead = LeadFactory(owner=org.alice, email="kim@customer.example", stage="working")
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    domain.send_due(seoul(12, 1, 10, 5))
    return enrollment, smtp.messages[0]["Message-ID"]


def test_a_reply_is_matched_by_its_references_and_finishes_the_enrollment(
    org,
    mailbox,
    sent,
    imap_server,  # noqa: F811
):
    enrollment, message_id = sent
    deliver(
        imap_server,
        f"""From: Kim <other-address@customer.example>
To: alice@desk.example
Subject: Re: Hello
Date: Tue, 01 Dec 2026 14:00:00 +0900
Message-ID: <reply-1@customer.example>
In-Reply-To: {message_id}
References: {message_id}

Yes, let's talk next week.
""",
    )
    counts = imap.poll(mailbox, now=seoul(12, 1, 15))
    assert counts["replied"] == 1
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "replied")
    activity = Activity.objects.get(lead=enrollment.lead, type="email")
    assert (activity.outcome, activity.notes) == ("replied", "Re: Hello")
    assert StepRun.objects.get(message_id=message_id).replied_at is not None
    assert Notification.objects.filter(user=org.alice, text__contains="replied").exists()
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1
    assert imap.poll(mailbox, now=seoul(12, 1, 16)) == {
        "replied": 0,
        "out_of_office": 0,
        "bounced": 0,
        "unmatched": 0,
    }


def test_a_reply_without_references_is_matched_by_the_senders_address(
    org,
    mailbox,
    sent,
    imap_server,  # noqa: F811
):
    enrollment, _id = sent
    deliver(
        imap_server,
        """From: Kim <KIM@customer.example>
To: alice@desk.example
Subject: your note
Message-ID: <reply-2@customer.example>

Call me.
""",
    )
    assert imap.poll(mailbox, now=seoul(12, 1, 15))["replied"] == 1
    enrollment.refresh_from_db()
    assert enrollment.finish_reason == "replied"


def test_out_of_office_pauses_until_the_return_date(org, mailbox, sent, imap_server):  # noqa: F811
    enrollment, message_id = sent
    deliver(
        imap_server,
        f"""From: kim@customer.example
To: alice@desk.example
Subject: {Header("부재중 자동 회신", "utf-8").encode()}
Auto-Submitted: auto-replied
Message-ID: <ooo-1@customer.example>
In-Reply-To: {message_id}
Content-Type: text/plain; charset=utf-8

12월 14일에 복귀합니다.
""",
    )
    assert imap.poll(mailbox, now=seoul(12, 1, 15))["out_of_office"] == 1
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.resume_on) == ("paused", datetime.date(2026, 12, 14))
    assert not Activity.objects.filter(lead=enrollment.lead, outcome="replied").exists()
    domain.advance_due(seoul(12, 14, 6))
    enrollment.refresh_from_db()
    assert enrollment.state == "active"


def test_out_of_office_without_a_date_resumes_after_five_working_days(
    org,
    mailbox,
    sent,
    imap_server,  # noqa: F811
):
    enrollment, _id = sent
    deliver(
        imap_server,
        """From: kim@customer.example
To: alice@desk.example
Subject: Automatic reply: Hello
Message-ID: <ooo-2@customer.example>

I am away.
""",
    )
    imap.poll(mailbox, now=seoul(12, 1, 15))
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.resume_on) == ("paused", datetime.date(2026, 12, 8))


def test_a_bounce_finishes_the_enrollment_and_marks_the_address_invalid(
    org,
    mailbox,
    sent,
    imap_server,  # noqa: F811
):
    enrollment, message_id = sent
    deliver(
        imap_server,
        f"""From: Mail Delivery System <MAILER-DAEMON@desk.example>
To: alice@desk.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@desk.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.desk.example

Final-Recipient: rfc822; kim@customer.example
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

Message-ID: {message_id}
Subject: Hello

--B--
""",
    )
    assert imap.poll(mailbox, now=seoul(12, 1, 15))["bounced"] == 1
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "bounced")
    assert Suppression.objects.get(address="kim@customer.example").reason == "bounced"


def test_the_mailbox_password_is_never_stored_in_clear(mailbox):
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert "secret" not in stored.password_token and stored.password() == "secret"
    assert Enrollment.objects.count() == 0


def test_a_polls_replies_finish_together_each_audited_told_and_marked(
    org,
    cadence,  # noqa: F811
    team_mail,  # noqa: F811
    smtp,  # noqa: F811
):
    leads = [
        LeadFactory(owner=org.alice, email=f"kim{i}@customer.example", stage="working")
        for i in range(3)
    ]
    enrollments = [
        domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10)) for lead in leads
    ]
    domain.send_due(seoul(12, 1, 10, 5))
    ids = {m["To"]: m["Message-ID"] for m in smtp.messages}

    def answer(n: int, to: str, subject: str = "Re: Hello") -> replies.Incoming:
        raw = (
            f"From: <{to}>\nTo: alice@desk.example\nSubject: {subject}\n"
            f"Date: Tue, 01 Dec 2026 14:0{n}:00 +0900\nMessage-ID: <r{n}@customer.example>\n"
            f"In-Reply-To: {ids[to]}\n\nYes.\n"
        )
        return replies.parse(n, raw.encode())

    first, second, third = (lead.email for lead in leads)
    messages = [
        answer(1, first),
        answer(2, second),
        answer(3, first),  # a second reply of the same lead in the same poll: nothing more
        answer(4, second, subject="Automatic reply: away"),  # after the reply: nothing
        answer(5, third, subject="Out of office"),
    ]
    counts = replies.read_messages(team_mail, messages, now=seoul(12, 1, 15))
    assert counts == {"replied": 2, "out_of_office": 1, "bounced": 0, "unmatched": 0}
    states = {}
    for enrollment in enrollments:
        enrollment.refresh_from_db()
        states[enrollment.lead.email] = (enrollment.state, enrollment.finish_reason)
    assert states == {
        first: ("finished", "replied"),
        second: ("finished", "replied"),
        third: ("paused", ""),
    }
    finished = AuditEvent.objects.filter(subject="enrollment", action="finished")
    assert sorted(finished.values_list("subject_id", "lead_id", "after")) == [
        (e.pk, e.lead_id, "replied") for e in enrollments[:2]
    ]
    assert Activity.objects.filter(type="email", outcome="replied").count() == 2
    runs = StepRun.objects.filter(message_id__in=[ids[first], ids[second], ids[third]])
    assert sorted(r.replied_at is not None for r in runs) == [False, True, True]
    told = Notification.objects.filter(user=org.alice, text__contains="replied")
    assert told.count() == 2


def _bounce(n: int, to: str, message_id: str) -> replies.Incoming:
    raw = (
        f"From: <MAILER-DAEMON@desk.example>\nTo: alice@desk.example\n"
        f"Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn{n}@desk.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="B"\n\n--B\nContent-Type: text/plain\n\nNot delivered.\n\n'
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.desk.example\n\n"
        f"Final-Recipient: rfc822; {to}\nAction: failed\nStatus: 5.1.1\n\n"
        f"--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: {message_id}\n\n--B--\n"
    )
    return replies.parse(n, raw.encode())


def _answers(org, cadence, smtp, n: int):  # noqa: F811
    """n enrolled leads sent their first e-mail, and a function answering each."""
    leads = [
        LeadFactory(owner=org.alice, email=f"kim{i}@customer.example", stage="new")
        for i in range(n)
    ]
    domain.enrol_many(cadence, [lead.pk for lead in leads], by=org.alice, now=seoul(12, 1, 10))
    for minute in range(5, 60, 5):  # a few a run, staggered
        domain.send_due(seoul(12, 1, 10, minute))
    ids = {m["To"]: m["Message-ID"] for m in smtp.messages}

    def answer(n: int, to: str, subject: str = "Re: Hello", text: str = "Yes.") -> replies.Incoming:
        raw = (
            f"From: <{to}>\nTo: alice@desk.example\nSubject: {subject}\n"
            f"Date: Tue, 01 Dec 2026 14:{n:02d}:00 +0900\nMessage-ID: <r{n}@customer.example>\n"
            f"In-Reply-To: {ids.get(to, '<elsewhere@example>')}\n\n{text}\n"
        )
        return replies.parse(n, raw.encode())

    return leads, ids, answer


@pytest.mark.parametrize("n", [3, 9])
def test_reading_a_poll_takes_the_same_statements_whatever_its_number_of_messages(
    org,
    cadence,  # noqa: F811
    team_mail,  # noqa: F811
    smtp,  # noqa: F811
    n,
    django_assert_num_queries,
):
    leads, ids, answer = _answers(org, cadence, smtp, n)
    messages = []
    for i, lead in enumerate(leads):
        if i % 3 == 0:
            messages.append(answer(i, lead.email))
        elif i % 3 == 1:
            messages.append(answer(i, lead.email, "Out of office", "Back on 2026-12-14."))
        else:
            messages.append(_bounce(i, lead.email, ids[lead.email]))
    messages.append(answer(99, "stranger@elsewhere.example"))  # unmatched
    # The runs and the enrolled addresses; per chunk: its savepoint and release, the states;
    # the pauses (locked read, the team's settings and days off, UPDATE, audit); the bounces
    # (suppressions read and inserted, the leads, the enrollments locked and finished, their
    # audit, the addresses' audit); the replies' activities (log_activities, its own fixed
    # number); their finish (locked read, UPDATE, audit), sent steps and notifications.
    with django_assert_num_queries(38):
        counts = replies.read_messages(team_mail, messages, now=seoul(12, 1, 15))
    assert counts == {
        "replied": n // 3,
        "out_of_office": n // 3,
        "bounced": n // 3,
        "unmatched": 1,
    }
    states = dict(Enrollment.objects.values_list("lead__email", "state"))
    assert sorted(states.values()) == sorted(["finished"] * (2 * n // 3) + ["paused"] * (n // 3))


def test_a_chunk_acts_on_its_messages_as_if_one_after_the_other(
    org,
    cadence,  # noqa: F811
    team_mail,  # noqa: F811
    smtp,  # noqa: F811
):
    leads, ids, answer = _answers(org, cadence, smtp, 4)
    first, second, third, fourth = (lead.email for lead in leads)
    messages = [
        _bounce(1, first, ids[first]),
        answer(2, first),  # bounced already: nothing
        answer(3, second, "Out of office", "Back on 2026-12-14."),
        answer(4, second, "Out of office", "Back on 2026-12-16."),  # paused: the new date
        answer(5, second),  # paused, then replied: finished replied
        answer(6, third),
        _bounce(7, third, ids[third]),  # replied, then bounced: finished bounced
        answer(8, fourth, "Automatic reply"),  # no date: five working days
    ]
    counts = replies.read_messages(team_mail, messages, now=seoul(12, 1, 15))
    assert counts == {"replied": 2, "out_of_office": 3, "bounced": 2, "unmatched": 0}
    rows = {
        e.lead.email: (e.state, e.finish_reason, e.resume_on)
        for e in Enrollment.objects.select_related("lead")
    }
    assert rows == {
        first: ("finished", "bounced", None),
        second: ("finished", "replied", None),
        third: ("finished", "bounced", None),
        fourth: ("paused", "", datetime.date(2026, 12, 8)),
    }
    paused = AuditEvent.objects.filter(subject="enrollment", action="paused")
    assert sorted(paused.values_list("after", flat=True)) == ["2026-12-08", "2026-12-14"]
    replied = Activity.objects.filter(type="email", outcome="replied")
    assert sorted(replied.values_list("lead__email", flat=True)) == sorted([second, third])
    assert Suppression.objects.filter(reason="bounced").count() == 2
