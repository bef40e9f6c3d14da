"""Reads of leads shared by the pages and the API, always scoped to who is asking."""

import datetime

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sdr_ops.models import DEFAULT_QUALIFICATION_ITEMS, Role, StaffingRecord, User

from .models import Activity, Lead


def team_sdrs(manager: User) -> QuerySet[User]:
    """SDRs with a staffing record active today on the manager's current team."""
    team = manager.current_team
    if team is None:
        return User.objects.none()
    active = StaffingRecord.objects.active_on(timezone.localdate()).filter(team=team, role=Role.SDR)
    return User.objects.filter(pk__in=active.values("person_id"))


def visible_leads(user: User) -> QuerySet[Lead]:
    """The leads a user may see: an SDR their own, a manager their team's SDRs', an AE the
    leads handed to them, an admin all; a stakeholder none."""
    leads = Lead.objects.all()
    if user.is_admin:
        return leads
    if user.role == Role.SDR:
        return leads.filter(owner=user)
    if user.role == Role.MANAGER:
        return leads.filter(owner__in=team_sdrs(user))
    if user.role == Role.AE:
        return leads.filter(pk__in=user.handoffs_received.values("lead_id"))
    return leads.none()


def get_lead_for(user: User, pk: int) -> Lead:
    """The lead with this id if the user may see it; 404 otherwise, whether or not it exists."""
    return get_object_or_404(visible_leads(user).select_related("account", "owner"), pk=pk)


def with_last_touch(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """Annotates each lead with the start of its latest activity (None when never touched)."""
    latest = (
        Activity.objects.filter(lead=OuterRef("pk")).order_by("-started_at").values("started_at")
    )
    return leads.annotate(last_touch=Subquery(latest[:1]))


LAST_TOUCH_CHOICES = ("never", "today", "7d", "quiet7", "quiet30")


def filter_leads(
    leads: QuerySet[Lead],
    *,
    stage: str = "",
    segment: str = "",
    source: str = "",
    owner: int | None = None,
    last_touch: str = "",
    q: str = "",
) -> QuerySet[Lead]:
    """Applies the lead list's filters; empty values leave a filter off."""
    if stage:
        leads = leads.filter(stage=stage)
    if segment:
        leads = leads.filter(account__segment=segment)
    if source:
        leads = leads.filter(source=source)
    if owner:
        leads = leads.filter(owner_id=owner)
    if q:
        for word in q.split()[:5]:
            leads = leads.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
                | Q(account__name__icontains=word)
                | Q(title__icontains=word)
            )
    if last_touch:
        now = timezone.now()
        today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        leads = leads.alias(latest=Max("activities__started_at"))
        leads = {
            "never": lambda qs: qs.filter(latest__isnull=True),
            "today": lambda qs: qs.filter(latest__gte=today_start),
            "7d": lambda qs: qs.filter(latest__gte=now - datetime.timedelta(days=7)),
            "quiet7": lambda qs: qs.filter(latest__lt=now - datetime.timedelta(days=7)),
            "quiet30": lambda qs: qs.filter(latest__lt=now - datetime.timedelta(days=30)),
        }.get(last_touch, lambda qs: qs)(leads)
    return leads


def list_entries_of_lists() -> QuerySet:
    """Call-list entries in order, with lead, company and the lead's last touch."""
    from .models import CallListEntry

    latest = (
        Activity.objects.filter(lead=OuterRef("lead_id"))
        .order_by("-started_at")
        .values("started_at")
    )
    return (
        CallListEntry.objects.select_related("lead__account")
        .annotate(last_touch=Subquery(latest[:1]))
        .order_by("position")
    )


def list_entries(call_list) -> QuerySet:
    """The entries of one call list in order, with lead, company and last touch."""
    return list_entries_of_lists().filter(call_list=call_list)


def own_lead(user: User, pk: int) -> Lead:
    """One of the user's own leads (an SDR acting on it); 404 otherwise."""
    return get_object_or_404(Lead.objects.select_related("account", "owner"), pk=pk, owner=user)


def checklist_items(user: User) -> list[str]:
    """The qualification items of the user's team, in order (the defaults without a team)."""
    team = user.current_team
    return list(team.qualification_items) if team else list(DEFAULT_QUALIFICATION_ITEMS)


def lead_mix(owner_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Each owner's leads by segment, as (segment label, percent) pairs in segment order, in
    one grouped query. Shown beside every individual figure (idea 12 of the method)."""
    from django.db.models import Count

    from .models import Segment

    totals: dict[int, dict[str, int]] = {}
    rows = (
        Lead.objects.filter(owner_id__in=owner_ids)
        .values("owner_id", "account__segment")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        totals.setdefault(row["owner_id"], {})[row["account__segment"]] = row["n"]
    mix = {}
    for owner, by_segment in totals.items():
        total = sum(by_segment.values())
        mix[owner] = [
            (str(label), round(100 * by_segment.get(value, 0) / total))
            for value, label in Segment.choices
        ]
    return mix
