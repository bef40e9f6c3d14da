"""The SDR's day: today's call list, tomorrow's list for the end-of-day review, call mode."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar
from sdr_ops.access import role_required
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from . import access, domain, hooks, queries
from .domain import calllists, insights
from .forms import LeadFilterForm, LogCallForm, QualificationItemForm, SkipForm, TaskForm
from .models import BUDGET_QUESTIONS, CallList, CallListEntry, QualificationStatus


def _render_list(
    request: HttpRequest,
    day: datetime.date,
    *,
    mode: str,
    status: int = 200,
    skip_form: SkipForm | None = None,
    failed_entry: int | None = None,
) -> HttpResponse:
    call_list, entries = queries.day_list(request.user, day)
    called = sum(1 for e in entries if e.status == CallListEntry.Status.CALLED)
    skipped = sum(1 for e in entries if e.status == CallListEntry.Status.SKIPPED)
    context = {
        "mode": mode,
        "day": day,
        "call_list": call_list,
        "entries": entries,
        "done": called,  # calls made; skips are counted apart
        "skipped": skipped,
        "left": len(entries) - called - skipped,
        "next_entry": next((e for e in entries if e.status == "planned"), None),
        "skip_form": skip_form or SkipForm(),
        "failed_entry": failed_entry,
    }
    if mode == "today" and not request.htmx:
        zone = request.user.current_team.zone if request.user.current_team else None
        context["tasks"] = list(queries.tasks_due(request.user, day, zone))
        context["callbacks"] = list(queries.callbacks_due(request.user, day, zone))
        context["now_moment"] = timezone.now()
    template = "leads/today.html#queue" if request.htmx else "leads/today.html"
    return render(request, template, context, status=status)


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
