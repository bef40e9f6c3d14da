"""The review desk, coaching notes, the SDR's feedback page and the praise feed."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, Prefetch
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leads.models import Lead
from sdr_ops import calendar, fragments
from sdr_ops.access import role_required, sdr_managed_by, sdrs_visible_to
from sdr_ops.converters import MAX_ID
from sdr_ops.forms import add_errors
from sdr_ops.models import ChangeMark, Role, StaffingRecord
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


class _Desk:
    """The desk's data, each part read when the template first asks for it: when the page's
    body comes from the cache (a fragment under the team's data version), none of it is."""

    def __init__(self, request: HttpRequest, refused: tuple[Handoff, ReviewForm] | None):
        self.request, self.user, self.refused = request, request.user, refused
        try:
            sdr = int(request.GET.get("sdr") or 0) or None
        except ValueError:
            sdr = None
        if sdr is not None and not 0 < sdr <= MAX_ID:
            sdr = None  # no row has such an id; the database's integers cannot even hold some
        decision = request.GET.get("decision", "")
        certainty = request.GET.get("certainty", "")
        flag = request.GET.get("flag", "")
        sort = request.GET.get("sort", "")
        self.filters = {
            "sdr": sdr,
            "decision": decision if decision in Handoff.Status.values else "",
            "certainty": certainty if certainty in Certainty.values else "",
            "flag": flag if flag in queries.FLAG_LABELS else "",
            "sort": sort if sort in ("flags", "gap") else "",
        }
        self.sdrs_read: list | None = None  # the SDRs, when read with the other teams' version

    def sdrs_query(self):
        return sdrs_visible_to(self.user).order_by("first_name")

    @cached_property
    def sdrs(self) -> list:
        return self.sdrs_read if self.sdrs_read is not None else list(self.sdrs_query())

    @cached_property
    def usual(self) -> float | None:
        return queries.usual_comment_length(self.user)

    @cached_property
    def flagged(self) -> dict[int, tuple[list[str], dict]]:
        filters = self.filters
        usual = self.usual
        queued = queries.review_queue(
            self.user,
            sdr=filters["sdr"],
            decision=filters["decision"],
            certainty=filters["certainty"],
            by_gap=filters["sort"] == "gap",
        )
        return queries.flags_of_queue(queued, usual)

    @cached_property
    def page(self):
        flagged, flag = self.flagged, self.filters["flag"]
        order = [pk for pk, (codes, _row) in flagged.items() if not flag or flag in codes]
        if self.filters["sort"] == "flags":
            order.sort(key=lambda pk: -len(flagged[pk][0]))  # stable: newest first within a count
        # 20 a page: each card carries its checklist and a review form.
        return Paginator(order, DESK_PAGE_SIZE).get_page(self.request.GET.get("page"))

    @cached_property
    def queue(self) -> list[Handoff]:
        refused, flagged, usual = self.refused, self.flagged, self.usual
        shown = list(self.page.object_list)
        if refused is not None and refused[0].pk in flagged:  # not when the filters leave it out
            shown = [refused[0].pk, *[pk for pk in shown if pk != refused[0].pk]]
        queue = queries.review_cards(shown)
        notes = queries.call_notes(queue)
        for handoff in queue:
            handoff.flags = queries.flags(flagged[handoff.pk][1], usual)
            handoff.call_notes = notes[handoff.pk]
            # A fresh form is blank: the cards write it without one built for each.
            handoff.review_form = refused[1] if refused and handoff.pk == refused[0].pk else None
        return queue

    @cached_property
    def waiting(self) -> int:
        return len(self.flagged)

    @cached_property
    def flag_choices(self) -> list[tuple[str, str, int]]:
        flagged = self.flagged
        return [
            (code, label, sum(code in codes for codes, _row in flagged.values()))
            for code, label in queries.FLAG_LABELS.items()
        ]


# Where the other teams' version the desk's body was last stored under is kept (its key is the
# body's own, but for that version).
FOREIGN_VERSION = "review-desk-foreign-version"


def _foreign_version(manager) -> tuple[str, list]:
    """The data version of the teams other than the manager's whose writes the cards show,
    as one value of their marks: their summed weight and the teams marked ("20:3,5"; each
    team's version only grows, so the two say exactly whether any of them moved, or the
    teams changed). The teams are those of the AEs and of the leads' owners of the team's
    handoffs not yet reviewed: an AE's name is their own row, which marks only their teams
    (Field Sales), and a lead an admin gave to another team's SDR marks that team, as do its
    company and its calls. The rest of a card (the handoff, its review, its SDR) and of the
    page (the team's SDRs, the comments' usual length) mark the manager's team.

    A SELECT and its parameters, run on its own on a hit and as a column of the SDRs' query
    on a miss. Written in SQL: the ORM's form of it (subqueries four deep) took more CPU to
    build and compile than the rest of a hit, and longer for the database to plan."""
    team, today = manager.current_team.pk, timezone.localdate()
    teams = (
        "STRING_AGG(DISTINCT CAST(m.team_id AS VARCHAR(20)), ',')"
        if connection.vendor == "postgresql"
        else "GROUP_CONCAT(DISTINCT m.team_id)"
    )
    sql = f"""
        WITH waiting AS (
            SELECT h.ae_id, l.owner_id
            FROM {Handoff._meta.db_table} h JOIN {Lead._meta.db_table} l ON l.id = h.lead_id
            WHERE h.sdr_id IN (
                SELECT r.person_id FROM {StaffingRecord._meta.db_table} r
                WHERE r.team_id = %s AND r.role = %s AND r.start_date <= %s
                    AND (r.end_date IS NULL OR r.end_date >= %s)
            ) AND NOT EXISTS (
                SELECT 1 FROM {Review._meta.db_table} v WHERE v.handoff_id = h.id
            )
        )
        SELECT COALESCE(CAST(SUM(m.weight) AS VARCHAR(20)), '') || ':' || COALESCE({teams}, '')
        FROM {ChangeMark._meta.db_table} m
        WHERE m.team_id IN (
            SELECT s.team_id FROM {StaffingRecord._meta.db_table} s
            WHERE s.team_id <> %s AND (
                s.person_id IN (SELECT ae_id FROM waiting)
                OR s.person_id IN (SELECT owner_id FROM waiting)
            )
        )
    """  # the table names from the models, every value a parameter
    return sql, [team, Role.SDR, today, today, team]


def _desk_parts(request: HttpRequest, data: _Desk) -> list | None:
    """The parts of the desk's cached body, or None when it is rendered every time (a POST,
    an admin, who sees every team's handoffs, a viewer on no team, the cache off).

    Besides what the page reads of the request, the parts hold the version of the other
    teams the cards show (`_foreign_version`). It is read before any of the page's data: on
    its own when the version the body was last stored under is known (a hit runs that query
    and none of the page's), else with the SDRs to filter by, the first read of the page's
    data on a miss, so that a miss runs no more queries than the page without the cache."""
    if request.user.is_admin:
        return None
    parts = [*data.filters.values(), request.GET.get("page"), query_without_page(request)]
    known_key = fragments.key(request, FOREIGN_VERSION, parts)
    if known_key is None:
        return None
    cache = caches[getattr(settings, "FRAGMENT_CACHE_ALIAS", "default")]
    known = cache.get(known_key)
    sql, params = _foreign_version(request.user)
    if known is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if known == cursor.fetchone()[0]:
                return [*parts, known]
    version = RawSQL(f"({sql})", params, output_field=CharField())
    data.sdrs_read = list(data.sdrs_query().annotate(foreign_version=version))
    # No SDR on the team: no handoff in its queue either, nor another team's data.
    foreign = data.sdrs_read[0].foreign_version if data.sdrs_read else ":"
    cache.set(known_key, foreign, fragments.TIMEOUT)
    return [*parts, foreign]


def _desk(request: HttpRequest, refused: tuple[Handoff, ReviewForm] | None = None) -> HttpResponse:
    """The desk; with `refused`, that handoff's card shows first with the review as typed and
    its errors (answered 400, nothing saved). Its body is a fragment cached under the team's
    data version and the other teams' the cards show (`_desk_parts`)."""
    data = _Desk(request, refused)
    return render(
        request,
        "handoffs/review_desk.html",
        {
            "desk": data,
            "desk_parts": _desk_parts(request, data),
            # the cards, read when the body is rendered (the body reads them as desk.queue)
            "queue": SimpleLazyObject(lambda: data.queue),
            "query": query_without_page(request),
            "ratings": Review.Rating.choices,
            "filters": data.filters,
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
