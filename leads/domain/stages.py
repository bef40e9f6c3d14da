"""Stage moves of a lead, each kept with who made it and when."""

import datetime

from django.db import transaction
from django.utils import timezone

from sdr_ops import audit
from sdr_ops.models import User

from ..models import Lead, StageChange


@transaction.atomic
def change_stage(
    lead: Lead, *, to: str, by: User | None, at: datetime.datetime | None = None
) -> StageChange | None:
    """Moves the lead to another stage and records who did it and when (a StageChange and an
    audit event, in the same transaction).

    Returns None (and records nothing) when the lead is already in that stage.
    """
    if lead.stage == to:
        return None
    change = StageChange.objects.create(
        lead=lead, from_stage=lead.stage, to_stage=to, by=by, at=at or timezone.now()
    )
    audit.record(
        audit.Subject.LEAD,
        lead.pk,
        audit.Action.STAGE,
        by=by,
        lead_id=lead.pk,
        before=lead.stage,
        after=to,
    )
    lead.stage = to
    lead.save(update_fields=["stage"])
    return change
