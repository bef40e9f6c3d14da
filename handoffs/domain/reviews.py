"""Reviews and praise (idea 5): the manager's private review of a handoff, praise shared
where every department sees it, and the reactions to it. The desk's reads are in queries."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sdr_ops import audit, limits
from sdr_ops.models import User
from sdr_ops.notify import notify

from ..models import Handoff, PraisePost, PraiseReaction, Review


def record_review(
    handoff: Handoff,
    *,
    by: User,
    rating: str,
    feedback: str,
    item_notes: dict[str, str] | None = None,
    share: bool = False,
    praise_note: str = "",
    excerpt: str = "",
) -> Review:
    """The manager's review of a handoff (reached through handoffs.access.handoff_to_review):
    private to them and the SDR, who is told of it. With `share`, the handoff also goes to
    the praise feed with `praise_note` (why it is good, required) and the excerpt.

    A handoff is reviewed once. Everything is checked before anything is written, and the
    review, its praise, the audit record and the notification stand or fall together: a
    share without its note is refused as a whole (no review saved, nobody notified)."""
    errors = {}
    if rating not in Review.Rating.values:
        errors["rating"] = _("Choose a rating.")
    if not feedback.strip():
        errors["feedback"] = _("Write the feedback the SDR will read.")
    elif len(feedback) > limits.NOTE:
        errors["feedback"] = limits.too_long(limits.NOTE)
    if any(len(note or "") > limits.REASON for note in (item_notes or {}).values()):
        errors["item_notes"] = limits.too_long(limits.REASON)
    if share and not praise_note.strip():
        errors["note"] = _("Say in a line why this handoff is good.")
    elif len(praise_note) > limits.REASON:
        errors["note"] = limits.too_long(limits.REASON)
    if errors:
        raise ValidationError(errors)
    notes = {k: v.strip() for k, v in (item_notes or {}).items() if v and v.strip()}
    try:
        with transaction.atomic():
            review = Review.objects.create(
                handoff=handoff,
                manager=by,
                rating=rating,
                feedback=feedback.strip(),
                item_notes=notes,
            )
            audit.record(
                audit.Subject.REVIEW,
                review.pk,
                audit.Action.REVIEWED,
                by=by,
                lead_id=handoff.lead_id,
                after=review.rating,
            )
            if share:
                _post(review, by=by, note=praise_note, excerpt=excerpt)
            notify(
                [handoff.sdr],
                gettext_noop("%(manager)s reviewed your handoff of %(lead)s."),
                {"manager": by, "lead": handoff.lead},
                "/feedback/",
            )
    except IntegrityError as exc:
        raise ValidationError(_("This handoff is reviewed already.")) from exc
    return review


def share_praise(review: Review, *, by: User, note: str, excerpt: str = "") -> PraisePost:
    """Shares a handoff reviewed earlier as praise: the SDR's name, the company, the excerpt
    the manager chose (the comment by default) and why it is good. The feedback stays
    private. Only the review's author shares it, whoever calls; a review is shared once."""
    if by.pk != review.manager_id:
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say in a line why this handoff is good.")})
    if len(note) > limits.REASON:
        raise ValidationError({"note": limits.too_long(limits.REASON)})
    if len(excerpt) > limits.NOTE:
        raise ValidationError({"excerpt": limits.too_long(limits.NOTE)})
    try:
        with transaction.atomic():
            return _post(review, by=by, note=note, excerpt=excerpt)
    except IntegrityError as exc:
        raise ValidationError(_("This handoff is shared already.")) from exc


def _post(review: Review, *, by: User, note: str, excerpt: str) -> PraisePost:
    handoff = review.handoff
    return PraisePost.objects.create(
        review=review,
        sdr=handoff.sdr,
        company=handoff.lead.account.name,
        excerpt=(excerpt.strip() or handoff.comment),
        note=note.strip(),
        created_by=by,
    )


def mark_read(review: Review, *, by: User) -> None:
    """The SDR has read the review of their handoff (only they mark it)."""
    if review.handoff.sdr_id != by.pk:
        raise PermissionDenied
    if review.read_at is None:
        review.read_at = timezone.now()
        review.save(update_fields=["read_at"])


@transaction.atomic
def toggle_reaction(post: PraisePost, *, by: User, kind: str) -> bool:
    """Adds the reaction, or takes it back when it is there; True when it is there now.

    Concurrency: the post's row is locked first, so two toggles of the same post (a double
    click, two tabs) take turns and end as the same two clicks one after the other would:
    the second sees the first's reaction and takes it back, never a unique-constraint error.
    """
    if kind not in PraiseReaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    PraisePost.objects.select_for_update().filter(pk=post.pk).values_list("pk").first()
    existing = PraiseReaction.objects.filter(post=post, user=by, kind=kind)
    if existing.exists():
        existing.delete()
        return False
    PraiseReaction.objects.create(post=post, user=by, kind=kind)
    return True
