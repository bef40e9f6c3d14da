"""The review desk, coaching notes, the SDR's feedback page and the praise feed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar
from sdr_ops.access import role_required, sdr_managed_by, sdrs_visible_to
from sdr_ops.converters import MAX_ID
from sdr_ops.forms import add_errors
from sdr_ops.models import Role
from sdr_ops.paging import query_without_page

from . import access, queries
from .domain import coaching as coaching_domain
from .domain import reviews
from .forms import CoachingNoteForm, PraiseForm, ReviewForm
from .models import Certainty, CoachingNote, Handoff, Review

DESK_PAGE_SIZE = 20


@role_required(Role.MANAGER)
def desk(request: HttpRequest) -> HttpResponse:
    """Handoffs of the team not yet reviewed, newest first, each with what deserves a look."""
    return _desk(request)


def _desk(request: HttpRequest, refused: tuple[Handoff, ReviewForm] | None = None) -> HttpResponse:
    """The desk; with `refused`, that handoff's card shows first with the review as typed and
    its errors (answered 400, nothing saved)."""
    try:
        sdr = int(request.GET.get("sdr") or 0) or None
    except ValueError:
        sdr = None
    if sdr is not None and not 0 < sdr <= MAX_ID:
        sdr = None  # no row has such an id; the database's integers cannot even hold some
    decision = request.GET.get("decision", "")
    decision = decision if decision in Handoff.Status.values else ""
    certainty = request.GET.get("certainty", "")
    certainty = certainty if certainty in Certainty.values else ""
    flag = request.GET.get("flag", "")
    flag = flag if flag in queries.FLAG_LABELS else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort in ("flags", "gap") else ""
    queued = queries.review_queue(
        request.user, sdr=sdr, decision=decision, certainty=certainty, by_gap=sort == "gap"
    )
    usual = queries.usual_comment_length(request.user)
    flagged = queries.flags_of_queue(queued, usual)
    order = [pk for pk, (codes, _row) in flagged.items() if not flag or flag in codes]
    if sort == "flags":
        order.sort(key=lambda pk: -len(flagged[pk][0]))  # stable: newest first within a count
    # 20 a page: each card carries its checklist and a review form.
    page = Paginator(order, DESK_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    if refused is not None and refused[0].pk in flagged:  # not when the filters leave it out
        shown = [refused[0].pk, *[pk for pk in shown if pk != refused[0].pk]]
    queue = queries.review_cards(shown)
    notes = queries.call_notes(queue)
    for handoff in queue:
        handoff.flags = queries.flags(flagged[handoff.pk][1], usual)
        handoff.call_notes = notes[handoff.pk]
        # A fresh form is blank: the cards write it without one built for each.
        handoff.review_form = refused[1] if refused and handoff.pk == refused[0].pk else None
    sdrs = sdrs_visible_to(request.user).order_by("first_name")
    return render(
        request,
        "handoffs/review_desk.html",
        {
            "queue": queue,
            "page": page,
            "query": query_without_page(request),
            "sdrs": sdrs,
            "ratings": Review.Rating.choices,
            "filters": {
                "sdr": sdr,
                "decision": decision,
                "certainty": certainty,
                "flag": flag,
                "sort": sort,
            },
            "flag_choices": [
                (code, label, sum(code in codes for codes, _row in flagged.values()))
                for code, label in queries.FLAG_LABELS.items()
            ],
            "waiting": len(flagged),
            "decisions": Handoff.Status.choices,
            "certainties": Certainty.choices,
        },
        status=400 if refused is not None else 200,
    )


@require_POST
@role_required(Role.MANAGER)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Records the review and, when asked, shares the handoff as praise. Refused, the desk
    comes back with the review as typed and its errors beside the fields."""
    handoff = access.handoff_to_review(request.user, pk)
    form = ReviewForm(request.POST, checklist=handoff.checklist)
    form.is_valid()  # every field is optional text: the domain decides
    data = form.cleaned_data
    try:
        reviews.record_review(
            handoff,
            by=request.user,
            rating=data["rating"],
            feedback=data["feedback"],
            item_notes=form.item_notes(),
            share=data["share"],
            praise_note=data["note"],
            excerpt=data["excerpt"],
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):  # reviewed already: off the desk, nothing to type
            messages.error(request, " ".join(error.messages))
            return redirect("review-desk")
        add_errors(form, error)
        return _desk(request, refused=(handoff, form))
    if data["share"]:
        messages.success(request, _("Reviewed and shared in the praise feed."))
    else:
        messages.success(request, _("Reviewed. %(sdr)s sees your feedback.") % {"sdr": handoff.sdr})
    return redirect("review-desk")


@require_POST
@role_required(Role.MANAGER)
def share(request: HttpRequest, pk: int) -> HttpResponse:
    """Shares a review written earlier in the praise feed (its author only). Refused, the
    coaching page comes back with the share as typed and its errors."""
    written = access.review_written_by(request.user, pk)
    form = PraiseForm(request.POST)
    form.is_valid()
    try:
        reviews.share_praise(
            written,
            by=request.user,
            note=form.cleaned_data["note"],
            excerpt=form.cleaned_data["excerpt"],
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):  # shared already: nothing left to type
            messages.error(request, " ".join(error.messages))
            return redirect("coaching", written.handoff.sdr_id)
        add_errors(form, error)
        return _coaching(request, written.handoff.sdr, refused=(written.pk, form))
    messages.success(request, _("Shared in the praise feed."))
    return redirect("coaching", written.handoff.sdr_id)


@role_required(Role.MANAGER)
def coaching(request: HttpRequest, sdr_id: int) -> HttpResponse:
    """One SDR's coaching: the reviews the user wrote about them over time, the rating trend
    over 12 weeks, the items that keep getting notes, and the user's notes and 1:1 records
    (POST writes one). Private to the author and the SDR: an admin reads only their own."""
    sdr = sdr_managed_by(request.user, sdr_id)
    form = CoachingNoteForm(
        request.POST if request.method == "POST" else None,
        handoffs=queries.handoffs_to_discuss(sdr),
        initial={"kind": CoachingNote.Kind.NOTE, "handoffs": _asked_handoff(request)},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            coaching_domain.write_note(
                sdr,
                by=request.user,
                kind=data["kind"],
                body=data["body"],
                met_on=data["met_on"],
                handoff_ids=[h.pk for h in data["handoffs"]],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Note saved. %(sdr)s can read it.") % {"sdr": sdr})
            return redirect("coaching", sdr.pk)
    return _coaching(request, sdr, form=form)


def _coaching(
    request: HttpRequest,
    sdr,
    *,
    form: CoachingNoteForm | None = None,
    refused: tuple[int, PraiseForm] | None = None,
) -> HttpResponse:
    """The coaching page; with `refused` (a review's id and its share as typed), that
    review's share form comes back open with its errors (answered 400)."""
    written = (
        access.reviews_written_about(request.user, sdr)
        .select_related("handoff__lead__account", "praise")
        .order_by("-created_at")
    )
    if form is None:
        form = CoachingNoteForm(
            handoffs=queries.handoffs_to_discuss(sdr), initial={"kind": CoachingNote.Kind.NOTE}
        )
    notes = (
        access.coaching_notes_written_about(request.user, sdr)
        .select_related("manager")
        .prefetch_related(Prefetch("handoffs", queryset=queries.linked_handoffs()))
        .order_by("-created_at", "-pk")
    )
    refused_share = refused[0] if refused else None
    cards = list(written)
    for r in cards:
        r.share_form = refused[1] if refused and r.pk == refused_share else PraiseForm()
    return render(
        request,
        "handoffs/coaching.html",
        {
            "sdr": sdr,
            "reviews": cards,
            "gaps": queries.recurring_gaps(written),
            "trend": queries.rating_trend(
                written, request.user.local_zone, request.user.local_today()
            ),
            "ratings": Review.Rating.choices,
            "notes": notes,
            "form": form,
            "refused_share": refused_share,
        },
        status=400 if refused else 200,
    )


def _asked_handoff(request: HttpRequest) -> list[int]:
    """The handoff the desk's link names (?handoff=), preselected in a new note."""
    value = request.GET.get("handoff", "")
    return [int(value)] if value.isdigit() and len(value) < 19 else []


@role_required(Role.SDR)
def my_feedback(request: HttpRequest) -> HttpResponse:
    """The SDR's reviews, newest first; private between them and their manager."""
    mine = (
        access.reviews_received_by(request.user)
        .select_related("handoff__lead__account", "manager")
        .order_by("-created_at")
    )
    notes = (
        access.coaching_notes_received_by(request.user)
        .select_related("manager")
        .prefetch_related(Prefetch("handoffs", queryset=queries.linked_handoffs()))
        .order_by("-created_at", "-pk")[:50]
    )
    return render(request, "handoffs/my_feedback.html", {"reviews": mine, "notes": notes})


@require_POST
@role_required(Role.SDR)
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    reviews.mark_read(access.review_received(request.user, pk), by=request.user)
    return redirect("my-feedback")


def praise_feed(request: HttpRequest) -> HttpResponse:
    """Handoffs managers singled out as exemplary, for every department to read."""
    posts = list(queries.feed()[:50])
    return render(request, "handoffs/praise.html", {"posts": posts})


@require_POST
def react(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.praise_post_for(request.user, pk)
    try:
        reviews.toggle_reaction(post, by=request.user, kind=request.POST.get("kind", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("praise-feed")


def praise_digest(request: HttpRequest) -> HttpResponse:
    """The week's praise (an ISO week, 2026-W47; the last full week by default)."""
    zone = request.user.local_zone
    monday = queries.parse_week(request.GET.get("week"), calendar.local_today(zone))
    week = calendar.Week(monday, zone)
    return render(
        request,
        "handoffs/praise_digest.html",
        {
            "posts": queries.posts_of_week(week.monday, zone),
            "week": week.label,
            "previous": week.shifted(-1).label,
            "next": week.shifted(1).label,
        },
    )
