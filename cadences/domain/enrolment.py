"""Leads in cadences: enrol (one or many, set-based), pause, resume, finish, and the step
runs that move an enrollment on.

Invariants, whoever calls:
- One open (active or paused) enrollment per lead: a second is refused with the reason, and
  the partial unique constraint `one_open_enrollment_per_lead` holds it in the database.
- Only active cadences take leads; a lead must be owned by an SDR of the cadence's team and
  not be handed off, closed or disqualified, nor have an address that opted out or bounced.
- The cap on new enrollments per SDR per day holds back, never drops: what is over the cap
  starts on the next working day with room.
- Steps fall due on working days of the team's calendar, inside the sending window in the
  lead's zone (else the team's); a pause keeps the working days that were left.

Concurrency: enrolling locks the leads' rows (in id order), so two people enrolling the same
lead at once see each other's enrollment; every other write locks the enrollment's row.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DateField, IntegerField
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead, Stage
from sdr_ops import audit, calendar
from sdr_ops.bulk import per_row
from sdr_ops.models import AuditEvent, Role, StaffingRecord, Team, User

from ..models import Cadence, CadenceSettings, Enrollment, StepRun, Suppression
from ..scheduling import Window, lead_zone
from . import advancing
from .evidence import finish_qualified, skip_known_steps

CLOSED_STAGES = [Stage.DISQUALIFIED, Stage.HANDED_OFF, Stage.OPPORTUNITY, Stage.WON]


class AlreadyEnrolled(ValidationError):
    """The lead is in a cadence already (the message says which)."""


class NotOpen(ValidationError):
    """The enrollment is not in a state that allows the change."""


def window_for(team: Team) -> Window:
    return Window.of(CadenceSettings.of(team), team.work_calendar())


@dataclass
class EnrolResult:
    enrolled: list[Enrollment] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def _already(enrollment: Enrollment) -> str:
    return _("Already in the cadence %(name)s (step %(step)s of %(steps)s).") % {
        "name": enrollment.version.cadence.name,
        "step": enrollment.step,
        "steps": enrollment.steps,
    }


def _enrolled_per_day(
    sdr_ids: list[int], today: datetime.date
) -> dict[int, dict[datetime.date, int]]:
    """For each SDR, how many enrollments start on each day from today on (one query)."""
    counts: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for sdr_id, day, n in (
        Enrollment.objects.filter(sdr_id__in=sdr_ids, starts_on__gte=today)
        .values_list("sdr_id", "starts_on")
        .annotate(n=Count("id"))
    ):
        counts[sdr_id][day] = n
    return counts


def suppressed_addresses(addresses) -> dict[str, str]:
    """{address (lower case): why no cadence may write to it} for those suppressed (one
    query; none without addresses)."""
    wanted = {address.lower() for address in addresses if address}
    if not wanted:
        return {}
    reasons = {
        Suppression.Reason.OPTED_OUT: _("The lead's address opted out of cadence e-mail."),
        Suppression.Reason.BOUNCED: _("The lead's address bounced: it is invalid."),
    }
    return {
        address: reasons.get(reason, reasons[Suppression.Reason.BOUNCED])
        for address, reason in Suppression.objects.filter(address__in=wanted).values_list(
            "address", "reason"
        )
    }


@transaction.atomic
def enrol_many(
    cadence: Cadence, lead_ids: list[int], *, by: User | None, now: datetime.datetime | None = None
) -> EnrolResult:
    """Enrols the leads in the cadence's current version, set-based: a fixed number of
    queries whatever the number of leads. Leads that cannot be enrolled are in `refused`
    with the reason; the others start on the first working day their SDR's cap allows."""
    now = now or timezone.now()
    cadence = Cadence.objects.select_related("team").get(pk=cadence.pk)  # as it is now
    if cadence.status != Cadence.Status.ACTIVE:
        raise ValidationError(_("Only an active cadence takes leads."))
    team = cadence.team
    version = cadence.versions.get(number=cadence.version)
    steps = list(version.steps.order_by("position"))
    if not steps:
        raise ValidationError(_("Add a step before activating the cadence."))
    window = window_for(team)
    settings = CadenceSettings.of(team)
    today = now.astimezone(team.zone).date()
    ids = sorted(set(lead_ids))
    leads = list(
        Lead.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .only("pk", "owner_id", "stage", "time_zone", "email")
    )
    result = EnrolResult()
    found = {lead.pk for lead in leads}
    for pk in ids:
        if pk not in found:
            result.refused[pk] = _("No such lead.")
    sdrs = set(
        StaffingRecord.objects.active_on(today)
        .filter(team=team, role=Role.SDR)
        .values_list("person_id", flat=True)
    )
    open_ = {
        e.lead_id: e
        for e in Enrollment.objects.filter(lead_id__in=found, state__in=Enrollment.OPEN)
        .select_related("version__cadence")
        .only("lead_id", "step", "steps", "version__cadence__name")
    }
    suppressed = suppressed_addresses([lead.email for lead in leads])
    taking = []
    for lead in leads:
        if lead.pk in open_:
            result.refused[lead.pk] = _already(open_[lead.pk])
        elif lead.email and lead.email.lower() in suppressed:
            result.refused[lead.pk] = suppressed[lead.email.lower()]
        elif lead.owner_id not in sdrs:
            result.refused[lead.pk] = _("The lead's owner is not an SDR of the cadence's team.")
        elif lead.stage in CLOSED_STAGES:
            result.refused[lead.pk] = _("The lead is handed off, closed or disqualified.")
        else:
            taking.append(lead)
    counts = _enrolled_per_day(sorted({lead.owner_id for lead in taking}), today)
    first = calendar.add_working_days(today, 0, window.work)
    rows = []
    for lead in taking:
        per_day = counts[lead.owner_id]
        day = first
        while per_day.get(day, 0) >= settings.new_per_sdr_per_day:
            day = calendar.next_working_day(day, window.work)
        per_day[day] = per_day.get(day, 0) + 1
        zone = lead_zone(lead.time_zone, team.zone)
        begin = now if day == today else window.opening(day, zone)
        rows.append(
            Enrollment(
                team=team,
                lead_id=lead.pk,
                version=version,
                sdr_id=lead.owner_id,
                step=1,
                steps=len(steps),
                next_due=window.due(begin, steps[0].offset_days, zone),
                starts_on=day,
                enrolled_at=now,
            )
        )
    result.enrolled = Enrollment.objects.bulk_create(rows, batch_size=5000)
    audit.record_many(
        audit.Subject.LEAD,
        [row.lead_id for row in rows],
        audit.Action.ENROLLED,
        by=by,
        after=f"{cadence.name} v{version.number}",
        via="app",
    )
    return result


def enrol(
    lead: Lead, cadence: Cadence, *, by: User | None, now: datetime.datetime | None = None
) -> Enrollment:
    """Enrols one lead (see enrol_many); AlreadyEnrolled or ValidationError with the reason
    when it cannot be."""
    result = enrol_many(cadence, [lead.pk], by=by, now=now)
    if lead.pk in result.refused:
        reason = result.refused[lead.pk]
        error = (
            AlreadyEnrolled
            if Enrollment.objects.filter(lead=lead, state__in=Enrollment.OPEN).exists()
            else ValidationError
        )
        raise error(reason)
    return result.enrolled[0]


def _locked(enrollment: Enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("team", "lead", "version__cadence")
        .get(pk=enrollment.pk)
    )


def _zone(enrollment: Enrollment) -> datetime.tzinfo:
    return lead_zone(enrollment.lead.time_zone, enrollment.team.zone)


@transaction.atomic
def pause(
    enrollment: Enrollment,
    *,
    by: User | None,
    until: datetime.date | None = None,
    now: datetime.datetime | None = None,
    why: str = "",
) -> Enrollment:
    """Pauses an active enrollment, keeping the working days left before its next step;
    `until` makes the nightly job resume it on that day."""
    paused = pause_many({enrollment.pk: until}, by=by, now=now, why=why)
    if not paused:
        raise NotOpen(_("Only an active enrollment can be paused."))
    return paused[0]


@transaction.atomic
def pause_many(
    until: dict[int, datetime.date | None],
    *,
    by: User | None,
    now: datetime.datetime | None = None,
    why: str = "",
) -> list[Enrollment]:
    """Pauses the active enrollments among `until`'s keys as pause() does each, until its day
    (the out-of-office answers of a poll): one locked read, one UPDATE and one insert of their
    audit events, plus the settings and calendar of each team. Returns those paused."""
    now = now or timezone.now()
    rows = list(
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("team", "lead", "version__cadence")
        .filter(pk__in=list(until), state=Enrollment.State.ACTIVE)
        .order_by("pk")
    )
    windows: dict[int, Window] = {}
    for enrollment in rows:
        if enrollment.team_id not in windows:
            windows[enrollment.team_id] = window_for(enrollment.team)
        due = enrollment.next_due or now
        enrollment.remaining_days = (
            windows[enrollment.team_id].remaining(due, now, _zone(enrollment)) if due > now else 0
        )
        enrollment.state = Enrollment.State.PAUSED
        enrollment.next_due = None
        enrollment.resume_on = until[enrollment.pk]
    if not rows:
        return rows
    Enrollment.objects.filter(pk__in=[e.pk for e in rows]).update(
        remaining_days=per_row({e.pk: e.remaining_days for e in rows}, IntegerField()),
        state=Enrollment.State.PAUSED,
        next_due=None,
        resume_on=per_row({e.pk: e.resume_on for e in rows}, DateField()),
    )
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.ENROLLMENT,
            e.pk,
            audit.Action.PAUSED,
            by=by,
            lead_id=e.lead_id,
            after=(e.resume_on.isoformat() if e.resume_on else why),
        )
        for e in rows
    )
    return rows


@transaction.atomic
def resume(
    enrollment: Enrollment, *, by: User | None, now: datetime.datetime | None = None
) -> Enrollment:
    """Resumes a paused enrollment: its next step falls due after the working days it had
    left, in the sending window."""
    now = now or timezone.now()
    enrollment = _locked(enrollment)
    if enrollment.state != Enrollment.State.PAUSED:
        raise NotOpen(_("Only a paused enrollment can be resumed."))
    window = window_for(enrollment.team)
    enrollment.next_due = window.due(now, enrollment.remaining_days or 0, _zone(enrollment))
    enrollment.state = Enrollment.State.ACTIVE
    enrollment.remaining_days = None
    enrollment.resume_on = None
    enrollment.save(update_fields=["next_due", "state", "remaining_days", "resume_on"])
    audit.record(
        audit.Subject.ENROLLMENT,
        enrollment.pk,
        audit.Action.RESUMED,
        by=by,
        lead_id=enrollment.lead_id,
    )
    return enrollment


@transaction.atomic
def finish(
    enrollment: Enrollment,
    *,
    reason: str,
    by: User | None,
    now: datetime.datetime | None = None,
) -> Enrollment:
    """Finishes an open enrollment with the reason (one of Enrollment.Reason)."""
    if reason not in Enrollment.Reason.values:
        raise ValidationError(_("Unknown finish reason."))
    enrollment = _locked(enrollment)
    if enrollment.state not in Enrollment.OPEN:
        raise NotOpen(_("This enrollment is finished already."))
    _finish_rows(Enrollment.objects.filter(pk=enrollment.pk), reason, now or timezone.now())
    audit.record(
        audit.Subject.ENROLLMENT,
        enrollment.pk,
        audit.Action.FINISHED,
        by=by,
        lead_id=enrollment.lead_id,
        after=reason,
    )
    enrollment.refresh_from_db()
    return enrollment


def finish_many(
    ids: list[int], reason: str, *, by: User | None = None, now: datetime.datetime | None = None
) -> int:
    """Finishes the open enrollments among `ids` with the reason in one statement, each
    locked and audited as finish() does (the replies of a poll); returns how many."""
    rows = list(
        Enrollment.objects.select_for_update()
        .filter(pk__in=ids, state__in=Enrollment.OPEN)
        .values_list("pk", "lead_id")
    )
    _finish_rows(
        Enrollment.objects.filter(pk__in=[pk for pk, _lead in rows]), reason, now or timezone.now()
    )
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.ENROLLMENT, pk, audit.Action.FINISHED, by=by, lead_id=lead, after=reason
        )
        for pk, lead in rows
    )
    return len(rows)


def finish_for_handoff(handoff, *, by: User) -> None:
    """A handed-off lead's open enrollment finishes `handed_off`, in the handoff's transaction:
    no later step runs, the AE takes over the conversation."""
    open_ = Enrollment.objects.filter(lead_id=handoff.lead_id, state__in=Enrollment.OPEN).first()
    if open_ is not None:
        finish(open_, reason=Enrollment.Reason.HANDED_OFF, by=by, now=handoff.created_at)


def _finish_rows(rows, reason: str, now: datetime.datetime) -> int:
    return rows.update(
        state=Enrollment.State.FINISHED,
        finish_reason=reason,
        finished_at=now,
        next_due=None,
        remaining_days=None,
        resume_on=None,
    )


@transaction.atomic
def finish_open_for(
    lead_ids: list[int], *, reason: str, by: User | None, now: datetime.datetime | None = None
) -> int:
    """Finishes the open enrollments of the leads with the reason (a reply, an opt-out, a
    bounce, a handoff); returns how many."""
    open_ = Enrollment.objects.filter(lead_id__in=lead_ids, state__in=Enrollment.OPEN)
    ids = list(open_.select_for_update().values_list("pk", "lead_id"))
    _finish_rows(
        Enrollment.objects.filter(pk__in=[pk for pk, _lead in ids]), reason, now or timezone.now()
    )
    audit.record_many(
        audit.Subject.LEAD,
        [lead for _pk, lead in ids],
        audit.Action.FINISHED,
        by=by,
        after=reason,
        via="app",
    )
    return len(ids)


@transaction.atomic
def run_step(
    enrollment: Enrollment,
    *,
    outcome: str,
    by: User | None,
    reason: str = "",
    variant=None,
    message_id: str = "",
    connected: bool = False,
    now: datetime.datetime | None = None,
    expected_step: int | None = None,
) -> StepRun:
    """Records the enrollment's current step as done, skipped (with why) or sent, and moves
    the enrollment to its next step (or finishes it, no more steps). With `expected_step`
    (the step a page showed), NotOpen when the enrollment has moved past it meanwhile, so a
    second click never records the step after it."""
    now = now or timezone.now()
    enrollment = _locked(enrollment)
    if enrollment.state != Enrollment.State.ACTIVE:
        raise NotOpen(_("Only an active enrollment runs its steps."))
    if expected_step is not None and enrollment.step != expected_step:
        raise NotOpen(_("This step is recorded already."))
    if outcome == StepRun.Outcome.SKIPPED and not reason.strip():
        raise ValidationError({"reason": _("Say why the step is skipped.")})
    step = enrollment.version.steps.get(position=enrollment.step)
    run = StepRun.objects.create(
        enrollment=enrollment,
        step=step,
        outcome=outcome,
        reason=reason.strip()[:200],
        variant=variant,
        message_id=message_id,
        connected=connected,
        at=now,
    )
    _move_on([enrollment.pk], now)
    return run


def _move_on(ids: list[int], now: datetime.datetime) -> dict[str, int]:
    """Moves the active enrollments among `ids` whose current step has a run to their next
    step, or finishes them when none is left (advancing.move_on: a fixed number of
    statements whatever the number of enrollments)."""
    return advancing.move_on(now, ids)


@transaction.atomic
def advance_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """The nightly move, set-based: enrollments whose lead is ready to hand off finish
    `qualified` (evidence.py); due steps whose items are all known are skipped; due call and
    task steps of leads touched since they fell due are done (connected when a call got
    through); paused enrollments whose day to resume has come resume; then every active
    enrollment whose current step has run moves on. Safe to run again. Returns counts."""
    now = now or timezone.now()
    advancing.tune(0)
    qualified = finish_qualified(now)
    skipped = skip_known_steps(now)
    done = advancing.mark_touched_done(now)
    advancing.tune(skipped + done)
    resumed = advancing.resume_due(now)
    if resumed:
        audit.record_many(
            audit.Subject.ENROLLMENT, resumed, audit.Action.RESUMED, via="job", leads=False
        )
    counts = advancing.move_on(now)
    return {
        "qualified": qualified,
        "skipped": skipped,
        "done": done,
        "resumed": len(resumed),
        **counts,
    }
