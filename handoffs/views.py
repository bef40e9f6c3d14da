"""Pages of handoffs: the handoff form, the AE's inbox and decisions, the capacity board,
the AE's opportunities."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import audit
from sdr_ops.access import role_required
from sdr_ops.amounts import currency_of
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from . import access, domain, hooks, queries, valve
from .forms import (
    AcceptForm,
    AmountForm,
    CapacityForm,
    CorrectAmountForm,
    HandoffForm,
    PlanForm,
    ReductionForm,
    RejectForm,
    WonForm,
)
from .models import Capacity, CapacityReduction, Certainty, Opportunity


@role_required(Role.SDR, Role.MANAGER)
def new(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a lead to an AE: the checklist as it stands, the certainty, the AEs who can take
    it now with their room (the suggested one first), and the comment."""
    lead = access.lead_to_hand_off(request.user, pk)
    can_override = request.user.has_role(Role.MANAGER)
    certainty = request.POST.get("certainty") or request.GET.get("certainty") or "B"
    # What the valve reads before the form is checked: a value that is no certainty reads as
    # the default (the form then says what is wrong with it).
    certainty = certainty if certainty in Certainty.values else "B"
    team = access.valve_team_for(request.user)
    computed = hooks.assess(lead)
    # The valve applies the lower of the pick and the computed certainty (domain.hand_off).
    applied = max(certainty, computed.certainty) if computed else certainty
    states = valve.ae_states(timezone.localdate(), team)
    suggested = valve.suggest(states, applied, lead.account.segment)
    # An AE the SDR already picked stays picked when the certainty changes (htmx refresh).
    picked = request.GET.get("to_ae") or (suggested.ae.pk if suggested else None)
    form = HandoffForm(
        request.POST or None,
        can_override=can_override,
        initial={"certainty": certainty, "to_ae": picked},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                handoff = domain.hand_off(
                    lead,
                    by=request.user,
                    to_ae=data["to_ae"],
                    certainty=data["certainty"],
                    comment=data["comment"],
                    override_reason=data.get("override_reason", ""),
                    certainty_reason=data.get("certainty_reason", ""),
                )
                for part in hooks.form_parts:
                    part.apply(handoff, request.POST, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Handed off to %(ae)s.") % {"ae": data["to_ae"]})
            return redirect("lead-brief", lead.pk)
    chosen = form["to_ae"].value()
    context = {
        "lead": lead,
        "form": form,
        "certainty": certainty,
        "computed": computed,
        "applied": applied,
        "choices": [(s, s.takes(applied, lead.account.segment)) for s in states],
        "suggested": suggested,
        "chosen": str(chosen) if chosen else "",
        "snapshot": domain.snapshot(lead),
        "team_takes": valve.team_required(states),
        "dead_end": valve.dead_end(states, certainty, lead.account.segment, team),
        "parts": [
            part.render(request, lead=lead, ae_id=str(chosen) if chosen else "")
            for part in hooks.form_parts
        ],
    }
    if request.htmx and request.method == "GET":
        return render(request, "handoffs/new.html#ae-choices", context)
    return render(request, "handoffs/new.html", context)


@role_required(Role.AE)
def inbox(request: HttpRequest) -> HttpResponse:
    """Pending handoffs addressed to the AE, oldest first, each with its evidence."""
    handoffs = list(queries.inbox(request.user))
    return render(
        request,
        "handoffs/inbox.html",
        {
            "handoffs": handoffs,
            "accept_form": AcceptForm(),
            "reject_form": RejectForm(),
        },
    )


@require_POST
@role_required(Role.AE)
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept (with the amount) or reject (with a reason); decided once."""
    if action not in ("accept", "reject"):
        raise Http404
    handoff = access.handoff_for_decision(request.user, pk)
    form = (AcceptForm if action == "accept" else RejectForm)(
        request.POST, currency=currency_of(request.user)
    )
    status = 200
    if not form.is_valid():
        status = 400
    else:
        try:
            if action == "accept":
                domain.accept(handoff.pk, by=request.user, amount=form.cleaned_data["amount"])
                messages.success(request, _("Accepted: the opportunity is created."))
            else:
                domain.reject(handoff.pk, by=request.user, **form.cleaned_data)
                messages.success(
                    request, _("Rejected. %(sdr)s sees your reason.") % {"sdr": handoff.sdr}
                )
        except domain.AlreadyDecided as decided:
            messages.warning(
                request,
                _("Already decided: this handoff was %(status)s.")
                % {"status": decided.handoff.get_status_display().lower()},
            )
            status = 409
        except ValidationError as error:
            add_errors(form, error)
            status = 400
    if request.htmx:
        # The card again: with the form as typed and its errors in place when refused.
        handoff.refresh_from_db()
        forms = {"accept_form": AcceptForm(), "reject_form": RejectForm()}
        if status == 400:
            forms[f"{action}_form"] = form
        return render(
            request,
            "handoffs/inbox.html#card",
            {"handoff": handoff, **forms},
            status=status if status != 409 else 200,
        )
    if status == 400:
        for message in [e for field_errors in form.errors.values() for e in field_errors]:
            messages.error(request, message)
    return redirect("ae-inbox")


@role_required(Role.AE, Role.MANAGER)
def capacity(request: HttpRequest) -> HttpResponse:
    """Every AE's capacity, load, utilisation and the certainty a new handoff needs, now and
    at the end of each of the last 8 weeks, so starving and overloaded AEs stand out."""
    team = access.valve_team_for(request.user)
    today = timezone.localdate()
    states = valve.ae_states(today, team)
    weeks, history = valve.history(states, team, today)
    return render(
        request,
        "handoffs/capacity.html",
        {
            "states": states,
            "team_takes": valve.team_required(states),
            "valve_team": team,
            "weeks": weeks,
            "history": history,
        },
    )


@role_required(Role.AE)
def opportunities(request: HttpRequest) -> HttpResponse:
    """The AE's open deals by expected close date (undated last), to plan, revise and close,
    and the ones closed in the last 30 days."""
    mine = access.opportunities_of(request.user).select_related(
        "handoff__lead__account", "handoff__sdr"
    )
    since = timezone.now() - datetime.timedelta(days=30)
    now = timezone.now()
    open_deals = list(
        mine.filter(status=Opportunity.Status.OPEN).order_by(
            F("expected_close").asc(nulls_last=True), "created_at", "pk"
        )
    )
    for opp in open_deals:
        opp.correctable = domain.may_correct(opp, request.user, now)
    return render(
        request,
        "handoffs/opportunities.html",
        {
            "open": open_deals,
            "stages": Opportunity.Stage.choices,
            "closed": mine.exclude(status=Opportunity.Status.OPEN)
            .filter(closed_at__gte=since)
            .order_by("-closed_at"),
        },
    )


def _amount_update(request: HttpRequest, opportunity, action: str) -> str:
    """Runs one AE action on the opportunity; the message to show when it worked."""
    currency = currency_of(request.user)
    if action == "amount":
        form = AmountForm(request.POST, currency=currency)
        if form.is_valid():
            domain.update_amount(opportunity.pk, by=request.user, **form.cleaned_data)
            return _("Amount updated.")
    elif action == "won":
        form = WonForm(request.POST, currency=currency)
        if form.is_valid():
            domain.close_won(opportunity.pk, by=request.user, **form.cleaned_data)
            return _("Won. Congratulations.")
    elif action == "plan":
        form = PlanForm(request.POST)
        if form.is_valid():
            domain.plan_opportunity(opportunity.pk, by=request.user, **form.cleaned_data)
            return _("Plan saved.")
    elif action == "lost":
        domain.close_lost(opportunity.pk, by=request.user, reason=request.POST.get("reason", ""))
        return _("Closed as lost; the lead goes back to nurture.")
    else:
        raise Http404
    raise ValidationError([e for errors in form.errors.values() for e in errors])


@require_POST
@role_required(Role.AE)
def update_opportunity(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Plan (stage, expected close, next step), revise the amount, or close as won (amount at
    close) or lost (reason)."""
    opportunity = access.opportunity_for(request.user, pk)
    try:
        messages.success(request, _amount_update(request, opportunity, action))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("opportunities")


@role_required(Role.AE, Role.MANAGER)
def correct_amount(request: HttpRequest, pk: int) -> HttpResponse:
    """The amount at creation corrected: by the AE within 24 hours of accepting, after that
    by a manager of the SDR's team with a reason. Both recorded."""
    opportunity = access.opportunity_to_correct(request.user, pk)
    form = CorrectAmountForm(
        request.POST or None,
        currency=currency_of(request.user),
        initial={"amount": opportunity.amount_at_creation},
    )
    if request.method == "POST" and form.is_valid():
        try:
            domain.correct_amount(opportunity.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The amount at creation is corrected."))
            if opportunity.handoff.ae_id == request.user.pk:
                return redirect("opportunities")
            return redirect("lead-brief", opportunity.handoff.lead_id)
    return render(
        request,
        "handoffs/correct_amount.html",
        {
            "opportunity": opportunity,
            "form": form,
            "as_ae": domain.may_correct(opportunity, request.user, timezone.now()),
            "events": audit.for_lead(opportunity.handoff.lead_id, with_reviews=False).filter(
                subject=audit.Subject.OPPORTUNITY, subject_id=opportunity.pk
            )[:20],
        },
    )


@role_required(Role.AE, Role.MANAGER)
def capacity_edit(request: HttpRequest, ae_id: int) -> HttpResponse:
    """An AE's normal capacity, segment and dated reductions; the AE edits their own, a
    manager anyone's."""
    ae = access.ae_capacity_for(request.user, ae_id)
    current = Capacity.objects.filter(ae=ae).first()
    capacity_form = CapacityForm(
        request.POST if request.POST.get("form") == "capacity" else None,
        initial={
            "normal": current.normal if current else valve.DEFAULT_CAPACITY,
            "segment": current.segment if current else "",
        },
    )
    reduction_form = ReductionForm(
        request.POST if request.POST.get("form") == "reduction" else None
    )
    try:
        if capacity_form.is_bound and capacity_form.is_valid():
            domain.set_capacity(ae, by=request.user, **capacity_form.cleaned_data)
            messages.success(request, _("Capacity saved."))
            return redirect("capacity-edit", ae.pk)
        if reduction_form.is_bound and reduction_form.is_valid():
            domain.add_reduction(ae, by=request.user, **reduction_form.cleaned_data)
            messages.success(request, _("Reduction added."))
            return redirect("capacity-edit", ae.pk)
        if request.POST.get("form") == "remove":
            reduction = access.reduction_for(ae, request.POST.get("reduction"))
            domain.remove_reduction(reduction, by=request.user)
            messages.success(request, _("Reduction removed."))
            return redirect("capacity-edit", ae.pk)
    except ValidationError as error:
        form = capacity_form if capacity_form.is_bound else reduction_form
        add_errors(form, error)
    return render(
        request,
        "handoffs/capacity_edit.html",
        {
            "ae": ae,
            "capacity_form": capacity_form,
            "reduction_form": reduction_form,
            "reductions": CapacityReduction.objects.filter(ae=ae).order_by("-start_date"),
            "events": audit.for_capacity(ae.pk)[:30],
        },
    )
