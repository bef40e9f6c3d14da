"""The SDR's tasks: set from call mode or the brief, done or moved from Today or the brief."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops.access import role_required
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from . import access, queries
from .domain import tasks
from .forms import MoveTaskForm, TaskForm
from .models import Lead

# Where a task form sends the SDR back to without htmx: a fixed set, never a URL from input.
BACK = {"call": "lead-call", "brief": "lead-brief"}


def _back(request: HttpRequest, lead: Lead) -> HttpResponse:
    name = BACK.get(request.POST.get("next", ""))
    return redirect(name, lead.pk) if name else redirect("today")


def lead_tasks_part(request: HttpRequest, lead: Lead, form: TaskForm | None = None):
    """The lead's open tasks and the form that sets one (the brief's and call mode's card)."""
    return render(
        request,
        "leads/tasks.html#lead_tasks",
        {
            "lead": lead,
            "tasks": queries.open_tasks(lead),
            "task_form": form or TaskForm(),
            "next": request.POST.get("next", ""),
            "inline_messages": True,  # a swapped fragment shows its own messages
        },
    )


def _today_part(request: HttpRequest) -> HttpResponse:
    user = request.user
    zone = user.current_team.zone if user.current_team else None
    return render(
        request,
        "leads/tasks.html#today_tasks",
        {
            "tasks": queries.tasks_due(user, user.local_today(), zone),
            "now_moment": timezone.now(),
            "inline_messages": True,
        },
    )


@require_POST
@role_required(Role.SDR)
def new(request: HttpRequest, pk: int) -> HttpResponse:
    """Sets a follow-up on one of the SDR's own leads."""
    lead = access.lead_for(request.user, pk, write=True)
    form = TaskForm(request.POST)
    if form.is_valid():
        try:
            tasks.create_task(lead, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if request.htmx:
                return lead_tasks_part(request, lead)
            messages.success(request, _("Task set."))
            return _back(request, lead)
    if request.htmx:
        return lead_tasks_part(request, lead, form)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return _back(request, lead)


def _after(request: HttpRequest, task) -> HttpResponse:
    if request.htmx:
        if request.POST.get("next") in BACK:
            return lead_tasks_part(request, task.lead)
        return _today_part(request)
    return _back(request, task.lead)


@require_POST
@role_required(Role.SDR)
def done(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.task_for(request.user, pk)
    task = tasks.complete_task(task, by=request.user)
    return _after(request, task)


@require_POST
@role_required(Role.SDR)
def move(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.task_for(request.user, pk)
    form = MoveTaskForm(request.POST)
    if form.is_valid():
        try:
            task = tasks.move_task(task, by=request.user, due_at=form.cleaned_data["due_at"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        for message in form.errors.get("due_at", []):
            messages.error(request, message)
    return _after(request, task)
