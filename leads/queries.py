"""Reads of leads shared by the pages and the API. Scoping to who is asking is the job of
leads/access.py: these functions take querysets or objects already in reach."""

import csv
import datetime
import io

from django.db.models import (
    CharField,
    Count,
    Max,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, TruncWeek
from django.utils import timezone

from sdr_ops import calendar
from sdr_ops.csvfiles import safe_cell
from sdr_ops.models import Segment, User, default_qualification_items

from .models import Activity, CallList, CallListEntry, Insight, Lead, QualificationAnswer, Task


def with_last_touch(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """Annotates each lead with the start of its latest activity (None when never touched)."""
    latest = (
        Activity.objects.filter(lead=OuterRef("pk")).order_by("-started_at").values("started_at")
    )
    return leads.annotate(last_touch=Subquery(latest[:1]))


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


def list_for(sdr: User, day: datetime.date) -> CallList | None:
    """The SDR's call list of the day, if one was built."""
    return CallList.objects.filter(sdr=sdr, day=day).first()


def day_list(sdr: User, day: datetime.date) -> tuple[CallList | None, list[CallListEntry]]:
    """The SDR's call list of the day (None if none was built) and its entries in order, with
    lead, company and last touch: the list with its entries' lead ids, then the entries,
    told those ids. Without them PostgreSQL planned the entries' join to their leads as a
    merge join that read the lead table's primary key from the first lead to the list's
    highest; with them it reads each lead by its key (docs/performance.md). A list without
    entries costs the one query."""
    call_list = (
        CallList.objects.filter(sdr=sdr, day=day)
        .annotate(lead_ids=StringAgg(Cast("entries__lead_id", CharField()), Value(",")))
        .first()
    )
    if call_list is None or not call_list.lead_ids:
        return call_list, []
    ids = [int(pk) for pk in call_list.lead_ids.split(",")]
    return call_list, list(list_entries_of_lists().filter(call_list=call_list, lead_id__in=ids))


def tasks_due(sdr: User, day: datetime.date, zone) -> QuerySet[Task]:
    """The SDR's open tasks due by the end of the day (overdue ones first, as they are
    earliest), with their lead and company."""
    _start, end = calendar.day_bounds(day, zone)
    return (
        Task.objects.filter(sdr=sdr, done_at__isnull=True, due_at__lt=end)
        .select_related("lead__account")
        .order_by("due_at", "pk")
    )


def open_tasks(lead: Lead) -> QuerySet[Task]:
    """The lead's open tasks, soonest first."""
    return lead.tasks.filter(done_at__isnull=True).order_by("due_at", "pk")


def callbacks_due(sdr: User, day: datetime.date, zone) -> QuerySet[Lead]:
    """The SDR's leads with a callback agreed for the day or overdue, earliest first."""
    _start, end = calendar.day_bounds(day, zone)
    return (
        Lead.objects.filter(owner=sdr, callback_at__lt=end, do_not_call=False)
        .select_related("account")
        .order_by("callback_at", "pk")
    )


def checklist_items(lead: Lead) -> list[str]:
    """The qualification items of the lead owner's team, in order (the defaults when the
    owner is on no team today). The one source of a lead's checklist: the brief, call mode,
    the qualification API and the handoff all read it here."""
    team = lead.owner.current_team
    return list(team.qualification_items) if team else default_qualification_items()


def checklist(lead: Lead) -> list[QualificationAnswer]:
    """The lead's answers for its checklist items in order; unknown for items never touched.
    Each answer carries its team's labels, so `label` reads in the reader's language."""
    known = {a.item: a for a in lead.qualification.select_related("updated_by")}
    team = lead.owner.current_team
    labels = team.qualification_labels if team else {}
    answers = [
        known.get(item) or QualificationAnswer(lead=lead, item=item)
        for item in checklist_items(lead)
    ]
    for answer in answers:
        answer.team_labels = labels
    return answers


def lead_mix(owner_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Each owner's leads by segment, as (segment label, percent) pairs in segment order, in
    one grouped query. Shown beside every individual figure (idea 12 of the method)."""
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


# -- market insights (idea 6): the digest by topic and week, read by everyone -------------


def insights_filtered(
    *,
    segment: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    zone=None,
) -> QuerySet[Insight]:
    """Insights in the period (inclusive days, in `zone`) and segment; every team's."""
    insights = Insight.objects.all()
    zone = zone or timezone.get_current_timezone()
    if segment:
        insights = insights.filter(lead__account__segment=segment)
    if since:
        insights = insights.filter(created_at__gte=calendar.day_bounds(since, zone)[0])
    if until:
        insights = insights.filter(created_at__lt=calendar.day_bounds(until, zone)[1])
    return insights


def weekly_counts(insights: QuerySet[Insight], zone) -> tuple[list[datetime.date], dict]:
    """Counts by topic and ISO week (Monday dates, oldest first), in one grouped query."""
    rows = (
        insights.annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values("week", "topic")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    weeks: list[datetime.date] = []
    counts: dict[str, dict[datetime.date, int]] = {t: {} for t in Insight.Topic.values}
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], datetime.datetime) else row["week"]
        if week not in weeks:
            weeks.append(week)
        counts[row["topic"]][week] = row["n"]
    return weeks, counts


def newest_quotes(insights: QuerySet[Insight], per_topic: int = 5) -> dict[str, list[Insight]]:
    """The newest quotes of each topic (one query per topic: a fixed six)."""
    return {
        topic: list(
            insights.filter(topic=topic)
            .select_related("lead__account", "sdr")
            .order_by("-created_at", "-pk")[:per_topic]
        )
        for topic in Insight.Topic.values
    }


def insights_as_csv(insights: QuerySet[Insight], zone) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["recorded_at", "topic", "quote", "company", "segment", "sdr"])
    for i in insights.select_related("lead__account", "sdr").order_by("-created_at", "-pk"):
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    i.created_at.astimezone(zone).isoformat(timespec="minutes"),
                    i.topic,
                    i.quote,
                    i.lead.account.name,
                    i.lead.account.segment,
                    i.sdr.email,
                )
            ]
        )
    return out.getvalue()
