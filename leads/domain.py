"""Writes on leads: stage moves, logged activities, qualification answers.

The pages, the API, the imports and the Celery tasks all call these functions, so every path
records the same history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.models import User

from .models import (
    Activity,
    CallListEntry,
    Lead,
    QualificationAnswer,
    QualificationChange,
    QualificationStatus,
    Stage,
    StageChange,
)

# Moves that logging an activity makes by itself, from the stage the lead is in.
_FIRST_TOUCH_FROM = {Stage.NEW}
_CONNECT_FROM = {Stage.NEW, Stage.WORKING, Stage.NURTURE}


def change_stage(
    lead: Lead, *, to: str, by: User | None, at: datetime.datetime | None = None
) -> StageChange | None:
    """Moves the lead to another stage and records who did it and when.

    Returns None (and records nothing) when the lead is already in that stage.
    """
    if lead.stage == to:
        return None
    change = StageChange.objects.create(
        lead=lead, from_stage=lead.stage, to_stage=to, by=by, at=at or timezone.now()
    )
    audit.record("lead", lead.pk, "stage", by=by, lead_id=lead.pk, before=lead.stage, after=to)
    lead.stage = to
    lead.save(update_fields=["stage"])
    return change


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
) -> Activity:
    """Records a call, e-mail, message or meeting on the lead.

    Side effects: the first activity moves a new lead to `working`, the first connected call
    moves it to `connected`; outcome `do_not_call` sets the lead's do-not-call flag; the
    callback time is replaced by `callback_at` (cleared when none is given, since the lead was
    just worked); the lead's entry on today's call list of the SDR is marked called. Logged
    again with the same lead, SDR, type and start, it updates that activity instead.
    """
    started_at = started_at or timezone.now()
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
        )
    else:
        activity.outcome, activity.notes = outcome, notes or activity.notes
        activity.duration_seconds = activity.duration_seconds or duration_seconds
        activity.save(update_fields=["outcome", "notes", "duration_seconds"])
    if lead.stage in _FIRST_TOUCH_FROM:
        change_stage(lead, to=Stage.WORKING, by=by, at=started_at)
    if outcome == Activity.Outcome.CONNECTED and lead.stage in _CONNECT_FROM:
        change_stage(lead, to=Stage.CONNECTED, by=by, at=started_at)
    lead.callback_at = callback_at
    lead.do_not_call = lead.do_not_call or outcome == Activity.Outcome.DO_NOT_CALL
    lead.save(update_fields=["callback_at", "do_not_call"])
    day = timezone.localdate(started_at)
    CallListEntry.objects.filter(
        call_list__sdr=by, call_list__day=day, lead=lead, status=CallListEntry.Status.PLANNED
    ).update(status=CallListEntry.Status.CALLED, done_at=started_at)
    return activity


def check_answer(status: str, answer: str, questions: str, reason: str) -> None:
    errors = {}
    if status == QualificationStatus.CONFIRMED and not answer.strip():
        errors["answer"] = _("Write down the answer that was confirmed.")
    if status == QualificationStatus.NOT_DISCLOSED and not questions.strip():
        errors["questions"] = _(
            "Write down the exact questions you used, so a manager can tell a real "
            "\u201cthey wouldn't say\u201d from a forgotten question."
        )
    if status == QualificationStatus.NOT_ASKED and not reason.strip():
        errors["reason"] = _("Say why it was not asked.")
    if status not in QualificationStatus.values:
        errors["status"] = _("Unknown status.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_qualification(
    lead: Lead,
    *,
    item: str,
    status: str,
    by: User,
    answer: str = "",
    questions: str = "",
    reason: str = "",
) -> QualificationAnswer:
    """Sets one checklist item of the lead and keeps the change with who and when.

    Raises ValidationError when the status lacks what it needs: the answer when confirmed, the
    exact questions when asked but not disclosed, the reason when not asked. An unchanged
    item records nothing new.
    """
    check_answer(status, answer, questions, reason)
    # Only what belongs to the status is kept, so an old answer cannot linger.
    answer = answer.strip() if status == QualificationStatus.CONFIRMED else ""
    questions = questions.strip() if status == QualificationStatus.NOT_DISCLOSED else ""
    reason = reason.strip() if status == QualificationStatus.NOT_ASKED else ""
    current, _created = QualificationAnswer.objects.select_for_update().get_or_create(
        lead=lead, item=item
    )
    values = {"status": status, "answer": answer, "questions": questions, "reason": reason}
    if not _created and all(getattr(current, k) == v for k, v in values.items()):
        return current
    now = timezone.now()
    audit.record(
        "lead",
        lead.pk,
        "qualification",
        by=by,
        lead_id=lead.pk,
        field=item,
        before="" if _created else current.status,
        after=status,
    )
    for key, value in values.items():
        setattr(current, key, value)
    current.updated_by, current.updated_at = by, now
    current.save()
    QualificationChange.objects.create(lead=lead, item=item, by=by, at=now, **values)
    return current


def checklist(lead: Lead, items: list[str]) -> list[QualificationAnswer]:
    """The lead's answers for the team's items in order; unknown for items never touched."""
    known = {a.item: a for a in lead.qualification.select_related("updated_by")}
    return [known.get(item) or QualificationAnswer(lead=lead, item=item) for item in items]
