"""Writes of meetings: booking the first meeting with a handoff (or recording why there is
none), moving it, cancelling it when the handoff is rejected, and the AE's settings.

A slot is booked once. Booking locks the AE's row (SELECT ... FOR UPDATE), so two SDRs
booking the same AE are serialised and the second finds the slot taken; the unique
constraint `meeting_slot_booked_once` is the last word where locks do not exist (SQLite).
Invitations and calendar writes go out after the commit (tasks.deliver).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from handoffs.models import Handoff
from sdr_ops.models import Role, User

from . import calendars, invitations, slots
from .models import Availability, Meeting, WorkingHours


class SlotTaken(ValidationError):
    def __init__(self):
        super().__init__(
            {"meeting_slot": _("This slot was just booked by someone else: pick another.")}
        )


def _parse_slot(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"meeting_slot": _("Pick one of the slots offered.")}) from exc
    if timezone.is_naive(moment):
        raise ValidationError({"meeting_slot": _("Pick one of the slots offered.")})
    return moment


def _offered(ae: User, start: datetime.datetime, *, exclude: int | None = None) -> slots.Slot:
    """The free slot of the AE starting then; ValidationError when it is not one. Checked
    against the meetings booked here under the AE's lock; the CalDAV calendar was read when
    the slots were offered, and is not waited for while the lock is held."""
    offer = slots.free_slots(ae, limit=10_000, exclude=exclude, with_calendar=False)
    for slot in offer.slots:
        if slot.start == start:
            return slot
    raise SlotTaken


def _notify_on_commit(meeting: Meeting, method: str) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.deliver.delay(meeting_id=meeting.pk, method=method))


@transaction.atomic
def book(handoff: Handoff, *, by: User, slot: str, invite_prospect: bool = False) -> Meeting:
    """Books the handoff's first meeting with its AE in a free slot (an ISO time offered by
    `slots.free_slots`). Raises ValidationError when the slot is not free (any more).
    Side effects, after the commit: the REQUEST invitation to the AE (and the prospect when
    `invite_prospect` and the lead has an e-mail), the event in the AE's CalDAV calendar."""
    ae = User.objects.select_for_update().get(pk=handoff.ae_id)
    slot_ = _offered(ae, _parse_slot(slot))
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                handoff=handoff,
                ae=ae,
                booked_by=by,
                status=Meeting.Status.BOOKED,
                starts_at=slot_.start,
                ends_at=slot_.end,
                invite_prospect=invite_prospect,
            )
    except IntegrityError as exc:
        raise SlotTaken from exc
    _notify_on_commit(meeting, "REQUEST")
    return meeting


@transaction.atomic
def hand_off_without_meeting(handoff: Handoff, *, by: User, reason: str) -> Meeting:
    """Records that the handoff carries no meeting, and why (required)."""
    if not reason.strip():
        raise ValidationError({"no_meeting_reason": _("Say why the handoff carries no meeting.")})
    return Meeting.objects.create(
        handoff=handoff,
        ae_id=handoff.ae_id,
        booked_by=by,
        status=Meeting.Status.NONE,
        no_meeting_reason=reason.strip(),
    )


@transaction.atomic
def move(meeting: Meeting, *, by: User, slot: str) -> Meeting:
    """Moves a booked meeting to another free slot of the AE: same UID, next SEQUENCE, an
    updated REQUEST after the commit. Only the AE and the SDR who booked it may move it."""
    if by.pk not in (meeting.ae_id, meeting.booked_by_id):
        raise PermissionDenied
    User.objects.select_for_update().get(pk=meeting.ae_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.BOOKED:
        raise ValidationError(_("Only a booked meeting can be moved."))
    slot_ = _offered(meeting.ae, _parse_slot(slot), exclude=meeting.pk)
    meeting.starts_at, meeting.ends_at = slot_.start, slot_.end
    meeting.sequence += 1
    try:
        with transaction.atomic():
            meeting.save(update_fields=["starts_at", "ends_at", "sequence"])
    except IntegrityError as exc:
        raise SlotTaken from exc
    _notify_on_commit(meeting, "REQUEST")
    return meeting


def cancel_for_rejected(handoff: Handoff) -> None:
    """The handoff was rejected: its booked meeting is cancelled (next SEQUENCE, CANCEL
    after the commit) and its slot is free again."""
    meeting = (
        Meeting.objects.select_for_update()
        .filter(handoff=handoff, status=Meeting.Status.BOOKED)
        .first()
    )
    if meeting is None:
        return
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    _notify_on_commit(meeting, "CANCEL")


def deliver(meeting_id: int, *, method: str) -> int:
    """E-mails the invitation and brings the AE's CalDAV calendar in line (when connected);
    returns how many e-mails went out."""
    meeting = Meeting.objects.select_related("handoff__lead__account", "ae", "booked_by").get(
        pk=meeting_id
    )
    sent = invitations.send(meeting, method)
    availability = Availability.objects.filter(ae=meeting.ae).first()
    if availability is not None and availability.connected:
        if method == "CANCEL":
            calendars.remove_event(availability, meeting.uid)
        else:
            calendars.put_event(availability, meeting.uid, invitations.build(meeting, None))
    return sent


def _may_edit(ae: User, by: User) -> None:
    if ae.role != Role.AE or not (by.pk == ae.pk or by.has_role(Role.MANAGER)):
        raise PermissionDenied


@transaction.atomic
def set_availability(
    ae: User,
    *,
    by: User,
    hours: dict[int, tuple[datetime.time, datetime.time] | None],
    **settings,
) -> Availability:
    """The AE's meeting settings and working hours per weekday (None: no meetings that
    day). The AE sets their own, a manager anyone's."""
    _may_edit(ae, by)
    errors = {}
    for weekday, span in hours.items():
        if span is not None and span[1] <= span[0]:
            errors[f"end_{weekday}"] = _("The end must be after the start.")
    if errors:
        raise ValidationError(errors)
    availability, _created = Availability.objects.update_or_create(ae=ae, defaults=settings)
    WorkingHours.objects.filter(ae=ae).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(ae=ae, weekday=weekday, start=span[0], end=span[1])
        for weekday, span in hours.items()
        if span is not None
    )
    return availability
