"""The audit trail: every state change that matters, with actor and time (AuditEvent).

`record` writes one event; `record_many` writes the events of a set-based change in one
INSERT. Both run inside the caller's transaction, so a change and its record stand or fall
together."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User

ACTIONS = {
    "stage": _("stage changed"),
    "qualification": _("checklist item changed"),
    "handed_off": _("handed off"),
    "accepted": _("accepted"),
    "rejected": _("rejected"),
    "created": _("opportunity created"),
    "amount": _("amount revised"),
    "won": _("closed as won"),
    "lost": _("closed as lost"),
    "capacity": _("capacity changed"),
    "reduction_added": _("capacity reduction added"),
    "reduction_removed": _("capacity reduction removed"),
    "reviewed": _("reviewed"),
    "imported": _("imported"),
}


def _text(value) -> str:
    """Amounts without trailing zeros (1000000, not 1000000.00); None as nothing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def record(
    subject: str,
    subject_id: int,
    action: str,
    *,
    by: User | None,
    lead_id: int | None = None,
    field: str = "",
    before="",
    after="",
    via: str = "app",
) -> AuditEvent:
    return AuditEvent.objects.create(
        subject=subject,
        subject_id=subject_id,
        lead_id=lead_id,
        action=action,
        actor=by,
        field=field,
        before=_text(before),
        after=_text(after),
        via=via,
    )


def record_many(
    subject: str,
    ids: Iterable[int],
    action: str,
    *,
    by: User | None = None,
    field: str = "",
    before="",
    after="",
    via: str = "import",
    leads: bool = True,
) -> int:
    """The same change to many rows of one kind, as one bulk insert."""
    now = timezone.now()
    events = [
        AuditEvent(
            subject=subject,
            subject_id=pk,
            lead_id=pk if leads else None,
            action=action,
            actor=by,
            field=field,
            before=_text(before),
            after=_text(after),
            via=via,
            at=now,
        )
        for pk in ids
    ]
    AuditEvent.objects.bulk_create(events, batch_size=5000)
    return len(events)


def for_lead(lead_id: int, *, with_reviews: bool) -> QuerySet[AuditEvent]:
    """The trail shown on a lead's brief: the lead, its handoffs and opportunities (and the
    reviews, for those who may read them)."""
    events = AuditEvent.objects.filter(lead_id=lead_id).select_related("actor")
    if not with_reviews:
        events = events.filter(~Q(subject=AuditEvent.Subject.REVIEW))
    return events


def for_capacity(ae_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        subject=AuditEvent.Subject.CAPACITY, subject_id=ae_id
    ).select_related("actor")


def label(event: AuditEvent) -> str:
    return str(ACTIONS.get(event.action, event.action))
