"""Pages of leads: the filtered list and the lead brief."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from handoffs.domain import HANDOFF_FROM
from handoffs.models import Handoff
from sdr_ops import audit
from sdr_ops.access import role_required
from sdr_ops.models import Role
from sdr_ops.paging import query_without_page

from . import domain, queries
from .forms import LeadFilterForm, LogTouchForm
from .models import Insight, StageChange

PAGE_SIZE = 50


@role_required(Role.SDR, Role.MANAGER)
def lead_list(request: HttpRequest) -> HttpResponse:
    """Every lead the user may see, filtered and searched, 50 a page; htmx gets the rows."""
    user = request.user
    # A manager narrows by SDR; an SDR owns everything listed, an admin sees every team.
    owners = queries.team_sdrs(user).order_by("first_name") if user.role == Role.MANAGER else None
    form = LeadFilterForm(request.GET or None, owners=owners)
    leads = queries.filter_leads(queries.visible_leads(user), **form.filters())
    leads = queries.with_last_touch(leads).select_related("account", "owner")
    page = Paginator(leads.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = "leads/lead_list.html#results" if request.htmx else "leads/lead_list.html"
    return render(request, template, context)


def lead_brief(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything known about one lead before dialling: company, history, handoffs."""
    lead = queries.get_lead_for(request.user, pk)
    activities = lead.activities.select_related("sdr").order_by("-started_at")
    stages = StageChange.objects.filter(lead=lead).select_related("by").order_by("-at", "-pk")
    handoffs = (
        Handoff.objects.filter(lead=lead)
        .select_related("ae", "sdr")
        .prefetch_related(Prefetch("opportunity"))
        .order_by("-created_at")
    )
    handoffs = list(handoffs)
    can_hand_off = (
        lead.owner_id == request.user.pk
        and lead.stage in HANDOFF_FROM
        and not any(h.status == Handoff.Status.PENDING for h in handoffs)
    )
    return render(
        request,
        "leads/lead_brief.html",
        {
            "lead": lead,
            "activities": activities,
            "stages": stages,
            "handoffs": handoffs,
            "answers": domain.checklist(lead, queries.checklist_items(request.user)),
            "touch_form": LogTouchForm() if lead.owner_id == request.user.pk else None,
            "can_hand_off": can_hand_off,
            "insight_topics": Insight.Topic.choices,
            # Reviews are private to the SDR and managers; an AE sees the rest of the trail.
            "events": audit.for_lead(lead.pk, with_reviews=request.user.role != Role.AE)[:50],
        },
    )


@require_POST
def log_touch(request: HttpRequest, pk: int) -> HttpResponse:
    """Logs an e-mail, message or meeting on one of the SDR's own leads."""
    lead = queries.own_lead(request.user, pk)
    form = LogTouchForm(request.POST)
    if form.is_valid():
        domain.log_activity(lead, by=request.user, **form.cleaned_data)
        messages.success(request, _("Logged."))
    else:
        messages.error(request, _("Pick a type and an outcome."))
    return redirect("lead-brief", lead.pk)
