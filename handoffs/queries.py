"""Reads of handoffs shared by the pages, the API and the tasks: the AE's inbox, the review
desk and its flags, the praise feed and digest. Scoping to who asks is handoffs/access.py's."""

import datetime
import re
import statistics
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Activity, Lead, QualificationStatus
from sdr_ops import calendar
from sdr_ops.access import sdrs_managed_by
from sdr_ops.models import User, snapshot_label

from . import hooks
from .models import HANDOFF_FROM, Handoff, PraisePost, PraiseReaction, RejectionReason, Review


def handoffs_of_lead(lead: Lead) -> list[Handoff]:
    """Every handoff of a lead, newest first, with AE, SDR and opportunity (the lead brief)."""
    return list(
        Handoff.objects.filter(lead=lead)
        .select_related("ae", "sdr")
        .prefetch_related(Prefetch("opportunity"))
        .order_by("-created_at")
    )


def may_hand_off(lead: Lead, handoffs: list[Handoff]) -> bool:
    """Whether the lead can be handed off now, given its handoffs: in a stage a handoff starts
    from, and none waiting for a decision (hand_off checks the same, and more)."""
    return lead.stage in HANDOFF_FROM and not any(
        h.status == Handoff.Status.PENDING for h in handoffs
    )


def inbox(ae: User) -> QuerySet[Handoff]:
    """Pending handoffs addressed to the AE, oldest first."""
    return (
        Handoff.objects.filter(ae=ae, status=Handoff.Status.PENDING)
        .select_related("lead__account", "sdr", *hooks.inbox_related)
        .order_by("created_at", "pk")
    )


# -- the review desk (idea 5) ------------------------------------------------------------

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
        handoffs = handoffs.filter(sdr__in=sdrs_managed_by(manager))
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
        handoffs = handoffs.filter(sdr__in=sdrs_managed_by(manager))
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
                    _("%(item)s: “asked but not disclosed” after a single direct question")
                    % {"item": snapshot_label(row)},
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


# -- the praise digest ------------------------------------------------------------------------


def parse_week(value: str | None, today: datetime.date) -> datetime.date:
    """The Monday of an ISO week written 2026-W47; the last full week when none is given (or
    it cannot be read)."""
    if value:
        try:
            return calendar.parse_week(value)
        except ValueError:
            pass
    return calendar.previous_monday(today)


def posts_of_week(monday: datetime.date, zone) -> QuerySet[PraisePost]:
    week = calendar.Week(monday, zone)
    return (
        PraisePost.objects.filter(created_at__gte=week.start, created_at__lt=week.stop)
        .select_related("sdr")
        .order_by("created_at", "pk")
    )
