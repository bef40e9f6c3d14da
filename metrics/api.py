"""REST API of the weekly KPIs."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sdr_ops.access import team_for
from sdr_ops.models import Role, Team

from . import kpis, queries

MAX_WEEKS = 104


def _team_for(request: Request, slug: str | None) -> Team:
    """The team named (required), by the dashboards' rule: a manager their own team,
    stakeholders and admins any SDR team; 404 for anything else."""
    if not request.user.has_role(Role.MANAGER, Role.STAKEHOLDER) or not slug:
        raise NotFound
    return team_for(request.user, slug)


def _week(team: Team, label: str, field: str) -> kpis.Week:
    try:
        return kpis.Week.parse(team, label)
    except (ValueError, AttributeError) as exc:
        raise ValidationError({field: _("Write the week as 2026-W47.")}) from exc


class WeeklyKpisView(APIView):
    """One team-week (`week`), or a range of weeks (`from` and `to`), as in
    kpi-definitions.md: from the stored rollup when it exists, otherwise computed."""

    @extend_schema(
        parameters=[
            OpenApiParameter("team", str, required=True),
            OpenApiParameter("week", str, description="ISO week, e.g. 2026-W47"),
            OpenApiParameter("from", str, description="first ISO week of a range"),
            OpenApiParameter("to", str, description="last ISO week of a range"),
        ],
        responses=OpenApiTypes.OBJECT,
        operation_id="kpis_weekly",
    )
    def get(self, request: Request) -> Response:
        team = _team_for(request, request.query_params.get("team"))
        if request.query_params.get("week"):
            week = _week(team, request.query_params["week"], "week")
            return Response(queries.weekly_figures(team, [week])[0])
        if not (request.query_params.get("from") and request.query_params.get("to")):
            raise ValidationError({"week": _("Give a week, or from and to.")})
        first = _week(team, request.query_params["from"], "from")
        last = _week(team, request.query_params["to"], "to")
        count = (last.monday - first.monday).days // 7 + 1
        if count < 1 or count > MAX_WEEKS:
            raise ValidationError(
                {"to": _("A range runs forward, %(n)s weeks at most.") % {"n": MAX_WEEKS}}
            )
        return Response(queries.weekly_figures(team, [first.shifted(i) for i in range(count)]))
