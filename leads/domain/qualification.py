"""The qualification checklist: one item of a lead at a time, every change kept."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.models import User

from ..models import Lead, QualificationAnswer, QualificationChange, QualificationStatus


def check_answer(status: str, answer: str, questions: str, reason: str) -> None:
    """Raises ValidationError when the status lacks what it needs (see set_qualification)."""
    errors = {}
    if status == QualificationStatus.CONFIRMED and not answer.strip():
        errors["answer"] = _("Write down the answer that was confirmed.")
    if status == QualificationStatus.NOT_DISCLOSED and not questions.strip():
        errors["questions"] = _(
            "Write down the exact questions you used, so a manager can tell a real "
            "“they wouldn't say” from a forgotten question."
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
        audit.Subject.LEAD,
        lead.pk,
        audit.Action.QUALIFICATION,
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
