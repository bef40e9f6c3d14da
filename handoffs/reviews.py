"""The manager's review desk (idea 5): what deserves a closer look, private reviews, and praise
shared where every department sees it.

The flags point at handoffs to read closely; they judge nothing on their own.
"""

import datetime
import re
import statistics
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from leads.models import Activity, QualificationStatus
from leads.queries import team_sdrs
from sdr_ops import audit
from sdr_ops.models import Role, User
from sdr_ops.notify import notify

from .models import Handoff, PraisePost, PraiseReaction, RejectionReason, Review

# A comment shorter than this share of the team's median length is flagged.
SHORT_COMMENT_SHARE = 0.5
_SENTENCE_END = re.compile(r"[.?!？。;\n]+")


def single_direct_question(questions: str) -> bool:
    """True when the questions used come down to one question: at most one question mark and
    one sentence ("What's your budget?"), rather than the indirect sequence the method asks
    for (how such projects get approved, whether budget moves from another project ...)."""
    marks = questions.count("?") + questions.count("？")
    sentences = [s for s in _SENTENCE_END.split(questions) if s.strip()]
    return marks <= 1 and len(sentences) <= 1


@dataclass
class Flag:
    code: str
    text: str


def review_queue(
    manager: User, *, sdr: int | None = None, decision: str = "", certainty: str = ""
) -> QuerySet[Handoff]:
    """Handoffs of the manager's team not yet reviewed, newest first, with what the flags need:
    whether a connected call came before, the comment's length, the lead's activities."""
    handoffs = Handoff.objects.filter(review__isnull=True)
    if not manager.is_admin:
        handoffs = handoffs.filter(sdr__in=team_sdrs(manager))
    if sdr:
        handoffs = handoffs.filter(sdr_id=sdr)
    if decision:
        handoffs = handoffs.filter(status=decision)
    if certainty:
        handoffs = handoffs.filter(certainty=certainty)
    connected = Activity.objects.filter(
        lead=OuterRef("lead"),
        type=Activity.Type.CALL,
        outcome=Activity.Outcome.CONNECTED,
        started_at__lte=OuterRef("created_at"),
    )
    return (
        handoffs.select_related("lead__account", "sdr", "ae")
        .annotate(connected_before=Exists(connected), comment_length=Length("comment"))
        .prefetch_related(
            Prefetch("lead__activities", queryset=Activity.objects.order_by("-started_at"))
        )
        .order_by("-created_at", "-pk")
    )


def usual_comment_length(manager: User) -> float | None:
    """The median length of the team's handoff comments over the last 90 days."""
    since = timezone.now() - datetime.timedelta(days=90)
    handoffs = Handoff.objects.filter(created_at__gte=since)
    if not manager.is_admin:
        handoffs = handoffs.filter(sdr__in=team_sdrs(manager))
    lengths = list(handoffs.annotate(n=Length("comment")).values_list("n", flat=True))
    return statistics.median(lengths) if lengths else None


def flags(handoff: Handoff, usual_length: float | None) -> list[Flag]:
    """What deserves a closer look in this handoff (see the module's docstring)."""
    found = []
    for row in handoff.checklist:
        if row.get("status") == QualificationStatus.NOT_DISCLOSED and single_direct_question(
            row.get("questions", "")
        ):
            found.append(
                Flag(
                    "single_question",
                    _(
                        "%(item)s: \u201casked but not disclosed\u201d after a single "
                        "direct question"
                    )
                    % {"item": row.get("label") or row.get("item")},
                )
            )
    if not getattr(handoff, "connected_before", True):
        found.append(Flag("no_connected_call", _("No connected call before the handoff")))
    length = getattr(handoff, "comment_length", len(handoff.comment))
    if usual_length and length < SHORT_COMMENT_SHARE * usual_length:
        found.append(
            Flag(
                "short_comment",
                _("Comment far shorter than the team's usual (%(n)s characters, usually %(usual)s)")
                % {"n": length, "usual": round(usual_length)},
            )
        )
    if handoff.rejection_reason == RejectionReason.INSUFFICIENT_QUALIFICATION:
        found.append(
            Flag(
                "insufficient_qualification", _("The AE rejected it for insufficient qualification")
            )
        )
    return found


def _manages(manager: User, sdr: User) -> bool:
    return manager.is_admin or (
        manager.role == Role.MANAGER and team_sdrs(manager).filter(pk=sdr.pk).exists()
    )


def record_review(
    handoff: Handoff,
    *,
    by: User,
    rating: str,
    feedback: str,
    item_notes: dict[str, str] | None = None,
) -> Review:
    """The manager's review of a handoff of their team: private to them and the SDR, who is
    told of it. A handoff is reviewed once."""
    if not _manages(by, handoff.sdr):
        raise PermissionDenied
    errors = {}
    if rating not in Review.Rating.values:
        errors["rating"] = _("Choose a rating.")
    if not feedback.strip():
        errors["feedback"] = _("Write the feedback the SDR will read.")
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
    except IntegrityError as exc:
        raise ValidationError(_("This handoff is reviewed already.")) from exc
    audit.record(
        "review", review.pk, "reviewed", by=by, lead_id=handoff.lead_id, after=review.rating
    )
    notify(
        [handoff.sdr],
        gettext_noop("%(manager)s reviewed your handoff of %(lead)s."),
        {"manager": by, "lead": handoff.lead},
        "/feedback/",
    )
    return review


def share_praise(review: Review, *, by: User, note: str, excerpt: str = "") -> PraisePost:
    """Shares the reviewed handoff as praise: the SDR's name, the company, the excerpt the
    manager chose (the comment by default) and why it is good. The feedback stays private."""
    if by.pk != review.manager_id:
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say in a line why this handoff is good.")})
    handoff = review.handoff
    try:
        with transaction.atomic():
            return PraisePost.objects.create(
                review=review,
                sdr=handoff.sdr,
                company=handoff.lead.account.name,
                excerpt=(excerpt.strip() or handoff.comment),
                note=note.strip(),
                created_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This handoff is shared already.")) from exc


def reviews_visible_to(user: User) -> QuerySet[Review]:
    """A review is visible to the manager who wrote it and the SDR reviewed, nobody else."""
    return Review.objects.filter(Q(manager=user) | Q(handoff__sdr=user))


def mark_read(review: Review, *, by: User) -> None:
    if review.handoff.sdr_id != by.pk:
        raise PermissionDenied
    if review.read_at is None:
        review.read_at = timezone.now()
        review.save(update_fields=["read_at"])


def toggle_reaction(post: PraisePost, *, by: User, kind: str) -> bool:
    """Adds the reaction, or takes it back when it is there; True when it is there now."""
    if kind not in PraiseReaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    existing = PraiseReaction.objects.filter(post=post, user=by, kind=kind)
    if existing.exists():
        existing.delete()
        return False
    PraiseReaction.objects.create(post=post, user=by, kind=kind)
    return True


def recurring_gaps(reviews: QuerySet[Review]) -> list[tuple[str, int]]:
    """How often each checklist item got a note in these reviews, most frequent first."""
    counts: dict[str, int] = {}
    for notes in reviews.values_list("item_notes", flat=True):
        for item in notes or {}:
            counts[item] = counts.get(item, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def feed() -> QuerySet[PraisePost]:
    """The praise feed, newest first, with reaction counts per kind."""
    return (
        PraisePost.objects.select_related("sdr")
        .annotate(
            **{
                f"n_{kind}": Count("reactions", filter=Q(reactions__kind=kind))
                for kind in PraiseReaction.Kind.values
            }
        )
        .order_by("-created_at", "-pk")
    )
