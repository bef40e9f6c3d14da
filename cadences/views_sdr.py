"""The SDR's side of cadences: enrol a lead from its brief or the ticked leads of the list,
pause, resume and finish an enrollment, mark a due task step done on Today, and the saved
audiences (the list's filters kept for a cadence). Each change answers htmx with its panel
again (a refusal in place, 400; a change made meanwhile, 409) and a plain form with a
redirect and a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from leads.access import lead_to_edit, leads_editable_by
from leads.forms import LeadFilterForm
from sdr_ops import calendar
from sdr_ops.access import role_required, sdrs_managed_by
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from . import access, domain, panels, queries_sdr
from .domain import audiences as audience_domain
from .forms_sdr import AudienceForm, BulkEnrolForm, EnrolForm, FinishForm, PauseForm
from .models import Step

PANEL = "cadences/sdr/lead_panel.html"
TODAY = "cadences/sdr/today_panel.html"


def _panel(request: HttpRequest, lead, *, status: int = 200, **bound) -> HttpResponse:
    context = panels.lead_panel(request, lead, inline_messages=True, **bound)
    return render(request, PANEL, context, status=status)


def _answer(request: HttpRequest, lead, form=None, *, status: int = 200, **bound):
    """The panel again (htmx) or the brief (a redirect, with the messages and form errors)."""
    if request.htmx:
        return _panel(request, lead, status=status, **bound)
    if form is not None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("lead-brief", lead.pk)


def _cadences_for(request: HttpRequest, lead) -> list:
    return list(queries_sdr.enrol_choices(request.user, lead.owner.current_team))


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrols one lead from its brief; the reason it cannot be shows in place."""
    lead = lead_to_edit(request.user, pk)
    form = EnrolForm(request.POST, cadences=_cadences_for(request, lead), auto_id="enrol-%s")
    if form.is_valid():
        cadence = form.cleaned_data["cadence"]
        try:
            domain.enrol(lead, cadence, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Enrolled in %(cadence)s.") % {"cadence": cadence})
            return _answer(request, lead)
    return _answer(request, lead, form, status=400, enrol_form=form)


def _change(request: HttpRequest, pk: int, form_class, change) -> HttpResponse:
    """Pause, resume or finish an enrollment the user may change (404 otherwise)."""
    enrollment = access.enrollment_for(request.user, pk)
    lead = enrollment.lead
    form = None
    if form_class is not None:
        extra = {"today": request.user.local_today()} if form_class is PauseForm else {}
        form = form_class(request.POST, **extra)
        if not form.is_valid():
            return _answer(request, lead, form, status=400, bound=form, bound_for=enrollment.pk)
    try:
        message = change(enrollment, form.cleaned_data if form else {})
    except domain.NotOpen as error:
        messages.error(request, " ".join(error.messages))
        return _answer(request, lead, status=409)
    except ValidationError as error:
        add_errors(form, error)
        return _answer(request, lead, form, status=400, bound=form, bound_for=enrollment.pk)
    messages.success(request, message)
    return _answer(request, lead)


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    def change(enrollment, data):
        domain.pause(enrollment, by=request.user, until=data["until"], why=data["why"])
        return _("Paused.")

    return _change(request, pk, PauseForm, change)


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    def change(enrollment, data):
        domain.resume(enrollment, by=request.user)
        return _("Resumed.")

    return _change(request, pk, None, change)


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    def change(enrollment, data):
        domain.finish(enrollment, reason=data["reason"], by=request.user)
        return _("Finished.")

    return _change(request, pk, FinishForm, change)


@require_POST
@role_required(Role.SDR)
def step_done(request: HttpRequest, pk: int) -> HttpResponse:
    """A due task step marked done on Today (a call step is done by logging the call)."""
    enrollment = access.enrollment_for(request.user, pk)
    # The step the page showed: a second click never marks the step after it done.
    shown = request.POST.get("step", "")
    position = int(shown) if shown.isdigit() and len(shown) < 4 else enrollment.step
    step = enrollment.version.steps.filter(position=position).first()
    status = 200
    if step is None or step.type != Step.Type.TASK:
        messages.error(request, _("Only a task step is marked done here; log a call in call mode."))
        status = 400
    else:
        try:
            domain.run_step(
                enrollment, outcome="done", by=request.user, expected_step=step.position
            )
        except domain.NotOpen as error:
            messages.error(request, " ".join(error.messages))
            status = 409
        else:
            messages.success(request, _("Step done: %(lead)s.") % {"lead": enrollment.lead})
    if request.htmx:
        context = panels.today_panel(request, inline_messages=True)
        return render(request, TODAY, context, status=status)
    return redirect("today")


def _back_to_list(request: HttpRequest) -> HttpResponse:
    # Back to the list as it was filtered (re-encoded: nothing typed reaches the header raw).
    filters = QueryDict(request.POST.get("back", "")[:1000]).urlencode()
    return redirect(f"{reverse('lead-list')}?{filters}")


def _list_cadences(user) -> list:
    return list(queries_sdr.enrol_choices(user, None if user.is_admin else user.current_team))


def _report(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def enrol_leads(request: HttpRequest) -> HttpResponse:
    """Enrols the ticked leads of the list in one set-based write; says how many were
    enrolled, how many refused and why."""
    user = request.user
    form = BulkEnrolForm(request.POST, cadences=_list_cadences(user))
    if not form.is_valid():
        _report(request, form)
        return _back_to_list(request)
    asked, cadence = form.cleaned_data["leads"], form.cleaned_data["cadence"]
    ids = list(leads_editable_by(user).filter(pk__in=asked).values_list("pk", flat=True))
    try:
        result = domain.enrol_many(cadence, ids, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_to_list(request)
    refused = dict(result.refused)
    refused.update({pk: _("No such lead.") for pk in set(asked) - set(ids)})
    messages.success(
        request,
        _("%(n)s of %(asked)s leads enrolled in %(cadence)s.")
        % {"n": len(result.enrolled), "asked": len(asked), "cadence": cadence},
    )
    # The first working day is when every enrollment would start without the cap.
    first = calendar.add_working_days(user.local_today(), 0, cadence.team.work_calendar())
    later = sum(1 for enrollment in result.enrolled if enrollment.starts_on > first)
    if later:
        messages.info(
            request,
            ngettext(
                "%(n)s of them starts on a later working day: the cap on new enrollments "
                "per SDR per day holds it back.",
                "%(n)s of them start on a later working day: the cap on new enrollments "
                "per SDR per day holds them back.",
                later,
            )
            % {"n": later},
        )
    for reason, n in queries_sdr.refusals(refused):
        messages.warning(
            request,
            ngettext("%(n)s lead refused: %(reason)s", "%(n)s leads refused: %(reason)s", n)
            % {"n": n, "reason": reason},
        )
    return _back_to_list(request)


def _filter_owners(user):
    return list(sdrs_managed_by(user)) if user.role == Role.MANAGER else None


@role_required(Role.SDR, Role.MANAGER)
def audiences(request: HttpRequest) -> HttpResponse:
    """The saved audiences the user sees, to delete; a POST (from the lead list) keeps the
    list's filters as a new audience of a cadence."""
    user = request.user
    if request.method == "POST":
        form = AudienceForm(request.POST, cadences=_list_cadences(user))
        filters = LeadFilterForm(
            QueryDict(request.POST.get("back", "")[:1000]), owners=_filter_owners(user)
        )
        if form.is_valid() and filters.is_valid():
            cadence = form.cleaned_data["cadence"]
            try:
                audience = audience_domain.save_audience(
                    cadence,
                    name=form.cleaned_data["audience_name"],
                    filters=filters.filters(),
                    by=user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _(
                        "Audience %(name)s saved: each evening its new matches are enrolled "
                        "in %(cadence)s."
                    )
                    % {"name": audience.name, "cadence": cadence},
                )
        else:
            _report(request, form)
            _report(request, filters)
        return _back_to_list(request)
    listed = list(access.audiences_visible_to(user).order_by("name", "pk")[:200])
    return render(
        request,
        "cadences/sdr/audiences.html",
        {"audiences": panels.described(listed, owners=_filter_owners(user))},
    )


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def audience_delete(request: HttpRequest, pk: int) -> HttpResponse:
    audience = access.audience_for(request.user, pk)
    audience_domain.delete_audience(audience, by=request.user)
    messages.success(request, _("Audience %(name)s deleted.") % {"name": audience.name})
    return redirect("cadence-audiences")
