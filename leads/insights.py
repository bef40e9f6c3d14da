"""Market insights (idea 6): SDRs are the company's ear. Recording, and the digest by topic
and week for marketing and executives."""

import csv
import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops.csvfiles import safe_cell
from sdr_ops.models import Role, User

from .models import Insight, Lead

MAX_QUOTE = 500


def record_insight(lead: Lead, *, by: User, topic: str, quote: str) -> Insight:
    """An SDR records what a prospect said, on one of their own leads."""
    if by.role != Role.SDR or lead.owner_id != by.pk:
        raise PermissionDenied
    errors = {}
    if topic not in Insight.Topic.values:
        errors["topic"] = _("Choose a topic.")
    if not quote.strip():
        errors["quote"] = _("Write down what the prospect said, in a sentence or two.")
    elif len(quote.strip()) > MAX_QUOTE:
        errors["quote"] = _("Keep the quote under %(n)s characters.") % {"n": MAX_QUOTE}
    if errors:
        raise ValidationError(errors)
    return Insight.objects.create(lead=lead, sdr=by, topic=topic, quote=quote.strip())


def filtered(
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
        insights = insights.filter(
            created_at__gte=datetime.datetime.combine(since, datetime.time(0), tzinfo=zone)
        )
    if until:
        insights = insights.filter(
            created_at__lt=datetime.datetime.combine(
                until + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
            )
        )
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


def as_csv(insights: QuerySet[Insight], zone) -> str:
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
