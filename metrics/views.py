"""The manager and stakeholder dashboards: team figures week by week (idea 12)."""

import datetime

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from handoffs.models import Opportunity
from sdr_ops.access import role_required
from sdr_ops.models import Role, StaffingRecord, Team

from . import kpis
from .models import WeeklyRollup

WEEKS = 12

STATUS_WORDS = {
    "no_data": _("no decided handoff yet"),
    "wasted_visits": _("wasted visits: AEs visit too many leads that are not ready"),
    "below_band": _("below the band: qualify a little more before handing off"),
    "in_band": _("in band"),
    "above_band": _("above the band: qualifying a little strictly"),
    "too_narrow": _("too narrow: qualifying too strictly, chances are being missed"),
}


def _teams_for(user) -> list[Team]:
    if user.is_admin or user.role == Role.STAKEHOLDER:
        return list(Team.objects.filter(kind=Team.Kind.SDR))
    team = user.current_team
    return [team] if team else []


def weekly_series(team: Team, last: kpis.Week, count: int = WEEKS) -> list[dict]:
    """The last `count` weeks of figures, oldest first: stored rollups, computed when missing
    (and the week under way is always computed)."""
    weeks = [last.shifted(-back) for back in range(count - 1, -1, -1)]
    stored = dict(
        WeeklyRollup.objects.filter(team=team, week__in=[w.label for w in weeks]).values_list(
            "week", "figures"
        )
    )
    return [stored.get(w.label) or kpis.compute_week(team, w.label) for w in weeks]


@role_required(Role.MANAGER, Role.STAKEHOLDER)
def dashboards(request: HttpRequest) -> HttpResponse:
    teams = _teams_for(request.user)
    if not teams:
        raise Http404
    team = next((t for t in teams if t.slug == request.GET.get("team")), teams[0])
    today = timezone.localdate(timezone=team.zone)
    last = kpis.Week(team, today - datetime.timedelta(days=today.weekday() + 7))
    series = weekly_series(team, last)
    current = series[-1]
    start = kpis.Week(team, last.monday - datetime.timedelta(weeks=WEEKS - 1))
    moves = StaffingRecord.objects.filter(team=team, role=Role.SDR).filter(
        start_date__gte=start.monday
    ) | StaffingRecord.objects.filter(team=team, role=Role.SDR, end_date__gte=start.monday)
    drifts = (
        Opportunity.objects.filter(
            status=Opportunity.Status.WON,
            closed_at__gte=start.start,
            closed_at__lt=last.stop,
            handoff__in=kpis.team_handoffs(last).values("pk"),
        )
        .select_related("handoff__lead__account", "handoff__sdr", "handoff__ae")
        .annotate(drift=F("amount_at_close") - F("amount_at_creation"))
        .order_by("drift")[:10]
    )
    chart = {
        "labels": [f["week"] for f in series],
        "headcount": [f["headcount"] for f in series],
        "productive": [f["productive_headcount"] for f in series],
        "ratio": [f["handoff_to_opportunity_ratio"] for f in series],
        "band": [float(team.ratio_band_low), float(team.ratio_band_high)],
        "created": [f["amount_at_creation_won"] for f in series],
        "won": [f["amount_won"] for f in series],
        "conversion": {
            f"{s['from']}→{s['to']}": [
                next((c["rate"] for c in f["stage_conversion"] if c["from"] == s["from"]), None)
                for f in series
            ]
            for s in current["stage_conversion"]
        },
        "texts": {
            "headcount": _("Headcount"),
            "productive": _("Productive headcount"),
            "ratio": _("Handoff-to-opportunity ratio"),
            "low": _("Band, low"),
            "high": _("Band, high"),
            "created": _("Amount at creation (won)"),
            "won": _("Amount won"),
        },
    }
    return render(
        request,
        "metrics/dashboards.html",
        {
            "team": team,
            "teams": teams,
            "current": current,
            "series": series,
            "status_words": STATUS_WORDS.get(current["ratio_status"], ""),
            "moves": moves.order_by("start_date").select_related("person"),
            "drifts": drifts,
            "chart": chart,
            "since": start.monday,
            "can_import": request.user.has_role(Role.MANAGER),
        },
    )
