"""Pages of leads: the filtered list and logging a touch (the brief is handoffs/views_brief.py,
since it shows the handoffs)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops.access import role_required, sdrs_managed_by
from sdr_ops.models import Role
from sdr_ops.paging import query_without_page

from . import access, domain, queries
from .forms import LeadFilterForm, LogTouchForm

PAGE_SIZE = 50


@role_required(Role.SDR, Role.MANAGER)
def lead_list(request: HttpRequest) -> HttpResponse:
    """Every lead the user may see, filtered and searched, 50 a page; htmx gets the rows."""
    user = request.user
    # A manager narrows by SDR; an SDR owns everything listed, an admin sees every team.
    owners = sdrs_managed_by(user).order_by("first_name") if user.role == Role.MANAGER else None
    form = LeadFilterForm(request.GET or None, owners=owners)
    leads = queries.filter_leads(access.leads_visible_to(user), **form.filters())
    leads = queries.with_last_touch(leads).select_related("account", "owner")
    page = Paginator(leads.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = "leads/lead_list.html#results" if request.htmx else "leads/lead_list.html"
    return render(request, template, context)


@require_POST
def log_touch(request: HttpRequest, pk: int) -> HttpResponse:
    """Logs an e-mail, message or meeting on one of the SDR's own leads."""
    lead = access.lead_for(request.user, pk, write=True)
    form = LogTouchForm(request.POST)
    if form.is_valid():
        domain.log_activity(lead, by=request.user, **form.cleaned_data)
        messages.success(request, _("Logged."))
    else:
        messages.error(request, _("Pick a type and an outcome."))
    return redirect("lead-brief", lead.pk)
