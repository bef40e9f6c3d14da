"""Reading a mailbox: replies, out-of-office answers and bounces to cadence e-mail.

`read_messages` classifies what came in since the last poll and acts on it:
- a bounce (a DSN, RFC 3464: multipart/report; report-type=delivery-status, action failed):
  the address is marked invalid for every team and its open enrollments finish `bounced`;
- an out-of-office answer (RFC 3834 `Auto-Submitted` other than "no", `X-Autoreply`,
  `X-Autorespond`, or the usual Korean and English subjects): the enrollment pauses and
  resumes on the return date when the text gives one, else after 5 working days;
- any other answer is a reply: an `email`/`replied` activity on the lead, the enrollment
  finishes `replied`, the sent step is marked replied and the SDR is told.
A message is matched to the enrollment by the Message-IDs in its In-Reply-To and References
(those the sender wrote), else by its sender's address among the mailbox SDR's enrolled
leads. Matching reads the ids and addresses of a whole poll in two queries.

A poll acts on its messages in chunks, each in one transaction and a fixed number of
statements whatever its size: one read of its enrollments' states; then, decided in the
messages' order as if each were acted on in turn (a message to an enrollment an earlier one
paused, finished or bounced sees it so), the chunk's pauses in one write
(enrolment.pause_many), its bounces in one (sending.mark_bounced_many), its replies' activities
in one (leads.domain.activities.log_activities), their finish, sent steps and notifications in
one statement each.
"""

import datetime
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message

from django.db import transaction
from django.db.models import DateField, DateTimeField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from leads.domain.activities import Touch, log_activities
from leads.models import Activity
from sdr_ops import calendar
from sdr_ops.bulk import per_row
from sdr_ops.notify import notify_each

from ..models import Enrollment, Mailbox, StepRun
from . import enrolment
from .sending import mark_bounced_many

OUT_OF_OFFICE_SUBJECT = re.compile(
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|away from|on vacation|"
    r"부재|자동\s*회신|자동\s*응답|휴가",
    re.IGNORECASE,
)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
ISO_DATE = re.compile(r"(20\d\d)[-./](\d{1,2})[-./](\d{1,2})")
KOREAN_DATE = re.compile(r"(?:(20\d\d)\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일")
OUT_OF_OFFICE_DAYS = 5
CHUNK = 500  # messages acted on per transaction


@dataclass
class Incoming:
    """What the reader needs of one message."""

    uid: int
    headers: Message
    subject: str
    sender: str
    text: str
    date: datetime.datetime
    report: Message | None = None  # the delivery-status part of a DSN
    original_ids: list[str] = field(default_factory=list)  # ids in a DSN's returned headers


def parse(uid: int, raw: bytes) -> Incoming:
    message = email.message_from_bytes(raw)
    subject = str(email.header.make_header(email.header.decode_header(message.get("Subject", ""))))
    sender = email.utils.parseaddr(message.get("From", ""))[1].lower()
    try:
        date = email.utils.parsedate_to_datetime(message.get("Date", ""))
    except (TypeError, ValueError):
        date = None
    text, report, original = "", None, []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/plain" and not text:
            payload = part.get_payload(decode=True) or b""
            text = payload.decode(part.get_content_charset() or "utf-8", "replace")
        elif kind == "message/delivery-status":
            report = part
        elif kind in ("message/rfc822", "text/rfc822-headers") and report is not None:
            body = part.get_payload()
            chunk = body[0].as_string() if isinstance(body, list) else str(body)
            original += MESSAGE_ID.findall(
                "\n".join(
                    line for line in chunk.splitlines() if line.lower().startswith("message-id")
                )
            )
    if message.get_content_type() != "multipart/report":
        report = None
    return Incoming(
        uid=uid,
        headers=message,
        subject=subject,
        sender=sender,
        text=text[:20000],
        date=date if date and date.tzinfo else timezone.now(),
        report=report,
        original_ids=original,
    )


def is_out_of_office(message: Incoming) -> bool:
    auto = (message.headers.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    if message.headers.get("X-Autoreply") or message.headers.get("X-Autorespond"):
        return True
    return bool(OUT_OF_OFFICE_SUBJECT.search(message.subject))


def failed_recipients(report: Message) -> list[str]:
    """The recipients a DSN says failed (Action: failed)."""
    failed = []
    for block in report.get_payload() if report.is_multipart() else []:
        action = (block.get("Action") or "").strip().lower()
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
        if action == "failed" and ";" in recipient:
            failed.append(recipient.split(";", 1)[1].strip().lower())
    if not failed:  # a DSN whose per-recipient fields did not parse as headers
        text = report.as_string()
        if re.search(r"^Action:\s*failed", text, re.IGNORECASE | re.MULTILINE):
            failed = [
                m.lower()
                for m in re.findall(r"^Final-Recipient:\s*[^;]+;\s*(\S+)", text, re.I | re.M)
            ]
    return failed


def return_date(text: str, after: datetime.date) -> datetime.date | None:
    """The first date in the text after `after` (2026-12-14, 2026.12.14, 12월 14일)."""
    found = []
    for year, month, day in ISO_DATE.findall(text):
        found.append((int(year), int(month), int(day), True))
    for year, month, day in KOREAN_DATE.findall(text):
        found.append((int(year) if year else after.year, int(month), int(day), bool(year)))
    for year, month, day, with_year in found:
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            continue
        if date < after and not with_year:
            date = date.replace(year=date.year + 1)
        if after < date <= after + datetime.timedelta(days=120):
            return date
    return None


def _references(message: Incoming) -> list[str]:
    ids = []
    for name in ("In-Reply-To", "References"):
        ids += MESSAGE_ID.findall(message.headers.get(name) or "")
    return ids


def read_messages(
    mailbox: Mailbox, messages: list[Incoming], *, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Acts on the messages read from the mailbox (see the module's docstring)."""
    now = now or timezone.now()
    counts = {"replied": 0, "out_of_office": 0, "bounced": 0, "unmatched": 0}
    ids = {i for m in messages for i in _references(m) + m.original_ids}
    runs = {
        r.message_id: r
        for r in StepRun.objects.filter(message_id__in=ids).select_related(
            "enrollment__lead__account", "enrollment__sdr", "enrollment__team"
        )
    }
    by_address = {
        e.lead.email.lower(): e
        for e in Enrollment.objects.filter(
            sdr_id=mailbox.sdr_id, team_id=mailbox.team_id, state__in=Enrollment.OPEN
        ).select_related("lead__account", "sdr", "team")
        if e.lead.email
    }
    for start in range(0, len(messages), CHUNK):
        # A poll of thousands of messages commits per chunk, not per write: each message's
        # writes stay atomic with the chunk's, and a chunk that fails is read again at the
        # next poll (the mailbox's place is saved after the poll).
        with transaction.atomic():
            chunk = _Chunk()
            matched = [_match(m, runs, by_address) for m in messages[start : start + CHUNK]]
            chunk.states = dict(
                Enrollment.objects.filter(
                    pk__in={e.pk for _m, _r, e in matched if e is not None}
                ).values_list("pk", "state")
            )
            for message, run, enrollment in matched:
                _read_one(chunk, message, run, enrollment, counts, now)
            _act(chunk, now)
    return counts


@dataclass
class _Chunk:
    """What a chunk's messages do, decided in their order and written together (_act)."""

    states: dict[int, str] = field(default_factory=dict)  # the enrollments' states as read
    bounced: list[str] = field(default_factory=list)  # addresses
    paused: dict[int, datetime.date] = field(default_factory=dict)  # active ones, until
    resume_on: dict[int, datetime.date] = field(default_factory=dict)  # paused ones
    replies: dict[int, tuple[Enrollment, StepRun | None, Incoming]] = field(default_factory=dict)
    calendars: dict[int, calendar.WorkCalendar] = field(default_factory=dict)  # by team

    def is_open(self, enrollment: Enrollment) -> bool:
        """Open as read, and not since finished by a bounce or a reply of the chunk."""
        bounced = (enrollment.lead.email or "").strip().lower() in self.bounced
        return (
            self.states.get(enrollment.pk) in Enrollment.OPEN
            and not bounced
            and enrollment.pk not in self.replies
        )


def _match(
    message: Incoming, runs, by_address
) -> tuple[Incoming, StepRun | None, Enrollment | None]:
    if message.report is not None:
        return message, None, None
    run = next((runs[i] for i in _references(message) if i in runs), None)
    return message, run, run.enrollment if run else by_address.get(message.sender)


def _read_one(chunk: _Chunk, message, run, enrollment, counts, now) -> None:
    if message.report is not None:
        for address in failed_recipients(message.report):
            chunk.bounced.append(address)
            counts["bounced"] += 1
        return
    if enrollment is None:
        counts["unmatched"] += 1
        return
    # An earlier message of the chunk may have paused, finished or bounced it (its lead, SDR
    # and team stay as read with the runs).
    if not chunk.is_open(enrollment):
        return
    if is_out_of_office(message):
        _out_of_office(chunk, enrollment, message, now)
        counts["out_of_office"] += 1
    else:
        chunk.replies[enrollment.pk] = (enrollment, run, message)
        counts["replied"] += 1


def _out_of_office(chunk: _Chunk, enrollment: Enrollment, message: Incoming, now) -> None:
    """An active enrollment pauses until the return date (or for OUT_OF_OFFICE_DAYS working
    days); a paused one takes the new date to resume on."""
    team = enrollment.team
    today = now.astimezone(team.zone).date()
    back = return_date(message.subject + "\n" + message.text, today)
    if back is None:
        if team.pk not in chunk.calendars:
            chunk.calendars[team.pk] = team.work_calendar()
        back = calendar.add_working_days(today, OUT_OF_OFFICE_DAYS, chunk.calendars[team.pk])
    if chunk.states[enrollment.pk] == Enrollment.State.ACTIVE:
        chunk.paused[enrollment.pk] = back
        chunk.states[enrollment.pk] = Enrollment.State.PAUSED
    else:
        chunk.resume_on[enrollment.pk] = back


def _act(chunk: _Chunk, now: datetime.datetime) -> None:
    """The chunk's writes, in an order that gives what acting on each message in turn gave:
    pauses before the bounces and replies that may finish the same enrollments."""
    if chunk.paused:
        enrolment.pause_many(chunk.paused, by=None, now=now, why="out of office")
    if chunk.resume_on:
        Enrollment.objects.filter(pk__in=chunk.resume_on).update(
            resume_on=per_row(chunk.resume_on, DateField())
        )
    mark_bounced_many(chunk.bounced, now=now)
    if chunk.replies:
        log_activities(
            [
                Touch(
                    e.lead,
                    e.sdr,
                    Activity.Type.EMAIL,
                    Activity.Outcome.REPLIED,
                    message.date,
                    notes=message.subject[:200],
                )
                for e, _run, message in chunk.replies.values()
            ]
        )
    _finish_replied(chunk.replies, now)


def _finish_replied(replies, now: datetime.datetime) -> None:
    """The chunk's replied enrollments finish `replied` in one statement (locked, audited
    each as finish() does), their sent steps are marked replied and each SDR is told, in one
    insert each."""
    if not replies:
        return
    enrolment.finish_many(list(replies), Enrollment.Reason.REPLIED, now=now)
    replied_at = {r.pk: m.date for _e, r, m in replies.values() if r is not None}
    if replied_at:
        StepRun.objects.filter(pk__in=replied_at).update(
            replied_at=per_row(replied_at, DateTimeField())
        )
    notify_each(
        (
            e.sdr,
            gettext_noop("%(lead)s replied to your cadence e-mail: %(subject)s"),
            {"lead": e.lead, "subject": message.subject[:120]},
            reverse("lead-brief", args=[e.lead_id]),
        )
        for e, _run, message in replies.values()
    )
