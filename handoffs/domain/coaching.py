"""Coaching notes (idea 5, "correct in private"): a manager's free-form notes and 1:1
records on one of their SDRs, linked to the handoffs they discuss."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sdr_ops import audit
from sdr_ops.models import User
from sdr_ops.notify import notify

from ..models import CoachingNote, Handoff

BODY_LENGTH = 5000
MAX_HANDOFFS = 20


@transaction.atomic
def write_note(
    sdr: User,
    *,
    by: User,
    kind: str,
    body: str,
    met_on: datetime.date | None = None,
    handoff_ids: list[int] | tuple[int, ...] = (),
) -> CoachingNote:
    """A note (or the record of a 1:1, which needs the day it took place) by the SDR's
    manager (`sdr` reached through sdr_ops.access.sdr_managed_by). The handoffs it discusses
    must be the SDR's own; any other id is refused, so a note never links another SDR's work.
    The SDR is told a note was written; the text stays between the two."""
    errors = {}
    if kind not in CoachingNote.Kind.values:
        errors["kind"] = _("Choose a note or a 1:1.")
    if not body.strip():
        errors["body"] = _("Write the note.")
    elif len(body) > BODY_LENGTH:
        errors["body"] = _("At most %(n)s characters.") % {"n": BODY_LENGTH}
    if kind == CoachingNote.Kind.ONE_ON_ONE and met_on is None:
        errors["met_on"] = _("Give the day of the 1:1.")
    ids = sorted(set(handoff_ids))
    linked = list(Handoff.objects.filter(pk__in=ids, sdr=sdr)) if ids else []
    if len(ids) > MAX_HANDOFFS or len(linked) != len(ids):
        errors["handoffs"] = _("Link only this SDR's handoffs.")
    if errors:
        raise ValidationError(errors)
    note = CoachingNote.objects.create(
        sdr=sdr, manager=by, kind=kind, body=body.strip(), met_on=met_on
    )
    note.handoffs.set(linked)
    audit.record(
        audit.Subject.COACHING, note.pk, audit.Action.COACHING_NOTE, by=by, after=note.kind
    )
    notify(
        [sdr],
        gettext_noop("%(manager)s wrote a coaching note for you."),
        {"manager": by},
        "/feedback/",
    )
    return note
