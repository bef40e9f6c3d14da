"""Market insights: recorded by SDRs from a lead, read as a digest by everyone."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops import calendar

from . import access, queries
from .domain import insights
from .models import Insight, Segment


@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """The SDR records what a prospect said, from the lead brief."""
    lead = access.lead_for(request.user, pk, write=True)
    try:
        insights.record_insight(
            lead,
            by=request.user,
            topic=request.POST.get("topic", ""),
            quote=request.POST.get("quote", ""),
        )
        messages.success(request, _("Insight recorded. Marketing sees it in the digest."))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("lead-brief", lead.pk)


def _date(value: str | None) -> datetime.date | None:
    try:
        return calendar.parse_day(value) if value else None
    except ValueError:
        return None


def digest(request: HttpRequest) -> HttpResponse:
    """Counts by topic and week with the trend, the newest quotes per topic; filters by segment
    and period; CSV export. Every logged-in role reads it."""
    zone = request.user.local_zone
    today = calendar.local_today(zone)
    segment = request.GET.get("segment", "")
    segment = segment if segment in Segment.values else ""
    since = _date(request.GET.get("from")) or today - datetime.timedelta(weeks=8)
    until = _date(request.GET.get("to")) or today
    chosen = queries.insights_filtered(segment=segment, since=since, until=until, zone=zone)
    if request.GET.get("format") == "csv":
        response = HttpResponse(queries.insights_as_csv(chosen, zone), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="insights-{since.isoformat()}-{until.isoformat()}.csv"'
        )
        return response
    weeks, counts = queries.weekly_counts(chosen, zone)
    quotes = queries.newest_quotes(chosen)
    # The trend compares complete weeks: a week still under way would always look down.
    this_monday = calendar.monday_of(today)
    complete = len(weeks) - (1 if weeks and weeks[-1] >= this_monday else 0)
    topics = []
    for value, label in Insight.Topic.choices:
        series = [counts[value].get(week, 0) for week in weeks]
        last = series[complete - 1] if complete >= 1 else 0
        before = series[complete - 2] if complete >= 2 else 0
        topics.append(
            {
                "value": value,
                "label": label,
                "series": series,
                "total": sum(series),
                "trend": last - before,
                "quotes": quotes[value],
            }
        )
    return render(
        request,
        "leads/insights.html",
        {
            "weeks": weeks,
            "topics": topics,
            "segments": Segment.choices,
            "filters": {"segment": segment, "from": since, "to": until},
            "query": request.GET.urlencode(),
        },
    )
