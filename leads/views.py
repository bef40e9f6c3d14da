"""Pages of leads: the filtered list and logging a touch (the brief is handoffs/views_brief.py,
since it shows the handoffs)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar
from sdr_ops.access import role_required, sdrs_managed_by, sdrs_visible_to
from sdr_ops.forms import add_errors
from sdr_ops.models import Role
from sdr_ops.paging import query_without_page

from . import access, domain, queries
from .forms import BulkForm, LeadFilterForm, LeadForm, LogTouchForm
from .models import Lead, Stage

PAGE_SIZE = 50


@role_required(Role.SDR, Role.MANAGER)
def lead_list(request: HttpRequest) -> HttpResponse:
    """Every lead the user may see, filtered and searched, 50 a page; htmx gets the rows.

    The page's body is a cached fragment (`lead_list_fragment`, leads/templatetags/
    lead_rows.py) keyed by the query string without the page, the page asked for and which
    part is asked for: its data is read only when the fragment is rendered (a miss), through
    the lazy values below, so a hit runs no query of the list's own."""
    data = _ListData(request)
    context = {
        "form": SimpleLazyObject(lambda: data.form),
        "page": SimpleLazyObject(lambda: data.page),
        "bulk_form": SimpleLazyObject(lambda: data.bulk_form),
        "query": query_without_page(request),
        # The fragment's other parts: the page as asked (None without one, when an empty
        # query string leaves the filter form unbound).
        "page_asked": request.GET.get("page"),
    }
    template = "leads/lead_list.html#results" if request.htmx else "leads/lead_list.html"
    return render(request, template, context)


class _ListData:
    """The lead list's filter form, page of leads and bulk form, read on first use."""

    def __init__(self, request: HttpRequest):
        self.request, self.user = request, request.user

    @cached_property
    def owners(self) -> list | None:
        # A manager narrows by SDR; an SDR owns everything listed, an admin sees every team.
        if self.user.role != Role.MANAGER:
            return None
        return list(sdrs_managed_by(self.user).order_by("first_name"))  # once, for both forms

    @cached_property
    def form(self) -> LeadFilterForm:
        return LeadFilterForm(self.request.GET or None, owners=self.owners)

    @cached_property
    def page(self):
        leads = queries.filter_leads(access.leads_visible_to(self.user), **self.form.filters())
        leads = queries.with_last_touch(leads).select_related("account", "owner")
        return Paginator(leads.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )

    @cached_property
    def bulk_form(self) -> BulkForm:
        user = self.user
        return BulkForm(owners=self.owners if user.role == Role.MANAGER else _owners(user))


@require_POST
def log_touch(request: HttpRequest, pk: int) -> HttpResponse:
    """Logs an e-mail, message or meeting on one of the SDR's own leads."""
    lead = access.lead_for(request.user, pk, write=True)
    form = LogTouchForm(request.POST, today=request.user.local_today())
    if form.is_valid():
        try:
            domain.log_activity(lead, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Logged."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("lead-brief", lead.pk)


def _owners(user):
    """The SDRs a manager (or an admin) gives leads to; None for an SDR, who owns theirs."""
    return None if user.role == Role.SDR else sdrs_visible_to(user).order_by("first_name")


def _lead_context(request: HttpRequest, form, lead=None) -> dict:
    return {"form": form, "lead": lead, "companies": access.company_names(request.user)}


@role_required(Role.SDR, Role.MANAGER)
def lead_new(request: HttpRequest) -> HttpResponse:
    """A lead made by hand, at a company picked or made, with the import's duplicate rule."""
    owners = _owners(request.user)
    form = LeadForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner", request.user)
        try:
            lead = domain.create_lead(by=request.user, owner=owner, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Lead created: %(lead)s.") % {"lead": lead})
            return redirect("lead-brief", lead.pk)
    return render(request, "leads/lead_form.html", _lead_context(request, form))


@role_required(Role.SDR, Role.MANAGER)
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Its SDR or a manager of the team fixes a lead; each changed field is recorded."""
    lead = access.lead_to_edit(request.user, pk)
    owners = _owners(request.user)
    form = LeadForm(request.POST or None, owners=owners, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            changed = domain.update_lead(lead, by=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Saved: %(fields)s.") % {"fields": _fields(changed)})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("lead-brief", lead.pk)
    return render(request, "leads/lead_form.html", _lead_context(request, form, lead))


def _fields(names: list[str]) -> str:
    labels = {
        "company": _("company"),
        "owner": _("owner"),
        **{f.name: str(f.verbose_name) for f in Lead._meta.fields},
    }
    return ", ".join(str(labels.get(name, name)) for name in names)


@require_POST
@role_required(Role.SDR, Role.MANAGER)
def lead_bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked leads, in one set-based write: add to tomorrow's list,
    nurture, disqualify, or (a manager) give them to another SDR of the team."""
    user = request.user
    form = BulkForm(request.POST, owners=_owners(user))
    # Back to the list as it was filtered (re-encoded: nothing typed reaches the header raw).
    filters = QueryDict(request.POST.get("back", "")[:1000]).urlencode()
    back = redirect(f"{reverse('lead-list')}?{filters}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    data = form.cleaned_data
    leads = access.leads_editable_by(user).filter(pk__in=data["leads"])
    try:
        message, params = _bulk(user, leads, data)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return back
    messages.success(request, message % {**params, "asked": len(data["leads"])})
    return back


def _bulk(user, leads, data) -> tuple[str, dict]:
    """Runs the action; the message to show and its figures (leads that could not move, such
    as one handed off or already on the list, make the first figure lower than the second)."""
    action = data["action"]
    if action == "list":
        day = calendar.next_working_day(user.local_today())
        n = domain.add_many_to_list(leads, by=user, day=day)
        return _("%(n)s of %(asked)s leads added to tomorrow's lists."), {"n": n}
    if action == "nurture":
        n = domain.settle_many(leads, by=user, to=Stage.NURTURE, retry_on=data["retry_on"])
        return _("%(n)s of %(asked)s leads sent to nurture."), {"n": n}
    if action == "disqualify":
        n = domain.settle_many(
            leads, by=user, to=Stage.DISQUALIFIED, reason=data["disqualify_reason"]
        )
        return _("%(n)s of %(asked)s leads disqualified."), {"n": n}
    n = domain.reassign_many(leads, by=user, to=data["owner"])
    return _("%(n)s of %(asked)s leads given to %(owner)s."), {"n": n, "owner": data["owner"]}
