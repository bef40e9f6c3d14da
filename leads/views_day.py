"""The SDR's day: today's call list, tomorrow's list for the end-of-day review, call mode."""

import bisect
import datetime
import hashlib
import math
import secrets
import time
from functools import cached_property, partial

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar, changes, fragments, words
from sdr_ops.access import role_required
from sdr_ops.forms import add_errors
from sdr_ops.models import Role, StaffingRecord

from . import access, domain, hooks, queries
from .domain import calllists, insights
from .forms import LeadFilterForm, LogCallForm, QualificationItemForm, SkipForm, TaskForm
from .models import BUDGET_QUESTIONS, CallList, CallListEntry, QualificationStatus


class _DayData:
    """What the day's list shows, read when first used: inside the cached fragment's render
    on a miss (or for the meta, below), never on a hit."""

    def __init__(self, request: HttpRequest, day: datetime.date, mode: str) -> None:
        self.request, self.day, self.mode = request, day, mode
        self.full = mode == "today" and not request.htmx  # the page, not the queue's partial
        self.meta_key: str | None = None  # where the meta read before the render is kept
        self.meta: tuple | None = None
        self.unknown: tuple | None = None  # the parts of a render before the meta was known
        self.read_at = 0.0

    @cached_property
    def values(self) -> dict:
        request, day = self.request, self.day
        self.read_at = time.time()
        call_list, entries = queries.day_list(request.user, day)
        called = sum(1 for e in entries if e.status == CallListEntry.Status.CALLED)
        skipped = sum(1 for e in entries if e.status == CallListEntry.Status.SKIPPED)
        values = {
            "call_list": call_list,
            "entries": entries,
            "done": called,  # calls made; skips are counted apart
            "skipped": skipped,
            "left": len(entries) - called - skipped,
            "next_entry": next((e for e in entries if e.status == "planned"), None),
        }
        if self.full:
            zone = request.user.current_team.zone if request.user.current_team else None
            values["tasks"] = list(queries.tasks_due(request.user, day, zone))
            values["callbacks"] = list(queries.callbacks_due(request.user, day, zone))
        return values

    def lazy(self) -> dict:
        names = ["call_list", "entries", "done", "skipped", "left", "next_entry"]
        if self.full:
            names += ["tasks", "callbacks"]
        return {name: SimpleLazyObject(partial(self.value, name)) for name in names}

    def value(self, name: str):
        return self.values[name]

    def parts(self) -> tuple:
        """The parts of the day's fragments: the page (mode, day, the partial asked for), the
        version of the other teams the meta names and where in the minute the request falls
        (the meta's moments passed)."""
        request = self.request
        parts = (self.mode, self.day.isoformat(), bool(request.htmx))
        self.meta_key = fragments.key(request, "today-meta", parts)
        if self.meta_key is None:
            return parts  # nothing is cached for this request
        self.meta = fragment_cache().get(self.meta_key)
        if self.meta is None:
            # Not known before the page is written (its cadence panel is cadences'): this
            # render is stored under parts no other request makes; keep_meta then keeps the
            # meta, and the fragments under the parts the next requests make.
            self.unknown = (*parts, "unknown", secrets.token_hex(8))
            return self.unknown
        return self._parts(parts, self.meta, time.time())

    @staticmethod
    def _parts(parts: tuple, meta: tuple, at: float) -> tuple:
        teams, moments = meta
        digest = hashlib.blake2b(repr(meta).encode(), digest_size=8).hexdigest()
        phase = bisect.bisect_right(moments, at)
        return (*parts, changes.version(teams) if teams else 0, digest, phase)

    def keep_meta(self) -> None:
        """After a render that read the data: the meta of what it showed, kept for the next
        requests (when none was kept, or the data moved since: another team's write)."""
        if self.meta_key is None or "values" not in self.__dict__:
            return
        now = time.time()
        # The cadence steps' panel is written by cadences' tag, which leaves its data on the
        # request (leads never imports cadences).
        panel = getattr(self.request, "today_cadence_panel", None)
        meta = day_meta(self.request.user, self.values, panel, now)
        if meta == self.meta:
            return
        cache = fragment_cache()
        cache.set(self.meta_key, meta, fragments.TIMEOUT)
        teams, moments = meta
        if self.unknown is None or teams:
            return  # another team's version read now might be newer than the data shown
        if bisect.bisect_right(moments, self.read_at) != bisect.bisect_right(moments, now):
            return  # the page changed while it was written
        parts = self._parts(self.unknown[:3], meta, now)
        for name in ("today-queue",) if self.request.htmx else ("today", "today-queue"):
            # The template's {% fragment name fragment_parts %}: one part, the tuple.
            stored = cache.get(fragments.key(self.request, name, [self.unknown]))
            if stored is not None:  # None: the minute moved on since
                cache.set(fragments.key(self.request, name, [parts]), stored, fragments.TIMEOUT)


def fragment_cache():
    return caches[getattr(settings, "FRAGMENT_CACHE_ALIAS", "default")]


def day_meta(user, values: dict, panel: dict | None, now: float) -> tuple:
    """What the day's fragments vary on beyond their key (sdr_ops.fragments: the viewer, the
    team's version, the minute): the other teams whose writes change what is shown, and the
    moments within the minute at which some text or mark of the page changes (a task or a
    callback becomes due, "4 minutes ago" becomes "5 minutes ago", "12 seconds ago" moves
    each second). Both come from the data; they are kept beside the fragment, under the same
    key's parts, and read on a hit without reading the data."""
    teams = set()
    owners = set()
    for entry in values["entries"]:
        owners.add(entry.lead.owner_id)
    for task in values.get("tasks", ()):
        owners.add(task.lead.owner_id)
    panel = panel or {}
    for enrollment in [*panel.get("due", ()), *panel.get("finished", ())]:
        owners.add(enrollment.lead.owner_id)
        teams.add(enrollment.team_id)  # the cadence's team: its steps' texts are shown
    owners.discard(user.pk)
    if owners:
        # A lead of another owner on the list (given to them today): their teams' writes.
        teams.update(
            StaffingRecord.objects.filter(person_id__in=owners).values_list("team_id", flat=True)
        )
    current = user.current_team
    teams.discard(current.pk if current else None)

    start = now // 60 * 60
    end = start + 60
    moments: set[float] = set()
    compared = [lead.callback_at for lead in values.get("callbacks", ())]
    compared += [task.due_at for task in values.get("tasks", ())]
    said = [entry.last_touch for entry in values["entries"] if entry.last_touch]
    if values["call_list"] is not None and values["call_list"].reviewed_at:
        said.append(values["call_list"].reviewed_at)  # tomorrow's "Reviewed 3 minutes ago"
    for enrollment in panel.get("due", ()):
        compared.append(enrollment.next_due)  # due, and composable
        said.append(enrollment.next_due)
    for moment in compared:
        at = moment.timestamp()
        if start <= at < end:
            moments.add(at)
    for moment in said:
        moments.update(_said_changes(moment, start, end))
    return tuple(sorted(teams)), tuple(sorted(moments))


def _said_at(moment: datetime.datetime, at: float) -> str:
    """`words.ago(moment)` as it reads at the instant `at`."""
    return words.ago(moment + (timezone.now() - datetime.datetime.fromtimestamp(at, datetime.UTC)))


def _said_changes(moment: datetime.datetime, start: float, end: float) -> list[float]:
    """The instants in [start, end) at which `words.ago(moment)` changes."""
    at = moment.timestamp()
    if start - 60 < at < end + 60:
        # "12 seconds ago", "in 40 seconds": every second from the moment on (or before it).
        first = at + math.ceil(start - at)
        return [first + k for k in range(int(end - first) + 1) if first + k < end]
    # Further: "5 minutes ago", "2 hours ago", "3 days, 4 hours ago" change at most once in
    # a minute (the finest unit shown is the minute), found by halving.
    low, high = start, end - 0.001
    before = _said_at(moment, low)
    if _said_at(moment, high) == before:
        return []
    while high - low > 0.01:
        middle = (low + high) / 2
        if _said_at(moment, middle) == before:
            low = middle
        else:
            high = middle
    # The words change a whole number of seconds after the moment (or after its second, for
    # the calendar's units): the nearest such instant, the same at every reading.
    return [
        min((at + round(high - at), int(at) + round(high - int(at))), key=lambda t: abs(t - high))
    ]


def _render_list(
    request: HttpRequest,
    day: datetime.date,
    *,
    mode: str,
    status: int = 200,
    skip_form: SkipForm | None = None,
    failed_entry: int | None = None,
) -> HttpResponse:
    """The day's list (the page, or its queue for htmx). What the list shows is read lazily,
    inside the cached fragments' render (templates/leads/today.html): on a hit, nothing of it
    is read."""
    data = _DayData(request, day, mode)
    context = {
        "mode": mode,
        "day": day,
        **data.lazy(),
        "skip_form": skip_form or SkipForm(),
        "failed_entry": failed_entry,
        "now_moment": timezone.now(),
        "fragment_parts": data.parts(),
    }
    template = "leads/today.html#queue" if request.htmx else "leads/today.html"
    response = render(request, template, context, status=status)
    data.keep_meta()
    return response


@role_required(Role.SDR)
def today(request: HttpRequest) -> HttpResponse:
    """Today's list in order, with why each lead is on it, what is done and what is left."""
    return _render_list(request, request.user.local_today(), mode="today")


@role_required(Role.SDR)
def tomorrow(request: HttpRequest) -> HttpResponse:
    """The next working day's list as built tonight, to adjust and mark reviewed."""
    return _render_list(
        request,
        calendar.next_working_day(request.user.local_today(), request.user.work_calendar()),
        mode="tomorrow",
    )


def _after_change(request: HttpRequest, call_list: CallList, **refused) -> HttpResponse:
    """The list again (htmx) or the page (a redirect). `refused` (status 400, the bound skip
    form and its entry) shows a refusal in place: the form with its errors, as typed."""
    mode = "today" if call_list.day <= request.user.local_today() else "tomorrow"
    if request.htmx or refused:
        return _render_list(request, call_list.day, mode=mode, **refused)
    return redirect(mode)


def _report(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@role_required(Role.SDR)
def build_mine(request: HttpRequest) -> HttpResponse:
    """Builds the SDR's own list for today when none was built (first day, new team)."""
    team = request.user.current_team
    if team is None:
        messages.error(
            request,
            _(
                "You are on no team today, so there are no rules to build "
                "a list from. Ask your manager."
            ),
        )
        return redirect("today")
    day = request.user.local_today()
    if queries.list_for(request.user, day) is None:
        calllists.build_call_lists(team, day, only=[request.user.pk])
    return redirect("today")


@require_POST
@role_required(Role.SDR)
def skip(request: HttpRequest, list_id: int, pk: int) -> HttpResponse:
    entry = access.entry_for(request.user, pk, list_id=list_id)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _after_change(
            request, entry.call_list, status=400, skip_form=form, failed_entry=entry.pk
        )
    try:
        calllists.skip_entry(entry, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        # The entry is no longer one to skip (called, skipped): said above the list.
        _report(request, error)
        return _after_change(request, entry.call_list, status=400)
    return _after_change(request, entry.call_list)


@require_POST
@role_required(Role.SDR)
def move(request: HttpRequest, list_id: int, pk: int) -> HttpResponse:
    entry = access.entry_for(request.user, pk, list_id=list_id)
    calllists.move_entry(entry, by=request.user, up=request.POST.get("direction") == "up")
    return _after_change(request, entry.call_list)


@require_POST
@role_required(Role.SDR)
def remove(request: HttpRequest, list_id: int, pk: int) -> HttpResponse:
    entry = access.entry_for(request.user, pk, list_id=list_id)
    try:
        calllists.remove_entry(entry, by=request.user)
    except ValidationError as error:
        _report(request, error)
    return _after_change(request, entry.call_list)


@require_POST
@role_required(Role.SDR)
def add(request: HttpRequest, list_id: int) -> HttpResponse:
    call_list = access.call_list_for(request.user, list_id)
    try:
        lead = access.lead_for(request.user, int(request.POST.get("lead", 0)), write=True)
        calllists.add_to_list(call_list, lead, by=request.user)
    except ValueError:
        messages.error(request, _("Pick a lead to add."))
    except ValidationError as error:
        _report(request, error)
    return _after_change(request, call_list)


@role_required(Role.SDR)
def candidates(request: HttpRequest, list_id: int) -> HttpResponse:
    """Up to 10 of the SDR's own leads matching the search, not yet on the list."""
    call_list = access.call_list_for(request.user, list_id)
    q = request.GET.get("q", "").strip()
    leads = []
    # A search as long as the lead list's at most (a longer one matches nothing anyway).
    if q and len(q) <= LeadFilterForm.base_fields["q"].max_length:
        leads = list(
            queries.filter_leads(access.leads_visible_to(request.user), q=q)
            .exclude(call_list_entries__call_list=call_list)
            .filter(do_not_call=False)
            .select_related("account")
            .order_by("-created_at")[:10]
        )
    return render(
        request,
        "leads/today.html#candidates",
        {"call_list": call_list, "candidates": leads, "q": q},
    )


@require_POST
@role_required(Role.SDR)
def reviewed(request: HttpRequest, list_id: int) -> HttpResponse:
    call_list = access.call_list_for(request.user, list_id)
    calllists.mark_reviewed(call_list, by=request.user)
    messages.success(request, _("Tomorrow's list is reviewed. See you tomorrow."))
    return _after_change(request, call_list)


def _item_forms(request: HttpRequest, answers) -> list[QualificationItemForm]:
    forms = []
    for answer in answers:
        initial = {
            "status": answer.status,
            "answer": answer.answer,
            "questions": answer.questions,
            "reason": answer.reason,
        }
        form = QualificationItemForm(
            request.POST or None, prefix=answer.item, item=answer.item, initial=initial
        )
        form.answer_obj = answer
        forms.append(form)
    return forms


def _next_call(user, lead) -> CallListEntry | None:
    """The next lead still to call on today's list, after this one if it is on it."""
    call_list = queries.list_for(user, user.local_today())
    if call_list is None:
        return None
    planned = call_list.entries.filter(status=CallListEntry.Status.PLANNED).exclude(lead=lead)
    current = call_list.entries.filter(lead=lead).values_list("position", flat=True).first()
    after = planned.filter(position__gt=current) if current else planned
    return after.order_by("position").first() or planned.order_by("position").first()


@role_required(Role.SDR)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """Call mode: the timer against the team's talk limit, the open qualification items,
    and the form that logs the outcome, the answers and a callback."""
    lead = access.lead_for(request.user, pk, write=True)
    team = request.user.current_team
    # The items a part of call mode aims at (a cadence's call step) come first.
    focus = hooks.call_focus(lead)
    answers = sorted(queries.checklist(lead), key=lambda answer: answer.item not in focus)
    form = LogCallForm(
        request.POST or None,
        initial={"started_at": timezone.now()},
        today=request.user.local_today(),
    )
    item_forms = _item_forms(request, answers)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in item_forms):
        data = form.cleaned_data
        # The browser's timer runs from the server's start (or the phone's answer); without
        # it the server measures from the start it recorded.
        # The browser's figure is kept when it is no longer than the time since the start the
        # server recorded (the phone may have answered later); it can never be longer.
        elapsed = max(0, int((timezone.now() - data["started_at"]).total_seconds()))
        duration = data["duration_seconds"]
        duration = elapsed if duration is None else min(duration, elapsed)
        try:
            with transaction.atomic():
                activity = domain.log_activity(
                    lead,
                    by=request.user,
                    type="call",
                    outcome=data["outcome"],
                    started_at=data["started_at"],
                    duration_seconds=duration,
                    notes=data["notes"],
                    callback_at=data["callback_at"],
                    next_step=data["next_step"],
                    retry_on=data["retry_on"],
                    disqualify_reason=data["disqualify_reason"],
                    new_phone=data["new_phone"],
                )
                for item_form in item_forms:
                    if item_form.has_changed():
                        domain.set_qualification(
                            lead, item=item_form.item, by=request.user, **item_form.cleaned_data
                        )
                if data["insight_topic"]:
                    insights.record_insight(
                        lead,
                        by=request.user,
                        topic=data["insight_topic"],
                        quote=data["insight_quote"],
                    )
                hooks.call_logged(lead, activity, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Logged: %(lead)s.") % {"lead": lead})
            following = _next_call(request.user, lead)
            return redirect("lead-call", following.lead_id) if following else redirect("today")
    if form.timer_restarted:
        form.restart_timer()
    return render(
        request,
        "leads/call.html",
        {
            "lead": lead,
            "form": form,
            "started_at": form.started(),
            "server_now": timezone.now(),
            "item_forms": item_forms,
            "open_items": [a for a in answers if a.status == QualificationStatus.UNKNOWN],
            "max_talk_seconds": (team.max_talk_minutes if team else 15) * 60,
            "budget_questions": BUDGET_QUESTIONS,
            "activities": lead.activities.order_by("-started_at")[:5],
            "tasks": queries.open_tasks(lead),
            "task_form": TaskForm(),
            "next_entry": _next_call(request.user, lead),
        },
    )
