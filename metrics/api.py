"""REST API of the weekly KPIs."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sdr_ops.access import team_for
from sdr_ops.models import Role, Team

from . import kpis, queries

MAX_WEEKS = 53


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


# -- the schema of one week's object (kpi-definitions.md); only the documentation uses it -----


class StageStepSerializer(serializers.Serializer):
    _from = serializers.CharField()
    to = serializers.CharField()
    entered = serializers.IntegerField()
    converted = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    window_days = serializers.IntegerField(help_text="The transition's window (team setting).")
    converted_in_window = serializers.IntegerField(
        help_text="Leads that entered the next stage within window_days of entering this one."
    )
    rate_in_window = serializers.FloatField(allow_null=True)
    mature = serializers.BooleanField(
        help_text="week_end + window_days is before the computation date: the cohort had its "
        "whole window. The bottleneck judges mature cohorts only."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("_from")
        return fields


class StepSerializer(serializers.Serializer):
    _from = serializers.CharField()
    to = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("_from")
        return fields


class WeeklyFiguresSerializer(serializers.Serializer):
    team = serializers.CharField()
    week = serializers.CharField()
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    headcount = serializers.IntegerField(allow_null=True)
    productive_headcount = serializers.FloatField(allow_null=True)
    calls = serializers.IntegerField(allow_null=True)
    connects = serializers.IntegerField(allow_null=True)
    emails = serializers.IntegerField(allow_null=True)
    speed_to_lead_median_hours = serializers.FloatField(allow_null=True)
    inbound_untouched = serializers.IntegerField(allow_null=True)
    handoffs_created = serializers.IntegerField(allow_null=True)
    handoffs_accepted = serializers.IntegerField(allow_null=True)
    handoffs_rejected = serializers.IntegerField(allow_null=True)
    handoffs_pending = serializers.IntegerField(allow_null=True)
    handoff_to_opportunity_ratio = serializers.FloatField(allow_null=True)
    dead_ratio = serializers.FloatField(allow_null=True)
    ratio_status = serializers.CharField(allow_null=True)
    opportunities_won = serializers.IntegerField(allow_null=True)
    amount_at_creation_won = serializers.FloatField(allow_null=True)
    amount_won = serializers.FloatField(allow_null=True)
    amount_drift = serializers.FloatField(allow_null=True)
    amount_drift_pct = serializers.FloatField(allow_null=True)
    median_drift_pct = serializers.FloatField(allow_null=True)
    stage_conversion = StageStepSerializer(many=True)
    bottleneck = StepSerializer(
        allow_null=True, help_text="null when no step's cohort is mature with data: too early."
    )
    pending_handoffs = serializers.IntegerField(allow_null=True)
    expected_opportunities = serializers.FloatField(allow_null=True)
    expected_amount = serializers.FloatField(allow_null=True)
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When these figures were computed; null when never yet."
    )
    being_computed = serializers.BooleanField(
        help_text="A background recomputation is due (a change touched the week since, or it "
        "was never computed: then every figure is null). Ask again in a few minutes."
    )


class WeeklyKpisView(APIView):
    """One team-week (`week`), or a range of weeks (`from` and `to`), as in
    kpi-definitions.md, from the stored weeks; nothing is computed in the request."""

    @extend_schema(
        parameters=[
            OpenApiParameter("team", str, required=True),
            OpenApiParameter("week", str, description="ISO week, e.g. 2026-W47"),
            OpenApiParameter(
                "from", str, description=f"first ISO week of a range ({MAX_WEEKS} weeks at most)"
            ),
            OpenApiParameter("to", str, description="last ISO week of a range"),
        ],
        responses={
            200: OpenApiResponse(
                WeeklyFiguresSerializer,
                description="One object for `week`; a list, oldest first, for `from` and `to`.",
            ),
            400: OpenApiResponse(
                description=f"A week not written like 2026-W47, a range that runs backwards, "
                f"or one of more than {MAX_WEEKS} weeks."
            ),
        },
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
