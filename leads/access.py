"""Who reaches which lead and call list. Every page and API view of leads asks here; a lead,
list or entry out of reach answers 404 whether or not it exists."""

from django.db.models import QuerySet
from django.http import Http404

from sdr_ops.access import sdrs_managed_by
from sdr_ops.models import Role, User

from .models import Account, CallList, CallListEntry, ImportJob, Lead, Task
from .queries import with_last_touch


def leads_visible_to(user: User) -> QuerySet[Lead]:
    """The leads a user may see: an SDR their own, a manager their team's SDRs', an AE the
    leads handed to them, an admin all; a stakeholder none."""
    leads = Lead.objects.all()
    if user.is_admin:
        return leads
    if user.role == Role.SDR:
        return leads.filter(owner=user)
    if user.role == Role.MANAGER:
        return leads.filter(owner__in=sdrs_managed_by(user))
    if user.role == Role.AE:
        return leads.filter(pk__in=user.handoffs_received.values("lead_id"))
    return leads.none()


def lead_for(user: User, pk: int, *, write: bool = False, last_touch: bool = False) -> Lead:
    """The lead with this id if the user may read it, or with `write` work it (only its owner
    logs calls and answers, adds it to a list, records what the prospect said); 404 otherwise.
    `last_touch` annotates the start of its latest activity."""
    leads = Lead.objects.filter(owner=user) if write else leads_visible_to(user)
    if last_touch:
        leads = with_last_touch(leads)
    lead = leads.select_related("account", "owner").filter(pk=pk).first()
    if lead is None:
        raise Http404
    if lead.owner_id == user.pk:
        lead.owner = user  # the same person: what is known of them (their team) is kept
    return lead


def may_edit(user: User, lead: Lead) -> bool:
    """For a lead the user reached through `lead_for`: whether they may edit it too (its
    owner, a manager, who sees only the team's leads, an admin). Asks no query."""
    return lead.owner_id == user.pk or user.role == Role.MANAGER or user.is_admin


def leads_editable_by(user: User) -> QuerySet[Lead]:
    """The leads a user may edit and act on in bulk: an SDR their own, a manager their team's,
    an admin all; nobody else any (an AE reads the leads handed to them, never edits)."""
    if user.is_admin:
        return Lead.objects.all()
    if user.role == Role.SDR:
        return Lead.objects.filter(owner=user)
    if user.role == Role.MANAGER:
        return Lead.objects.filter(owner__in=sdrs_managed_by(user))
    return Lead.objects.none()


def lead_to_edit(user: User, pk: int) -> Lead:
    """A lead the user may edit (leads_editable_by); 404 otherwise."""
    lead = leads_editable_by(user).select_related("account", "owner").filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def account_for(user: User, pk: int) -> Account:
    """A company with at least one lead the user may see; 404 otherwise, so nobody learns of
    a company they have no lead at."""
    account = Account.objects.filter(pk=pk, leads__in=leads_visible_to(user)).first()
    if account is None:
        raise Http404
    return account


def company_names(user: User, limit: int = 500) -> list[str]:
    """Names of the companies the user has leads at, to pick from when making a lead (a
    company of another team is not offered; typed by name, it is still reused)."""
    accounts = Account.objects.filter(leads__in=leads_visible_to(user)).distinct()
    return list(accounts.order_by("name").values_list("name", flat=True)[:limit])


def call_list_for(user: User, list_id: int) -> CallList:
    """One of the SDR's own call lists; 404 otherwise."""
    call_list = CallList.objects.filter(pk=list_id, sdr=user).first()
    if call_list is None:
        raise Http404
    return call_list


def entry_for(user: User, pk: int, *, list_id: int | None = None) -> CallListEntry:
    """An entry of one of the SDR's own lists (of that list, when given); 404 otherwise."""
    entries = CallListEntry.objects.select_related("call_list", "lead__account", "lead__owner")
    entries = entries.filter(pk=pk, call_list__sdr=user)
    if list_id is not None:
        entries = entries.filter(call_list_id=list_id)
    entry = entries.first()
    if entry is None:
        raise Http404
    return entry


def tasks_visible_to(user: User) -> QuerySet[Task]:
    """Tasks a user may see: an SDR their own, a manager their SDRs', an admin all."""
    tasks = Task.objects.all()
    if user.is_admin:
        return tasks
    if user.role == Role.SDR:
        return tasks.filter(sdr=user)
    if user.role == Role.MANAGER:
        return tasks.filter(sdr__in=sdrs_managed_by(user))
    return tasks.none()


def task_for(user: User, pk: int) -> Task:
    """One of the SDR's own tasks, to finish or move; 404 otherwise (whoever else asks)."""
    task = Task.objects.select_related("lead__account").filter(pk=pk, sdr=user).first()
    if task is None:
        raise Http404
    return task


def import_job_for(user: User, pk: int) -> ImportJob:
    """A lead import job for its creator, or any for an admin; 404 otherwise."""
    jobs = ImportJob.objects.defer("data")
    if not user.is_admin:
        jobs = jobs.filter(created_by=user)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
