"""The manager's cadence pages: the team's cadences, and the editor of one (its steps, its
status, the enrollment counts and each step's outcomes)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sdr_ops.access import role_required, team_for
from sdr_ops.models import Role

from . import access, domain, merge, queries
from .forms import NewCadenceForm, StepFormSet, initial_steps
from .models import Cadence


@role_required(Role.MANAGER)
def cadence_list(request: HttpRequest) -> HttpResponse:
    team = team_for(request.user, request.GET.get("team"))
    form = NewCadenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cadence = domain.create_cadence(team, name=form.cleaned_data["name"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("cadence-edit", cadence.pk)
    cadences = queries.with_counts(access.cadences_visible_to(request.user).filter(team=team))
    return render(
        request,
        "cadences/cadence_list.html",
        {"team": team, "form": form, "cadences": cadences.order_by("name")},
    )


@role_required(Role.MANAGER)
def cadence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadence = access.cadence_for(request.user, pk, write=True)
    items = list(cadence.team.qualification_items)
    action = request.POST.get("action", "save")
    if request.method == "POST" and action in ("activate", "archive", "draft"):
        status = {"activate": "active", "archive": "archived", "draft": "draft"}[action]
        try:
            domain.set_status(cadence, status, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("cadence-edit", cadence.pk)
    formset = StepFormSet(
        request.POST if request.method == "POST" else None,
        items=items,
        prefix="steps",
        initial=initial_steps(cadence.current()),
    )
    if request.method == "POST" and formset.is_valid():
        try:
            version = domain.save_steps(cadence, formset.steps(), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Steps saved (version %(n)s).") % {"n": version.number})
            return redirect("cadence-edit", cadence.pk)
    return render(
        request,
        "cadences/cadence_edit.html",
        {
            "cadence": cadence,
            "formset": formset,
            "counts": queries.enrollment_counts(cadence),
            "outcomes": sorted(queries.step_outcomes(cadence).items()),
            "statuses": Cadence.Status,
            "merge_fields": ["{{ " + name + " }}" for name in merge.FIELDS],
        },
    )
