"""Activities logged on a lead: calls, e-mails, messages and meetings."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops.models import User

from ..models import OUTCOMES_BY_TYPE, Activity, CallListEntry, Lead, Stage
from . import stages
from .calllists import list_day, place_on_list
from .leads import update_lead
from .stages import change_stage

# What the SDR chose to do with a lead that is not interested.
NURTURE, DISQUALIFY = "nurture", "disqualify"

# Moves that logging an activity makes by itself, from the stage the lead is in.
_FIRST_TOUCH_FROM = {Stage.NEW}
_CONNECT_FROM = {Stage.NEW, Stage.WORKING, Stage.NURTURE}


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
    started_at = started_at or timezone.now()
    if outcome not in OUTCOMES_BY_TYPE.get(type, ()):
        raise ValidationError({"outcome": _("Choose an outcome this kind of touch can have.")})
    if next_step and outcome != Activity.Outcome.NOT_INTERESTED:
        raise ValidationError({"next_step": _("Only a lead not interested is nurtured here.")})
    if next_step not in ("", NURTURE, DISQUALIFY):
        raise ValidationError({"next_step": _("Choose nurture or disqualify.")})
    if outcome == Activity.Outcome.CALLBACK and callback_at is None:
        raise ValidationError({"callback_at": _("Say when the callback was agreed for.")})
    if callback_at is not None and callback_at <= started_at:
        raise ValidationError({"callback_at": _("The callback must be after the call.")})
    # The same touch logged twice (the phone system logged the call, then the SDR entered its
    # outcome) stays one activity: the later outcome and notes win, a recorded duration stays.
    activity = (
        Activity.objects.select_for_update()
        .filter(lead=lead, sdr=by, type=type, started_at=started_at)
        .first()
    )
    if activity is None:
        activity = Activity.objects.create(
            lead=lead,
            sdr=by,
            type=type,
            outcome=outcome,
            started_at=started_at,
            duration_seconds=duration_seconds,
            notes=notes,
            callback_at=callback_at,
        )
    else:
        activity.outcome, activity.notes = outcome, notes or activity.notes
        activity.duration_seconds = activity.duration_seconds or duration_seconds
        activity.callback_at = callback_at
        activity.save(update_fields=["outcome", "notes", "duration_seconds", "callback_at"])
    if lead.stage in _FIRST_TOUCH_FROM:
        change_stage(lead, to=Stage.WORKING, by=by, at=started_at)
    if outcome == Activity.Outcome.CONNECTED and lead.stage in _CONNECT_FROM:
        change_stage(lead, to=Stage.CONNECTED, by=by, at=started_at)
    lead.callback_at = callback_at
    lead.do_not_call = lead.do_not_call or outcome == Activity.Outcome.DO_NOT_CALL
    lead.save(update_fields=["callback_at", "do_not_call"])
    if next_step == NURTURE:
        stages.nurture(lead, by=by, retry_on=retry_on, at=started_at)
    elif next_step == DISQUALIFY:
        stages.disqualify(lead, by=by, reason=disqualify_reason, at=started_at)
    if new_phone.strip() and outcome == Activity.Outcome.WRONG_NUMBER:
        update_lead(lead, by=by, phone=new_phone)
    if callback_at is not None:
        place_on_list(lead, day=list_day(callback_at, by.current_team))
    day = timezone.localdate(started_at)
    CallListEntry.objects.filter(
        call_list__sdr=by, call_list__day=day, lead=lead, status=CallListEntry.Status.PLANNED
    ).update(status=CallListEntry.Status.CALLED, done_at=started_at)
    return activity
