"""Reads of handoffs shared by the pages, the API and the tasks: the AE's inbox, the review
desk and its flags, the praise feed and digest. Scoping to who asks is handoffs/access.py's."""

import datetime
import re
import statistics
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.models import Activity, Lead, QualificationStatus
from sdr_ops import calendar
from sdr_ops.access import sdrs_managed_by
from sdr_ops.models import User, snapshot_label

from . import hooks
from .models import HANDOFF_FROM, Handoff, PraisePost, PraiseReaction, RejectionReason, Review


def handoffs_of_lead(lead: Lead) -> list[Handoff]:
    """Every handoff of a lead, newest first, with AE, SDR and opportunity (the lead brief;
    one query, the opportunity joined as the AE and the SDR are)."""
    return list(
        Handoff.objects.filter(lead=lead)
        .select_related("ae", "sdr", "opportunity")
        .order_by("-created_at")
    )


def account_leads(leads: QuerySet[Lead]) -> list[Lead]:
    """The leads of a company page (already narrowed to what the viewer sees), each with its
    handoffs newest first and their opportunities, in three queries whatever their number."""
    return list(
        leads.select_related("owner")
        .prefetch_related(
            Prefetch(
                "handoffs",
                queryset=Handoff.objects.select_related("ae", "opportunity").order_by(
                    "-created_at"
                ),
            )
        )
        .order_by("-created_at", "-pk")
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


def _rank(field: str) -> Case:
    return Case(
        When(**{field: "A"}, then=Value(0)), When(**{field: "B"}, then=Value(1)), default=Value(2)
    )


def review_queue(
    manager: User,
    *,
    sdr: int | None = None,
    decision: str = "",
    certainty: str = "",
    by_gap: bool = False,
) -> QuerySet[Handoff]:
    """Handoffs of the manager's team not yet reviewed, newest first (or, `by_gap`, the
    declared certainty furthest above the computed one first), with what the flags need:
    whether a connected call came before and the comment's length. The cards' details are
    `review_cards`'s, read by id once the page of the queue is known."""
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
    # How many steps the SDR's pick is above the evidence (0 without a computed certainty).
    gap = Case(
        When(computed_certainty="", then=Value(0)),
        default=_rank("computed_certainty") - _rank("certainty"),
    )
    order = ["-certainty_gap", "-created_at", "-pk"] if by_gap else ["-created_at", "-pk"]
    return handoffs.annotate(
        connected_before=Exists(connected),
        comment_length=Length("comment"),
        certainty_gap=gap,
    ).order_by(*order)


def usual_comment_length(manager: User) -> float | None:
    """The median length of the team's handoff comments over the last 90 days."""
    since = timezone.now() - datetime.timedelta(days=90)
    handoffs = Handoff.objects.filter(created_at__gte=since)
    if not manager.is_admin:
        handoffs = handoffs.filter(sdr__in=sdrs_managed_by(manager))
    lengths = list(handoffs.annotate(n=Length("comment")).values_list("n", flat=True))
    return statistics.median(lengths) if lengths else None


# What the flags read of a handoff: the fields of a row of `flags_of_queue`.
FLAG_FIELDS = (
    "checklist",
    "rejection_reason",
    # the certainty flag's (declared above the evidence, and why)
    "certainty",
    "computed_certainty",
    "certainty_reason",
    # annotated by review_queue
    "connected_before",
    "comment_length",
)


def _flag_row(handoff: Handoff) -> dict:
    """A handoff's fields as a row of `flags_of_queue` has them; without review_queue's
    annotations, a connected call is assumed and the length counted."""
    row = {name: getattr(handoff, name, None) for name in FLAG_FIELDS[:5]}
    row["connected_before"] = getattr(handoff, "connected_before", True)
    # Not getattr's default: it would read the comment even where the length is annotated.
    row["comment_length"] = (
        handoff.comment_length if hasattr(handoff, "comment_length") else len(handoff.comment)
    )
    return row


def _found(row: dict, usual_length: float | None) -> list[tuple[str, object]]:
    """The flags of a row as codes, each with what its text names (the checklist row of a
    single question, the comment's length), before any text is written."""
    found: list[tuple[str, object]] = [
        ("single_question", item)
        for item in row["checklist"] or ()
        if item.get("status") == QualificationStatus.NOT_DISCLOSED
        and single_direct_question(item.get("questions", ""))
    ]
    if row["computed_certainty"] and row["certainty"] < row["computed_certainty"]:
        found.append(("above_evidence", None))
    if not row["connected_before"]:
        found.append(("no_connected_call", None))
    length = row["comment_length"]
    if usual_length and length < SHORT_COMMENT_SHARE * usual_length:
        found.append(("short_comment", length))
    if row["rejection_reason"] == RejectionReason.INSUFFICIENT_QUALIFICATION:
        found.append(("insufficient_qualification", None))
    return found


def _flag_text(code: str, subject, row: dict, usual_length: float | None) -> str:
    if code == "single_question":
        return _("%(item)s: “asked but not disclosed” after a single direct question") % {
            "item": snapshot_label(subject)
        }
    if code == "above_evidence":
        text = _("Declared %(declared)s, evidence says %(computed)s") % {
            "declared": row["certainty"],
            "computed": row["computed_certainty"],
        }
        if row["certainty_reason"]:
            text += _(" (the SDR's reason: %(reason)s)") % {"reason": row["certainty_reason"]}
        return text
    if code == "no_connected_call":
        return _("No connected call before the handoff")
    if code == "short_comment":
        return _(
            "Comment far shorter than the team's usual (%(n)s characters, usually %(usual)s)"
        ) % {
            "n": subject,
            "usual": round(usual_length),
        }
    return _("The AE rejected it for insufficient qualification")


def flags(handoff: Handoff | dict, usual_length: float | None) -> list[Flag]:
    """What deserves a closer look in this handoff (a Handoff, or a row of `flags_of_queue`):
    a single direct question before "not disclosed", a declared certainty above the
    evidence, no connected call before, a comment far shorter than the team's usual, an AE's
    rejection for insufficient qualification."""
    row = handoff if isinstance(handoff, dict) else _flag_row(handoff)
    return [
        Flag(code, _flag_text(code, subject, row, usual_length))
        for code, subject in _found(row, usual_length)
    ]


# The flags the desk filters by, in the order it offers them.
FLAG_LABELS = {
    "single_question": gettext_lazy("Asked but not disclosed after a single direct question"),
    "no_connected_call": gettext_lazy("No connected call before the handoff"),
    "short_comment": gettext_lazy("Comment far shorter than the team's usual"),
    "insufficient_qualification": gettext_lazy("The AE rejected it for insufficient qualification"),
}


def flags_of_queue(
    queue: QuerySet[Handoff], usual_length: float | None
) -> dict[int, tuple[list[str], dict]]:
    """The flag codes of every handoff of the queue, newest first, each with its row (the
    fields the flags read, for the texts of the cards shown): what the desk filters, sorts
    and counts by. One light query of plain rows, no model instances."""
    rows = queue.values("pk", *FLAG_FIELDS)
    return {
        row["pk"]: ([code for code, _subject in _found(row, usual_length)], row) for row in rows
    }


def review_cards(ids: list[int]) -> list[Handoff]:
    """The desk's cards, in the order of `ids` (a page of `flags_of_queue`, already scoped
    and filtered), with lead, company, SDR and AE: one query by id, without the queue's
    filters, which the ids have passed."""
    cards = Handoff.objects.select_related("lead__account", "sdr", "ae").order_by().in_bulk(ids)
    return [cards[pk] for pk in ids if pk in cards]


# The call notes a card shows: the last ones before the handoff.
CALL_NOTES_SHOWN = 5


def call_notes(handoffs: list[Handoff]) -> dict[int, list[dict]]:
    """Each handoff's last `CALL_NOTES_SHOWN` activities with notes, of its lead and no
    later than the handoff, newest first (`started_at` and `notes` of each), by handoff id.
    One query, bounded per handoff by a window in the database (SQLite and PostgreSQL alike)
    rather than every activity of the leads read to keep five. Written in SQL: the ORM's
    form of it (a window filtered through two nested subqueries) took about 2 ms of CPU a
    request to build and compile, as long as the rest of the query."""
    ids = [h.pk for h in handoffs]
    if not ids:
        return {}
    sql = f"""
        SELECT id, started_at, notes, handoff_id FROM (
            SELECT a.id, a.started_at, a.notes, h.id AS handoff_id, ROW_NUMBER() OVER (
                PARTITION BY h.id ORDER BY a.started_at DESC, a.id DESC
            ) AS place
            FROM {Handoff._meta.db_table} h
            JOIN {Activity._meta.db_table} a ON a.lead_id = h.lead_id
            WHERE h.id IN ({", ".join(["%s"] * len(ids))})
                AND a.started_at <= h.created_at AND a.notes <> ''
        ) ranked
        WHERE place <= %s ORDER BY handoff_id, place
    """  # the table names from the models, every value a parameter
    notes: dict[int, list[dict]] = {pk: [] for pk in ids}
    for activity in Activity.objects.raw(sql, [*ids, CALL_NOTES_SHOWN]):
        notes[activity.handoff_id].append(
            {"started_at": activity.started_at, "notes": activity.notes}
        )
    return notes


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


# -- coaching -----------------------------------------------------------------------------

# A coaching note links handoffs of the last half year.
NOTE_HANDOFF_DAYS = 183


def handoffs_to_discuss(sdr: User) -> QuerySet[Handoff]:
    """The SDR's handoffs a coaching note may link, newest first."""
    since = timezone.now() - datetime.timedelta(days=NOTE_HANDOFF_DAYS)
    return (
        Handoff.objects.filter(sdr=sdr, created_at__gte=since)
        .select_related("lead__account")
        .order_by("-created_at", "-pk")
    )


def linked_handoffs() -> QuerySet[Handoff]:
    """The handoffs a note links, as its card shows them (a prefetch's queryset)."""
    return Handoff.objects.select_related("lead__account").order_by("-created_at")


# How a rating counts in the weekly score of the trend: exemplary 2, solid 1, needs work 0.
RATING_SCORE = {Review.Rating.EXEMPLARY: 2, Review.Rating.SOLID: 1, Review.Rating.NEEDS_WORK: 0}


def rating_trend(reviews: QuerySet[Review], zone, today: datetime.date, weeks: int = 12) -> list:
    """The reviews' ratings week by week over the `weeks` weeks up to this one, oldest first:
    each week's count per rating and its mean score (exemplary 2, solid 1, needs work 0;
    None in a week without a review). One query over those weeks' reviews."""
    last = calendar.Week.containing(today, zone)
    first = last.shifted(-(weeks - 1))
    rows = [
        {"week": first.shifted(n), "counts": dict.fromkeys(Review.Rating.values, 0)}
        for n in range(weeks)
    ]
    found = reviews.filter(created_at__gte=first.start, created_at__lt=last.stop)
    for created_at, rating in found.values_list("created_at", "rating"):
        index = (calendar.monday_of(created_at.astimezone(zone).date()) - first.monday).days // 7
        if 0 <= index < weeks and rating in RATING_SCORE:
            rows[index]["counts"][rating] += 1
    for row in rows:
        total = sum(row["counts"].values())
        row["total"] = total
        row["score"] = (
            sum(RATING_SCORE[r] * n for r, n in row["counts"].items()) / total if total else None
        )
        row["label"] = row["week"].label
        row["cells"] = [row["counts"][rating] for rating in Review.Rating.values]
    return rows
