"""The SDR's tasks: follow-ups set on a lead with a due time, done or moved to later.

A task due on a day whose list is built already puts its lead on that list (first, as the
nightly build does: calllists.place_on_list).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sdr_ops import audit, notify
from sdr_ops.models import StaffingRecord, User

from ..models import Lead, Task
from .calllists import list_day, place_on_list


def _check_own(task: Task, by: User) -> None:
    """A task is the SDR's own: only they finish or move it, whoever calls."""
    if task.sdr_id != by.pk:
        raise PermissionDenied


def _place(task: Task, by: User) -> None:
    place_on_list(task.lead, day=list_day(task.due_at, by.current_team))


@transaction.atomic
def create_task(
    lead: Lead, *, by: User, kind: str, due_at: datetime.datetime, note: str = ""
) -> Task:
    """Sets a follow-up on one of the SDR's own leads. Side effect: when the due day's list
    is built already, the lead joins it (calllists.place_on_list)."""
    if lead.owner_id != by.pk:
        raise PermissionDenied
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": _("Pick what the task is.")})
    task = Task.objects.create(lead=lead, sdr=by, kind=kind, due_at=due_at, note=note.strip())
    audit.record(
        audit.Subject.LEAD,
        lead.pk,
        audit.Action.TASK_CREATED,
        by=by,
        lead_id=lead.pk,
        field=kind,
        after=due_at.isoformat(timespec="minutes"),
    )
    _place(task, by)
    return task


def _locked(task: Task) -> Task:
    """The task again, its row locked: two tabs finishing or moving it act one after the
    other, and the second sees what the first did."""
    return Task.objects.select_for_update().select_related("lead").get(pk=task.pk)


@transaction.atomic
def complete_task(task: Task, *, by: User) -> Task:
    """Marks the task done (once: done again, it stays as it was)."""
    _check_own(task, by)
    task = _locked(task)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(
            audit.Subject.LEAD,
            task.lead_id,
            audit.Action.TASK_DONE,
            by=by,
            lead_id=task.lead_id,
            field=task.kind,
        )
    return task


@transaction.atomic
def move_task(task: Task, *, by: User, due_at: datetime.datetime) -> Task:
    """Moves an open task to a new due time; a done task cannot move."""
    _check_own(task, by)
    task = _locked(task)
    if task.done_at is not None:
        raise ValidationError(_("This task is done already."))
    before = task.due_at
    task.due_at = due_at
    task.save(update_fields=["due_at"])
    audit.record(
        audit.Subject.LEAD,
        task.lead_id,
        audit.Action.TASK_MOVED,
        by=by,
        lead_id=task.lead_id,
        field=task.kind,
        before=before.isoformat(timespec="minutes"),
        after=due_at.isoformat(timespec="minutes"),
    )
    _place(task, by)
    return task


# A callback more than this late when the reminder job first sees it (an imported history, a
# worker down for days) is not announced: it shows on Today as due instead.
REMIND_AT_MOST_LATE = datetime.timedelta(hours=12)


@transaction.atomic
def remind_due_callbacks(now: datetime.datetime | None = None) -> int:
    """Tells each SDR, in the app, of their callbacks that fell due: once per callback (the
    lead keeps the callback time it was reminded of; a new time is reminded again). Safe to
    re-run and to run twice at once: the leads are locked, those taken by another run are
    skipped. Returns the number of reminders left."""
    now = now or timezone.now()
    due = list(
        Lead.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            callback_at__lte=now,
            callback_at__gt=now - REMIND_AT_MOST_LATE,
            do_not_call=False,
        )
        .filter(Q(callback_reminded_for__isnull=True) | ~Q(callback_reminded_for=F("callback_at")))
        .select_related("owner")
        .order_by("callback_at", "pk")
    )
    if not due:
        return 0
    zones = {
        record.person_id: record.team.zone
        for record in StaffingRecord.objects.active_on(timezone.localdate(now))
        .filter(person_id__in={lead.owner_id for lead in due})
        .select_related("team")
        .order_by("start_date")
    }
    notes = []
    for lead in due:
        when = timezone.localtime(lead.callback_at, zones.get(lead.owner_id))
        notes.append(
            (
                lead.owner,
                gettext_noop("Callback due at %(time)s: %(lead)s"),
                {"time": when.strftime("%H:%M"), "lead": f"{lead.first_name} {lead.last_name}"},
                reverse("lead-call", args=[lead.pk]),
            )
        )
    count = notify.notify_each(notes)
    Lead.objects.filter(pk__in=[lead.pk for lead in due]).update(
        callback_reminded_for=F("callback_at")
    )
    return count
