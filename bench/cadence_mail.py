"""Benchmark of cadence e-mail through real servers (run by hand, never in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench_mail \
        .venv/bin/python bench/cadence_mail.py [--mailboxes 250] [--enrollments 12000]

It empties the app's tables of the database DATABASE_URL names (never point it at real data),
makes the data of `bench/call_lists.py` at a small size (5 teams, one mailbox per SDR with the
default caps: 40 e-mails an hour, 300 a day) and enrols `--enrollments` leads in a cadence whose
first step is an e-mail due now. It starts its own servers (aiosmtpd for SMTP, Dovecot for
IMAP, as the tests do) and times:

1. one worker sending for an hour: `send_due` run twelve times, five minutes apart in the
   app's clock (as the beat schedule runs it), through the local SMTP server. It checks that
   no mailbox went over its caps and that the server received what the app recorded as sent;
2. one IMAP poll of one mailbox holding an answer to each message sent: replies threaded by
   In-Reply-To, out-of-office answers and bounces (DSN), matched and acted on.
"""

import argparse
import datetime
import email.utils
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from django.db.models import Count  # noqa: E402

import bench.cadences as cadences_bench  # noqa: E402
import bench.call_lists as base  # noqa: E402 - sets Django up
from bench.data import insert_select  # noqa: E402
from cadences import domain, imap  # noqa: E402
from cadences.domain import replies  # noqa: E402
from cadences.models import (  # noqa: E402
    Cadence,
    CadenceSettings,
    Enrollment,
    Mailbox,
    StepRun,
)
from sdr_ops.models import Team, User  # noqa: E402
from tests.mail_servers import _serve  # noqa: E402
from tests.meetings_servers import free_port  # noqa: E402

START = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
RUNS = 12
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's log of each command
EVERY = datetime.timedelta(minutes=5)


class Counting:
    """An SMTP server's handler that only counts what it accepts (per sender)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = 0
        self.by_sender: dict[str, int] = {}

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received += 1
            sender = envelope.mail_from
            self.by_sender[sender] = self.by_sender.get(sender, 0) + 1
        return "250 OK"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def prepare(mailboxes: int, enrollments: int, smtp_port: int) -> None:
    base.generate(mailboxes, enrollments + enrollments // 4)
    manager = User.objects.create(email="manager@bench.test", role="manager", password="!")
    for team in Team.objects.order_by("pk"):
        CadenceSettings.objects.create(
            team=team, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_security="none"
        )
        cadence = domain.create_cadence(team, name="Bench mail", by=manager)
        domain.save_steps(
            cadence,
            [
                domain.StepData(
                    type="email",
                    variants=[
                        domain.VariantData(
                            subject="About {{ company }}",
                            body="Hello {{ first_name }},\n\nA short note from {{ sdr_name }}.",
                        )
                    ],
                ),
                domain.StepData(type="call", offset_days=2),
            ],
            by=manager,
        )
        # Only previewed e-mail runs: the manager previews it with a lead, as in the editor
        # (a team without SDRs has no lead, and nothing to enrol: its cadence stays a draft).
        lead = domain.pick_lead(team)
        if lead is None:
            continue
        domain.preview_current(cadence, lead=lead, by=manager)
        domain.set_status(cadence, Cadence.Status.ACTIVE, by=manager)
    insert_select(
        Mailbox,
        {
            "team_id": "s.team_id",
            "sdr_id": "s.person_id",
            "address": "'sdr' || s.person_id || '@bench.test'",
        },
        "FROM sdr_ops_staffingrecord s WHERE s.role = 'sdr'",
    )
    cadences_bench.enrol(
        enrollments,
        steps=2,
        next_due="%(due)s",
        starts_on="DATE '2026-12-01'",
        enrolled_at="%(due)s",
        params={"due": START},
    )


def send_for_an_hour(server: Counting) -> None:
    took = []
    sent = held = 0
    for n in range(RUNS):
        started = time.monotonic()
        counts = domain.send_due(START + n * EVERY)
        took.append(time.monotonic() - started)
        sent += counts["sent"]
        held = counts["held"]
        print(f"  run {n + 1:2}: {took[-1]:6.2f} s {counts}", flush=True)
    per_mailbox = list(
        StepRun.objects.filter(outcome="sent")
        .values("enrollment__sdr_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    caps = CadenceSettings.objects.first()
    print(f"sending for an hour: {sent:,} sent in {sum(took):.1f} s of work (load {load()})")
    print(
        f"  slowest run {max(took):.2f} s; still held at the hour's end: {held:,}; "
        f"server received {server.received:,}"
    )
    print(
        f"  per mailbox: at most {max(per_mailbox)} in the hour (cap {caps.emails_per_hour}), "
        f"{len(per_mailbox)} mailboxes"
    )
    assert server.received == sent, "the server did not receive what the app recorded"
    assert max(per_mailbox) <= caps.emails_per_hour


def answers(runs: list[tuple[int, str, str, str]], to: str) -> list[bytes]:
    """An answer to each sent message: replies, out-of-office answers (one in ten) and
    bounces (one in fifty)."""
    date = email.utils.format_datetime(START + datetime.timedelta(hours=1))
    messages = []
    for n, (_pk, message_id, address, subject) in enumerate(runs):
        if n % 50 == 7:
            boundary = f"b{n}"
            messages.append(
                (
                    f"From: MAILER-DAEMON@x.test\r\nTo: {to}\r\nDate: {date}\r\n"
                    f"Subject: Undelivered Mail Returned to Sender\r\n"
                    f"Message-ID: <dsn{n}@x.test>\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: multipart/report; report-type=delivery-status; "
                    f'boundary="{boundary}"\r\n\r\n'
                    f"--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
                    "The mail could not be delivered.\r\n"
                    f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
                    f"Reporting-MTA: dns; x.test\r\n\r\n"
                    f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
                    f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
                    f"Message-ID: {message_id}\r\nSubject: {subject}\r\n\r\n"
                    f"--{boundary}--\r\n"
                ).encode()
            )
        elif n % 10 == 3:
            messages.append(
                (
                    f"From: {address}\r\nTo: {to}\r\nDate: {date}\r\n"
                    f"Subject: Out of office: {subject}\r\nAuto-Submitted: auto-replied\r\n"
                    f"Message-ID: <ooo{n}@x.test>\r\nIn-Reply-To: {message_id}\r\n"
                    f"References: {message_id}\r\n\r\nI am away until 2026-12-14.\r\n"
                ).encode()
            )
        else:
            messages.append(
                (
                    f"From: {address}\r\nTo: {to}\r\nDate: {date}\r\nSubject: Re: {subject}\r\n"
                    f"Message-ID: <re{n}@x.test>\r\nIn-Reply-To: {message_id}\r\n"
                    f"References: {message_id}\r\n\r\nThanks, let us talk next week.\r\n"
                ).encode()
            )
    return messages


def poll_replies() -> None:
    runs = list(
        StepRun.objects.filter(outcome="sent")
        .order_by("pk")
        .values_list("pk", "message_id", "enrollment__lead__email", "variant__subject")
    )
    with tempfile.TemporaryDirectory(prefix="dovecot-") as folder:
        os.chmod(folder, 0o755)
        server = _serve(Path(folder))
        imap_server = next(server)
        try:
            address = "alice@desk.example"
            maildir = Path(folder) / "mail" / address
            for sub in ("cur", "new", "tmp"):
                (maildir / sub).mkdir(parents=True, exist_ok=True)
            for n, raw in enumerate(answers(runs, address)):
                (maildir / "new" / f"{1_700_000_000 + n}.M{n}P1.bench").write_bytes(raw)
            if os.geteuid() == 0:
                owner = (Path(folder) / "state").stat()
                for path in [maildir.parent, maildir, *maildir.rglob("*")]:
                    os.chown(path, owner.st_uid, owner.st_gid)
            mailbox = Mailbox.objects.select_related("team").order_by("pk").first()
            mailbox.address = mailbox.username = address
            mailbox.set_password(imap_server.users[address])
            mailbox.save()
            CadenceSettings.objects.filter(team=mailbox.team).update(
                imap_host=imap_server.host, imap_port=imap_server.port, imap_security="none"
            )
            reading = []
            read_messages = replies.read_messages

            def timed(*args, **kwargs):
                started = time.monotonic()
                try:
                    return read_messages(*args, **kwargs)
                finally:
                    reading.append(time.monotonic() - started)

            replies.read_messages = timed
            started = time.monotonic()
            try:
                counts = imap.poll(mailbox, now=START + datetime.timedelta(hours=2))
            finally:
                replies.read_messages = read_messages
            took = time.monotonic() - started
        finally:
            server.close()
    print(f"one IMAP poll of {len(runs):,} messages: {took:.2f} s {counts} (load {load()})")
    print(
        f"  fetching and parsing {took - sum(reading):.2f} s, acting on them {sum(reading):.2f} s"
    )
    assert sum(counts.values()) >= len(runs) - len(runs) // 50, "messages not matched"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=250)
    parser.add_argument("--enrollments", type=int, default=12_000)
    args = parser.parse_args()
    if base.connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    base.call_command("migrate", verbosity=0)
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        prepare(args.mailboxes, args.enrollments, controller.port)
        print(f"enrolled {Enrollment.objects.count():,}; {Mailbox.objects.count()} mailboxes")
        send_for_an_hour(handler)
    finally:
        controller.stop()
    poll_replies()
    return 0


if __name__ == "__main__":
    sys.exit(main())
