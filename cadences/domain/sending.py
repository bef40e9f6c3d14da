"""Sending the e-mail steps that are due, and the one-click opt-out.

`send_due` is run by the worker every few minutes; an e-mail step sent by hand (`manual`)
waits for its SDR's compose form (compose.py) instead. For each SDR's mailbox it sends at most
`per_run` messages (the hour's cap spread over the hour's runs, so sends are staggered) and
never more than the mailbox's caps per hour and per rolling 24 hours; the sending window and,
for advertising, the 21:00-08:00 quiet hours in the recipient's zone hold a message back.
Whatever is held back stays due and goes on a later run: nothing is dropped. No transaction
is held open across an SMTP conversation: each sent message's step run is written right
after the server accepted it, so a crash re-sends at most the message in flight.
"""

import contextlib
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead
from sdr_ops import audit
from sdr_ops.models import AuditEvent

from .. import mailing
from ..models import (
    CadenceSettings,
    EmailVariant,
    Enrollment,
    Mailbox,
    Step,
    StepRun,
    Suppression,
)
from ..scheduling import QUIET_END, QUIET_START, Window, lead_zone
from .enrolment import _move_on, finish_open_for

log = logging.getLogger(__name__)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(hours=24)
RUNS_PER_HOUR = 12  # the beat schedule runs the sender every five minutes


def _sent_counts(mailboxes: list[Mailbox], now: datetime.datetime) -> dict[int, list[int]]:
    """Per mailbox: messages sent in the last hour and the last 24 hours (one query)."""
    counts = {m.pk: [0, 0] for m in mailboxes}
    by_owner = {(m.team_id, m.sdr_id): m.pk for m in mailboxes}
    rows = (
        StepRun.objects.filter(outcome=StepRun.Outcome.SENT, at__gt=now - DAY)
        .filter(enrollment__sdr_id__in={m.sdr_id for m in mailboxes})
        .values_list("enrollment__team_id", "enrollment__sdr_id")
        .annotate(day=Count("id"), hour=Count("id", filter=Q(at__gt=now - HOUR)))
    )
    for team_id, sdr_id, day, hour in rows:
        if (team_id, sdr_id) in by_owner:
            counts[by_owner[(team_id, sdr_id)]] = [hour, day]
    return counts


def per_run_budget(settings: CadenceSettings) -> int:
    """What one run may send from a mailbox: the hour's cap over the hour's runs, rounded up
    so that the runs of an hour can reach the cap (40 an hour: 4 a run, the cap itself
    stopping the hour at 40), never less than one."""
    return max(1, -(-settings.emails_per_hour // RUNS_PER_HOUR))


def send_due(now: datetime.datetime | None = None, *, per_run: int | None = None) -> dict:
    """Sends what is due and allowed now; returns counts (sent, held, skipped, failed)."""
    now = now or timezone.now()
    step_type = Step.objects.filter(version=OuterRef("version"), position=OuterRef("step"))
    due = list(
        Enrollment.objects.filter(state=Enrollment.State.ACTIVE, next_due__lte=now)
        .annotate(
            step_type=Subquery(step_type.values("type")[:1]),
            step_id=Subquery(step_type.values("pk")[:1]),
            step_manual=Subquery(step_type.values("manual")[:1]),
        )
        .filter(step_type=Step.Type.EMAIL, step_manual=False)
        .select_related("lead__account", "sdr", "team")
        .order_by("next_due", "pk")
    )
    counts = {"sent": 0, "held": 0, "skipped": 0, "failed": 0, "suppressed": 0}
    if not due:
        return counts
    mailboxes = {
        (m.team_id, m.sdr_id): m
        for m in Mailbox.objects.filter(
            team_id__in={e.team_id for e in due}, sdr_id__in={e.sdr_id for e in due}
        )
    }
    team_settings = {
        s.team_id: s for s in CadenceSettings.objects.filter(team_id__in={e.team_id for e in due})
    }
    suppressed = dict(
        Suppression.objects.filter(
            address__in={e.lead.email.lower() for e in due if e.lead.email}
        ).values_list("address", "reason")
    )
    variants: dict[int, list[EmailVariant]] = defaultdict(list)
    for variant in EmailVariant.objects.filter(step_id__in={e.step_id for e in due}):
        variants[variant.step_id].append(variant)
    references: dict[int, list[str]] = defaultdict(list)
    for enrollment_id, message_id in (
        StepRun.objects.filter(enrollment__in=due)
        .exclude(message_id="")
        .order_by("at", "pk")
        .values_list("enrollment_id", "message_id")
    ):
        references[enrollment_id].append(message_id)
    sent_counts = _sent_counts(list(mailboxes.values()), now)
    this_run: dict[int, int] = defaultdict(int)
    windows: dict[int, Window] = {}
    connections = {}
    broken: set[int] = set()
    moved: list[int] = []
    skipped: list[StepRun] = []
    stop: dict[str, list[int]] = defaultdict(list)
    try:
        for enrollment in due:
            lead = enrollment.lead
            settings = team_settings.get(enrollment.team_id) or CadenceSettings(
                team=enrollment.team
            )
            if not lead.email:
                skipped.append(
                    StepRun(
                        enrollment=enrollment,
                        step_id=enrollment.step_id,
                        outcome=StepRun.Outcome.SKIPPED,
                        reason=_("The lead has no e-mail address."),
                        at=now,
                    )
                )
                continue
            if lead.email.lower() in suppressed:
                stop[suppressed[lead.email.lower()]].append(lead.pk)
                continue
            mailbox = mailboxes.get((enrollment.team_id, enrollment.sdr_id))
            if mailbox is None or not settings.can_send():
                counts["held"] += 1
                continue
            if enrollment.team_id not in windows:
                windows[enrollment.team_id] = Window.of(settings, enrollment.team.work_calendar())
            zone = lead_zone(lead.time_zone, enrollment.team.zone)
            local = now.astimezone(zone).time()
            if windows[enrollment.team_id].fit(now, zone) != now or (
                settings.advertising and not QUIET_END <= local < QUIET_START
            ):
                counts["held"] += 1
                continue
            hour, day = sent_counts[mailbox.pk]
            budget = per_run if per_run is not None else per_run_budget(settings)
            if (
                hour >= settings.emails_per_hour
                or day >= settings.emails_per_day
                or this_run[mailbox.pk] >= budget
            ):
                counts["held"] += 1
                continue
            variant = mailing.pick_variant(variants[enrollment.step_id], enrollment.pk)
            message, message_id = mailing.build_message(
                enrollment, variant, mailbox, settings, references=references[enrollment.pk]
            )
            if mailbox.pk in broken:
                counts["held"] += 1
                continue
            try:
                if mailbox.pk not in connections:
                    # One connection per mailbox for the run (its SMTP server or its
                    # provider); one refusing it (down, a changed password or key) fails
                    # this mailbox's messages, not the others'.
                    connections[mailbox.pk] = mailing.connection(settings, mailbox)
                    connections[mailbox.pk].open()
                connections[mailbox.pk].send_messages([message])
            except mailing.SEND_ERRORS as exc:
                log.warning("cadence mail to enrollment %s failed: %s", enrollment.pk, exc)
                counts["failed"] += 1
                connections.pop(mailbox.pk, None)
                broken.add(mailbox.pk)  # the rest of its messages wait for the next run
                continue
            StepRun.objects.create(
                enrollment=enrollment,
                step_id=enrollment.step_id,
                outcome=StepRun.Outcome.SENT,
                variant=variant,
                message_id=message_id,
                at=now,
            )
            if not enrollment.thread_id:
                Enrollment.objects.filter(pk=enrollment.pk).update(thread_id=message_id)
            sent_counts[mailbox.pk] = [hour + 1, day + 1]
            this_run[mailbox.pk] += 1
            moved.append(enrollment.pk)
            counts["sent"] += 1
    finally:
        for backend in connections.values():
            with contextlib.suppress(*mailing.SEND_ERRORS):
                backend.close()
    StepRun.objects.bulk_create(skipped, ignore_conflicts=True)
    for reason, lead_ids in stop.items():
        counts["suppressed"] += finish_open_for(lead_ids, reason=reason, by=None, now=now)
    counts["skipped"] = len(skipped)
    with transaction.atomic():
        _move_on(moved + [run.enrollment_id for run in skipped], now)
    return counts


@transaction.atomic
def opt_out(address: str, *, now: datetime.datetime | None = None) -> Suppression:
    """The address asked for no more e-mail: no team's cadence writes to it again, and every
    open enrollment of a lead with that address finishes `opted_out`. Idempotent."""
    now = now or timezone.now()
    address = address.strip().lower()
    suppression, created = Suppression.objects.get_or_create(
        address=address, defaults={"reason": Suppression.Reason.OPTED_OUT, "at": now}
    )
    # An address that bounced and then asks to opt out is an opt-out too, and audited so.
    changed = not created and suppression.reason != Suppression.Reason.OPTED_OUT
    if changed:
        suppression.reason = Suppression.Reason.OPTED_OUT
        suppression.save(update_fields=["reason"])
    leads = list(Lead.objects.filter(email__iexact=address).values_list("pk", flat=True))
    finish_open_for(leads, reason=Enrollment.Reason.OPTED_OUT, by=None, now=now)
    if created or changed:
        audit.record(
            audit.Subject.ADDRESS,
            suppression.pk,
            audit.Action.OPTED_OUT,
            by=None,
            after=address,
            via="email",
        )
    return suppression


@transaction.atomic
def mark_bounced(address: str, *, now: datetime.datetime | None = None) -> Suppression:
    """The address bounced: it is invalid for every team, and its open enrollments finish
    `bounced`. An opt-out already recorded is kept as it is."""
    return mark_bounced_many([address], now=now)[address.strip().lower()]


@transaction.atomic
def mark_bounced_many(
    addresses: Iterable[str], *, now: datetime.datetime | None = None
) -> dict[str, Suppression]:
    """Marks each address bounced as mark_bounced does (the bounces of a poll), in a fixed
    number of statements: one read and one insert of the suppressions, one read of the
    leads with those addresses, finish_open_for once, one insert of the audit events of the
    addresses newly suppressed. Returns the suppressions by address (lower case)."""
    now = now or timezone.now()
    wanted = sorted({address.strip().lower() for address in addresses})
    if not wanted:
        return {}
    found = Suppression.objects.in_bulk(wanted, field_name="address")
    created = Suppression.objects.bulk_create(
        Suppression(address=address, reason=Suppression.Reason.BOUNCED, at=now)
        for address in wanted
        if address not in found
    )
    leads = Lead.objects.alias(address=Lower("email")).filter(address__in=wanted)
    finish_open_for(
        list(leads.values_list("pk", flat=True)),
        reason=Enrollment.Reason.BOUNCED,
        by=None,
        now=now,
    )
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.ADDRESS,
            suppression.pk,
            audit.Action.BOUNCED,
            by=None,
            after=suppression.address,
            via="email",
        )
        for suppression in created
    )
    return {**found, **{suppression.address: suppression for suppression in created}}
