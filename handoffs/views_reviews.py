"""The review desk, coaching notes, the SDR's feedback page and the praise feed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar
from sdr_ops.access import role_required, sdr_managed_by, sdrs_visible_to
from sdr_ops.converters import MAX_ID
from sdr_ops.models import Role
from sdr_ops.paging import query_without_page

from . import access, queries
from .domain import reviews
from .models import Certainty, Handoff, Review

DESK_PAGE_SIZE = 20


@role_required(Role.MANAGER)
def desk(request: HttpRequest) -> HttpResponse:
    """Handoffs of the team not yet reviewed, newest first, each with what deserves a look."""
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
    # 20 a page: each card carries its checklist and a review form.
    page = Paginator(
        queries.review_queue(request.user, sdr=sdr, decision=decision, certainty=certainty),
        DESK_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    queue = list(page.object_list)
    usual = queries.usual_comment_length(request.user)
    for handoff in queue:
        handoff.flags = queries.flags(handoff, usual)
        handoff.call_notes = [
            a
            for a in handoff.lead.activities.all()
            if a.started_at <= handoff.created_at and a.notes
        ][:5]
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
            "filters": {"sdr": sdr, "decision": decision, "certainty": certainty},
            "decisions": Handoff.Status.choices,
            "certainties": Certainty.choices,
        },
    )


@require_POST
@role_required(Role.MANAGER)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Records the review and, when asked, shares the handoff as praise."""
    handoff = access.handoff_to_review(request.user, pk)
    notes = {
        row.get("item"): request.POST.get(f"note-{row.get('item')}", "")
        for row in handoff.checklist
    }
    try:
        written = reviews.record_review(
            handoff,
            by=request.user,
            rating=request.POST.get("rating", ""),
            feedback=request.POST.get("feedback", ""),
            item_notes=notes,
        )
        if request.POST.get("share"):
            reviews.share_praise(
                written,
                by=request.user,
                note=request.POST.get("note", ""),
                excerpt=request.POST.get("excerpt", ""),
            )
            messages.success(request, _("Reviewed and shared in the praise feed."))
        else:
            messages.success(
                request, _("Reviewed. %(sdr)s sees your feedback.") % {"sdr": handoff.sdr}
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("review-desk")


@role_required(Role.MANAGER)
def coaching(request: HttpRequest, sdr_id: int) -> HttpResponse:
    """Every review of one SDR over time, and which checklist items keep getting notes."""
    sdr = sdr_managed_by(request.user, sdr_id)
    written = (
        access.reviews_written_about(request.user, sdr)
        .select_related("handoff__lead__account")
        .order_by("-created_at")
    )
    return render(
        request,
        "handoffs/coaching.html",
        {
            "sdr": sdr,
            "reviews": written,
            "gaps": queries.recurring_gaps(written),
        },
    )


@role_required(Role.SDR)
def my_feedback(request: HttpRequest) -> HttpResponse:
    """The SDR's reviews, newest first; private between them and their manager."""
    mine = (
        access.reviews_received_by(request.user)
        .select_related("handoff__lead__account", "manager")
        .order_by("-created_at")
    )
    return render(request, "handoffs/my_feedback.html", {"reviews": mine})


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
