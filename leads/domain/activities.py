"""Activities logged on a lead: calls, e-mails, messages and meetings."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, CharField, DateTimeField
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops.bulk import per_row
from sdr_ops.models import User

from .. import hooks
from ..models import OUTCOMES_BY_TYPE, Activity, CallListEntry, Lead, Stage
from . import stages
from .calllists import list_day, place_on_list
from .leads import update_lead
from .stages import Move, record_moves

# What the SDR chose to do with a lead that is not interested.
NURTURE, DISQUALIFY = "nurture", "disqualify"

# Moves that logging an activity makes by itself, from the stage the lead is in.
_FIRST_TOUCH_FROM = {Stage.NEW}
_CONNECT_FROM = {Stage.NEW, Stage.WORKING, Stage.NURTURE}


@dataclass
class Touch:
    """One call, e-mail, message or meeting to log on a lead (log_activity, log_activities)."""

    lead: Lead
    by: User
    type: str
    outcome: str
    started_at: datetime.datetime
    duration_seconds: int = 0
    notes: str = ""
    callback_at: datetime.datetime | None = None


@transaction.atomic
def log_activity(
    lead: Lead,
    *,
    by: User,
    type: str,
    outcome: str,
    started_at: datetime.datetime | None = None,
    duration_seconds: int = 0,
    notes: str = "",
    callback_at: datetime.datetime | None = None,
    next_step: str = "",
    retry_on: datetime.date | None = None,
    disqualify_reason: str = "",
    new_phone: str = "",
) -> Activity:
    """Records a call, e-mail, message or meeting on the lead.

    Side effects: the first activity moves a new lead to `working`, the first connected call
    moves it to `connected`; outcome `do_not_call` sets the lead's do-not-call flag; the
    callback time is replaced by `callback_at` (cleared when none is given, since the lead was
    just worked), and a callback lands on its day's list if that list is built already
    (calllists.place_on_list); the lead's entry on today's call list of the SDR is marked
    called. Logged
    again with the same lead, SDR, type and start, it updates that activity instead.

    The outcome must be one of the channel's (OUTCOMES_BY_TYPE). Outcomes move the lead:
    `not_interested` with `next_step` "nurture" sends it to nurture until `retry_on`, with
    "disqualify" disqualifies it for `disqualify_reason` (stages.nurture / stages.disqualify);
    `wrong_number` with `new_phone` corrects the lead's number (checked, the change audited).
    """
    touch = Touch(
        lead,
        by,
        type,
        outcome,
        started_at or timezone.now(),
        duration_seconds=duration_seconds,
        notes=notes,
        callback_at=callback_at,
    )
    _check(touch, next_step=next_step)
    (activity,) = _record([touch])
    if next_step == NURTURE:
        stages.nurture(lead, by=by, retry_on=retry_on, at=touch.started_at)
    elif next_step == DISQUALIFY:
        stages.disqualify(lead, by=by, reason=disqualify_reason, at=touch.started_at)
    if new_phone.strip() and outcome == Activity.Outcome.WRONG_NUMBER:
        update_lead(lead, by=by, phone=new_phone)
    _place_callbacks([touch])
    return activity


@transaction.atomic
def log_activities(touches: list[Touch]) -> list[Activity]:
    """Logs many touches as log_activity logs each, in the order given, with the same side
    effects (the same touch again updates its activity, the first touch and the first
    connected call move the lead, do-not-call, the callback replaced, the SDR's planned entry
    of that day marked called) in a fixed number of statements whatever their number, plus
    a placement on its day's list for each callback. The choices of a person (nurture,
    disqualify, a new number) go through log_activity. Returns each touch's activity."""
    for touch in touches:
        _check(touch)
    activities = _record(touches)
    _place_callbacks(touches)
    return activities


def _check(touch: Touch, *, next_step: str = "") -> None:
    if touch.outcome not in OUTCOMES_BY_TYPE.get(touch.type, ()):
        raise ValidationError({"outcome": _("Choose an outcome this kind of touch can have.")})
    if next_step and touch.outcome != Activity.Outcome.NOT_INTERESTED:
        raise ValidationError({"next_step": _("Only a lead not interested is nurtured here.")})
    if next_step not in ("", NURTURE, DISQUALIFY):
        raise ValidationError({"next_step": _("Choose nurture or disqualify.")})
    if touch.outcome == Activity.Outcome.CALLBACK and touch.callback_at is None:
        raise ValidationError({"callback_at": _("Say when the callback was agreed for.")})
    if touch.callback_at is not None and touch.callback_at <= touch.started_at:
        raise ValidationError({"callback_at": _("The callback must be after the call.")})


def _record(touches: list[Touch]) -> list[Activity]:
    """The rules of logging touches, set-based (log_activity and log_activities)."""
    if not touches:
        return []
    activities = _write_activities(touches)
    _move_leads(touches)
    _mark_called(touches)
    hooks.activities_logged(list({a.pk: a for a in activities}.values()))
    return activities


def _key(touch: Touch) -> tuple:
    return touch.lead.pk, touch.by.pk, touch.type, touch.started_at


def _write_activities(touches: list[Touch]) -> list[Activity]:
    """One activity per touch, locked and updated when one has the same lead, SDR, type and
    start (logged twice, as when the phone system logged the call, then the SDR entered its
    outcome: the later outcome and notes win, a recorded duration stays). Three statements:
    the read of those already there, one INSERT, one UPDATE."""
    found = {
        (a.lead_id, a.sdr_id, a.type, a.started_at): a
        for a in Activity.objects.select_for_update().filter(
            lead_id__in={t.lead.pk for t in touches},
            started_at__in={t.started_at for t in touches},
        )
    }
    known, new, updated, activities = dict(found), [], {}, []
    for touch in touches:
        activity = known.get(_key(touch))
        if activity is None:
            activity = known[_key(touch)] = Activity(
                lead=touch.lead,
                sdr=touch.by,
                type=touch.type,
                outcome=touch.outcome,
                started_at=touch.started_at,
                duration_seconds=touch.duration_seconds,
                notes=touch.notes,
                callback_at=touch.callback_at,
            )
            new.append(activity)
        else:
            activity.outcome, activity.notes = touch.outcome, touch.notes or activity.notes
            activity.duration_seconds = activity.duration_seconds or touch.duration_seconds
            activity.callback_at = touch.callback_at
            activity.lead = touch.lead
            if activity.pk is not None:
                updated[activity.pk] = activity
        activities.append(activity)
    Activity.objects.bulk_create(new)
    if updated:
        Activity.objects.bulk_update(
            updated.values(), ["outcome", "notes", "duration_seconds", "callback_at"]
        )
    return activities


def _move_leads(touches: list[Touch]) -> None:
    """The leads' stages, callbacks and do-not-call flags after the touches, in their order:
    the first touch of a new lead moves it to `working`, a connected call moves it to
    `connected` (a StageChange and an audit event each, record_moves); then one UPDATE of the
    leads (their stage only where it moved)."""
    leads: dict[int, Lead] = {}
    moves: list[Move] = []
    for touch in touches:
        lead = leads.setdefault(touch.lead.pk, touch.lead)
        if lead.stage in _FIRST_TOUCH_FROM:
            moves.append(Move(lead.pk, lead.stage, Stage.WORKING, touch.by, touch.started_at))
            lead.stage = Stage.WORKING
        if touch.outcome == Activity.Outcome.CONNECTED and lead.stage in _CONNECT_FROM:
            moves.append(Move(lead.pk, lead.stage, Stage.CONNECTED, touch.by, touch.started_at))
            lead.stage = Stage.CONNECTED
        lead.callback_at = touch.callback_at
        lead.do_not_call = lead.do_not_call or touch.outcome == Activity.Outcome.DO_NOT_CALL
    record_moves(moves)
    for touch in touches:  # the same lead passed twice, as two objects, ends the same
        lead = leads[touch.lead.pk]
        touch.lead.stage, touch.lead.callback_at = lead.stage, lead.callback_at
        touch.lead.do_not_call = lead.do_not_call
    moved = {m.lead_id: m.to_stage for m in moves}
    Lead.objects.filter(pk__in=leads).update(
        stage=per_row(moved, CharField(), keep="stage"),
        callback_at=per_row({pk: lead.callback_at for pk, lead in leads.items()}, DateTimeField()),
        do_not_call=per_row({pk: lead.do_not_call for pk, lead in leads.items()}, BooleanField()),
    )


def _mark_called(touches: list[Touch]) -> None:
    """The lead's planned entry on the SDR's call list of the touch's day is called, done at
    the first touch of that day: one read of the entries, one UPDATE."""
    done_at: dict[tuple, datetime.datetime] = {}
    for touch in touches:
        key = (touch.by.pk, timezone.localdate(touch.started_at), touch.lead.pk)
        done_at.setdefault(key, touch.started_at)
    entries = {
        pk: done_at[(sdr, day, lead)]
        for pk, sdr, day, lead in CallListEntry.objects.filter(
            lead_id__in={lead for _sdr, _day, lead in done_at},
            call_list__sdr_id__in={sdr for sdr, _day, _lead in done_at},
            call_list__day__in={day for _sdr, day, _lead in done_at},
            status=CallListEntry.Status.PLANNED,
        ).values_list("pk", "call_list__sdr_id", "call_list__day", "lead_id")
        if (sdr, day, lead) in done_at
    }
    if entries:
        CallListEntry.objects.filter(pk__in=entries).update(
            status=CallListEntry.Status.CALLED,
            done_at=per_row(entries, DateTimeField()),
        )


def _place_callbacks(touches: list[Touch]) -> None:
    """A callback lands on its day's list if that list is built already (one placement each)."""
    for touch in touches:
        if touch.callback_at is not None:
            place_on_list(touch.lead, day=list_day(touch.callback_at, touch.by.current_team))
