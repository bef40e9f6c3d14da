"""Stage moves of a lead, each kept with who made it and when."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops import audit, calendar
from sdr_ops.models import AuditEvent, User

from ..models import DisqualifyReason, Lead, Stage, StageChange

# The stages a person may send a lead to nurture or disqualify from: not while an AE has it.
SETTLE_FROM = (Stage.NEW, Stage.WORKING, Stage.CONNECTED, Stage.NURTURE, Stage.DISQUALIFIED)
# Nurture for at most this long: a later date is a typing slip, not a plan.
LONGEST_NURTURE = datetime.timedelta(days=2 * 366)
# The hour of the day to try again at, in the owner's zone (the callback rule takes it then).
RETRY_HOUR = datetime.time(9, 0)


@dataclass(frozen=True)
class Move:
    """One stage move of a lead, to record (record_moves)."""

    lead_id: int
    from_stage: str
    to_stage: str
    by: User | None
    at: datetime.datetime
    reason: str = ""


def record_moves(moves: list[Move]) -> list[StageChange]:
    """Records the moves: a StageChange and a stage audit event each, one INSERT of each
    whatever their number (none without moves). The caller writes the leads' new stage."""
    if not moves:
        return []
    changes = StageChange.objects.bulk_create(
        StageChange(
            lead_id=m.lead_id,
            from_stage=m.from_stage,
            to_stage=m.to_stage,
            by=m.by,
            at=m.at,
            reason=m.reason,
        )
        for m in moves
    )
    AuditEvent.objects.bulk_create(
        audit.event(
            audit.Subject.LEAD,
            m.lead_id,
            audit.Action.STAGE,
            by=m.by,
            lead_id=m.lead_id,
            before=m.from_stage,
            after=m.to_stage,
        )
        for m in moves
    )
    return changes


@transaction.atomic
def change_stage(
    lead: Lead,
    *,
    to: str,
    by: User | None,
    at: datetime.datetime | None = None,
    reason: str = "",
) -> StageChange | None:
    """Moves the lead to another stage and records who did it and when (a StageChange and an
    audit event, in the same transaction), with the reason when a person gave one.

    Returns None (and records nothing) when the lead is already in that stage.
    """
    if lead.stage == to:
        return None
    (change,) = record_moves([Move(lead.pk, lead.stage, to, by, at or timezone.now(), reason)])
    lead.stage = to
    lead.save(update_fields=["stage"])
    return change


def check_retry_on(day: datetime.date | None, *, today: datetime.date) -> None:
    """A date to try a nurtured lead again: after today and within two years."""
    if day is None:
        raise ValidationError({"retry_on": _("Say when to try this lead again.")})
    if day <= today:
        raise ValidationError({"retry_on": _("The date to try again must be after today.")})
    if day > today + LONGEST_NURTURE:
        raise ValidationError({"retry_on": _("Try again within two years.")})


def check_disqualify_reason(reason: str) -> None:
    if reason not in DisqualifyReason.values:
        raise ValidationError({"disqualify_reason": _("Choose why the lead is disqualified.")})


def retry_moment(day: datetime.date, zone) -> datetime.datetime:
    """When a nurtured lead comes back: the morning of the day, in the owner's zone."""
    return datetime.datetime.combine(day, RETRY_HOUR, tzinfo=zone)


def _check_settle(stage: str) -> None:
    if stage not in SETTLE_FROM:
        raise ValidationError(
            _("A lead in stage %(stage)s is with an AE or closed: it cannot be moved now.")
            % {"stage": Stage(stage).label}
        )


@transaction.atomic
def nurture(
    lead: Lead, *, by: User, retry_on: datetime.date, at: datetime.datetime | None = None
) -> StageChange | None:
    """Sends the lead to `nurture` until `retry_on`: a stage change with that date as its
    reason, and the lead's callback set to the morning of that day, so the callback rule
    puts it first on that day's list. Refused while an AE has it or once won."""
    check_retry_on(retry_on, today=calendar.local_today(lead.owner.local_zone))
    _check_settle(lead.stage)
    lead.callback_at = retry_moment(retry_on, lead.owner.local_zone)
    lead.save(update_fields=["callback_at"])
    return change_stage(
        lead, to=Stage.NURTURE, by=by, at=at, reason=_("until %(day)s") % {"day": retry_on}
    )


@transaction.atomic
def disqualify(
    lead: Lead, *, by: User, reason: str, at: datetime.datetime | None = None
) -> StageChange | None:
    """Disqualifies the lead for one of the DisqualifyReason reasons (recorded on the stage
    change); its callback is cleared. Refused while an AE has it or once won."""
    check_disqualify_reason(reason)
    _check_settle(lead.stage)
    lead.callback_at = None
    lead.save(update_fields=["callback_at"])
    return change_stage(
        lead, to=Stage.DISQUALIFIED, by=by, at=at, reason=str(DisqualifyReason(reason).label)
    )


@transaction.atomic
def settle_many(
    leads: QuerySet[Lead],
    *,
    by: User,
    to: str,
    retry_on: datetime.date | None = None,
    reason: str = "",
) -> int:
    """Nurtures (until `retry_on`) or disqualifies (for `reason`) every lead of the queryset
    that may move, in a fixed number of statements whatever their number: one read of the
    leads and their stages, one INSERT of the stage changes, one of the audit events, one
    UPDATE of the leads. Leads already there, or with an AE, are left alone. Returns how many
    moved. The caller narrows `leads` to what `by` may change (leads.access)."""
    now = timezone.now()
    if to == Stage.NURTURE:
        check_retry_on(retry_on, today=by.local_today())
        why = _("until %(day)s") % {"day": retry_on}
        callback = retry_moment(retry_on, by.local_zone)
    elif to == Stage.DISQUALIFIED:
        check_disqualify_reason(reason)
        why, callback = str(DisqualifyReason(reason).label), None
    else:
        raise ValueError(f"settle_many moves to nurture or disqualified, not {to}")
    moving = leads.filter(stage__in=SETTLE_FROM).exclude(stage=to).select_for_update()
    rows = list(moving.values_list("pk", "stage"))
    if not rows:
        return 0
    ids = [pk for pk, _stage in rows]
    record_moves([Move(pk, stage, to, by, now, why) for pk, stage in rows])
    Lead.objects.filter(pk__in=ids).update(stage=to, callback_at=callback)
    return len(rows)
