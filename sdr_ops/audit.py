"""The audit trail: every state change that matters, with actor and time (AuditEvent).

Subjects (`Subject`, the kinds of thing changed) and actions (`Action`) are named here once;
callers pass the constants, never bare strings.

`record` writes one event; `record_many` writes the events of a set-based change in one
INSERT. Both run inside the caller's transaction, so a change and its record stand or fall
together."""

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User


# What a record says about its subject (AuditEvent.Subject): the event's `action`, with the
# words the trail shows for it.
class Action(models.TextChoices):
    STAGE = "stage", _("stage changed")
    QUALIFICATION = "qualification", _("checklist item changed")
    HANDED_OFF = "handed_off", _("handed off")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    CREATED = "created", _("opportunity created")
    AMOUNT = "amount", _("amount revised")
    WON = "won", _("closed as won")
    LOST = "lost", _("closed as lost")
    CAPACITY = "capacity", _("capacity changed")
    REDUCTION_ADDED = "reduction_added", _("capacity reduction added")
    REDUCTION_REMOVED = "reduction_removed", _("capacity reduction removed")
    REVIEWED = "reviewed", _("reviewed")
    IMPORTED = "imported", _("imported")
    TEAM_SETTINGS = "team_settings", _("team settings changed")
    LEAD_CREATED = "lead_created", _("lead created")
    EDITED = "edited", _("changed")
    LISTED = "listed", _("added to a call list")
    AMOUNT_CORRECTED = "amount_corrected", _("amount at creation corrected")
    TASK_CREATED = "task_created", _("task set")
    TASK_DONE = "task_done", _("task done")
    TASK_MOVED = "task_moved", _("task moved")
    CALL_LISTS_REBUILT = "call_lists_rebuilt", _("call lists rebuilt")
    COACHING_NOTE = "coaching_note", _("coaching note written")
    CADENCE_SAVED = "cadence_saved", _("cadence saved")
    CADENCE_VERSIONED = "cadence_versioned", _("cadence saved as a new version")
    ENROLLED = "enrolled", _("enrolled in a cadence")
    PAUSED = "paused", _("cadence paused")
    RESUMED = "resumed", _("cadence resumed")
    FINISHED = "finished", _("cadence finished")
    OPTED_OUT = "opted_out", _("opted out of e-mail")
    BOUNCED = "bounced", _("e-mail address bounced")
    MAIL_SETTINGS = "mail_settings", _("cadence mail settings changed")
    MAILBOX = "mailbox", _("mailbox changed")


Subject = AuditEvent.Subject


def _text(value) -> str:
    """Amounts without trailing zeros (1000000, not 1000000.00); None as nothing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def record(
    subject: Subject,
    subject_id: int,
    action: Action,
    *,
    by: User | None,
    lead_id: int | None = None,
    field: str = "",
    before="",
    after="",
    via: str = "app",
) -> AuditEvent:
    """One change, recorded inside the caller's transaction."""
    event = _event(subject, subject_id, action, by, lead_id, field, before, after, via)
    event.save(force_insert=True)
    return event


def event(
    subject: Subject,
    subject_id: int,
    action: Action,
    *,
    by: User | None,
    lead_id: int | None = None,
    field: str = "",
    before="",
    after="",
    via: str = "app",
) -> AuditEvent:
    """One unsaved event, for a set-based change that writes its events in one bulk INSERT
    (each with its own before and after, which `record_many` cannot give)."""
    return _event(subject, subject_id, action, by, lead_id, field, before, after, via)


def _event(subject, subject_id, action, by, lead_id, field, before, after, via, at=None):
    """One unsaved AuditEvent; `record` saves it, `record_many` inserts many at once."""
    return AuditEvent(
        subject=subject,
        subject_id=subject_id,
        lead_id=lead_id,
        action=action,
        actor=by,
        field=field,
        before=_text(before),
        after=_text(after),
        via=via,
        at=at or timezone.now(),
    )


def record_many(
    subject: Subject,
    ids: Iterable[int],
    action: Action,
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
    lead_of = (lambda pk: pk) if leads else (lambda pk: None)
    events = [
        _event(subject, pk, action, by, lead_of(pk), field, before, after, via, at=now)
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
    return str(Action(event.action).label) if event.action in Action.values else event.action


def for_team(team_id: int) -> QuerySet[AuditEvent]:
    """The trail of a team's settings, newest first."""
    return (
        AuditEvent.objects.filter(subject=AuditEvent.Subject.TEAM, subject_id=team_id)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


# How the trail words a change's field and values, per action: the app that records the action
# says (in its AppConfig.ready, since sdr_ops imports no app), so that no stored code ("working",
# "not_asked", "bad_timing") reaches a person. Unregistered values show as recorded.
_WORDS: dict[str, tuple[Callable[[str], str] | None, Callable[[str], str] | None]] = {}


def register_words(
    action: Action,
    *,
    field: Callable[[str], str] | None = None,
    value: Callable[[str], str] | None = None,
) -> None:
    _WORDS[str(action)] = (field, value)


def choice_words(choices) -> Callable[[str], str]:
    """A value's label among (value, label) choices, in the reader's language."""

    def word(value: str) -> str:
        return str(dict(choices).get(value, value))

    return word


def words(event: AuditEvent) -> tuple[str, str, str]:
    """The event's field, before and after as the reader reads them."""
    field_word, value_word = _WORDS.get(event.action, (None, None))
    field = field_word(event.field) if field_word and event.field else event.field
    before = value_word(event.before) if value_word and event.before else event.before
    after = value_word(event.after) if value_word and event.after else event.after
    return str(field), str(before), str(after)
