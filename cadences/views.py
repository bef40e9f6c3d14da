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
from .forms import (
    VARIANT_SLOTS,
    NewCadenceForm,
    PreviewLeadForm,
    StepFormSet,
    initial_steps,
)
from .models import Cadence, Step


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


def _preview_into(cadence, formset, action: str, lead, by) -> int:
    """Renders the previews the action asks for ("preview-all" or "preview-<step>-<slot>")
    into the bound step forms; returns how many had an error."""
    wanted = action.removeprefix("preview-")
    failed = 0
    for index, form in enumerate(formset.forms):
        if form.data.get(form.add_prefix("type")) != Step.Type.EMAIL:
            continue
        for suffix, _label in VARIANT_SLOTS:
            if wanted not in ("all", f"{index}{suffix or '_a'}"):
                continue
            subject, body = form.raw_variant(suffix)
            if wanted == "all" and not (subject.strip() or body.strip()):
                continue
            shown = domain.preview(cadence, subject, body, lead=lead, by=by)
            form.previews[suffix] = shown
            failed += not shown.ok
    return failed


@role_required(Role.MANAGER)
def cadence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadence = access.cadence_for(request.user, pk, write=True)
    items = list(cadence.team.qualification_items)
    action = str(request.POST.get("action", "save"))[:40]
    if request.method == "POST" and action in ("activate", "archive", "draft"):
        status = {"activate": "active", "archive": "archived", "draft": "draft"}[action]
        try:
            domain.set_status(cadence, status, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("cadence-edit", cadence.pk)
    bound = request.method == "POST"
    formset = StepFormSet(
        request.POST if bound else None,
        items=items,
        prefix="steps",
        initial=initial_steps(cadence.current()),
    )
    lead_form = PreviewLeadForm(request.POST if bound else None)
    shown = False
    if bound and action.startswith("preview-"):
        search = lead_form.cleaned_data["preview_lead"] if lead_form.is_valid() else ""
        lead = domain.pick_lead(cadence.team, search)
        formset.is_valid()  # the errors beside the fields, as on a save
        _preview_into(cadence, formset, action, lead, request.user)
        shown = True
    elif bound and formset.is_valid():
        try:
            version = domain.save_steps(cadence, formset.steps(), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Steps saved (version %(n)s).") % {"n": version.number})
            return redirect("cadence-edit", cadence.pk)
    previewed = frozenset(cadence.previews.values_list("digest", flat=True))
    for form in formset.forms:
        form.previewed = previewed
    return render(
        request,
        "cadences/cadence_edit.html",
        {
            "cadence": cadence,
            "formset": formset,
            "lead_form": lead_form,
            "previewed": shown,
            "counts": queries.enrollment_counts(cadence),
            "outcomes": sorted(queries.step_outcomes(cadence).items()),
            "statuses": Cadence.Status,
            "merge_fields": ["{{ " + name + " }}" for name in merge.FIELDS],
        },
    )


@role_required(Role.MANAGER)
def cadence_analytics(request: HttpRequest, pk: int) -> HttpResponse:
    cadence = access.cadence_for(request.user, pk, write=True)
    return render(
        request,
        "cadences/cadence_analytics.html",
        {
            "cadence": cadence,
            "counts": queries.enrollment_counts(cadence),
            "steps": queries.step_analytics(cadence),
        },
    )
