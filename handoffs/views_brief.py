"""The lead brief: everything known about one lead before dialling or visiting.

It lives in handoffs, not leads, because it shows the lead's handoffs and decides whether a
new one may be made; leads knows nothing of handoffs (see docs/architecture.md)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leads import queries as lead_queries
from leads.access import account_for, lead_for, leads_visible_to, may_edit
from leads.forms import LogTouchForm, TaskForm
from leads.models import Insight, StageChange
from sdr_ops import audit
from sdr_ops.models import Role

from . import hooks, queries
from .models import HANDOFF_FROM


def lead_brief(request: HttpRequest, pk: int) -> HttpResponse:
    """Company, history, checklist (the owner's team's items), handoffs and the trail."""
    lead = lead_for(request.user, pk)
    own = lead.owner_id == request.user.pk
    handoffs = queries.handoffs_of_lead(lead)
    # The score as it would be if handed off now, for the SDR and the managers.
    could_hand_off = lead.stage in HANDOFF_FROM and request.user.role != Role.AE
    return render(
        request,
        "leads/lead_brief.html",
        {
            "lead": lead,
            "activities": lead.activities.select_related("sdr").order_by("-started_at"),
            "stages": StageChange.objects.filter(lead=lead)
            .select_related("by")
            .order_by("-at", "-pk"),
            "handoffs": handoffs,
            "answers": lead_queries.checklist(lead),
            "touch_form": LogTouchForm() if own else None,
            "can_edit": may_edit(request.user, lead),
            "tasks": lead_queries.open_tasks(lead) if own else [],
            "task_form": TaskForm() if own else None,
            "can_hand_off": own and queries.may_hand_off(lead, handoffs),
            "assessment": hooks.assess(lead) if could_hand_off else None,
            "insight_topics": Insight.Topic.choices,
            # Reviews are private to the SDR and managers; an AE sees the rest of the trail.
            "events": audit.for_lead(lead.pk, with_reviews=request.user.role != Role.AE)[:50],
        },
    )


def account(request: HttpRequest, pk: int) -> HttpResponse:
    """A company: its facts and every lead there the viewer may see, with their stages and
    handoffs (here, not in leads, since it shows the handoffs)."""
    company = account_for(request.user, pk)
    leads = queries.account_leads(leads_visible_to(request.user).filter(account=company))
    return render(request, "leads/account.html", {"account": company, "leads": leads})
