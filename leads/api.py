"""REST API of leads: the same scope as the pages (404 outside one's reach)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sdr_ops import calendar
from sdr_ops.api import bad_request, page_of, paginated
from sdr_ops.models import Role

from . import access, domain, queries
from .domain import calllists, insights, tasks
from .models import CallList, Insight
from .serializers import (
    ActivityInputSerializer,
    ActivitySerializer,
    CallListEntrySerializer,
    CallListSerializer,
    InsightInputSerializer,
    InsightSerializer,
    LeadFilterSerializer,
    LeadSerializer,
    QualificationSerializer,
    SkipInputSerializer,
    TaskInputSerializer,
    TaskMoveSerializer,
    TaskSerializer,
)


class LeadListView(APIView):
    """The leads the caller may see, newest first, with the lead list's filters."""

    @extend_schema(
        parameters=[LeadFilterSerializer],
        responses=page_of(LeadSerializer),
        operation_id="leads_list",
    )
    def get(self, request: Request) -> Response:
        filters = LeadFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        leads = queries.filter_leads(
            access.leads_visible_to(request.user), **filters.validated_data
        )
        leads = queries.with_last_touch(leads).select_related("account", "owner")
        return paginated(request, self, leads.order_by("-created_at", "-pk"), LeadSerializer)


class LeadDetailView(APIView):
    @extend_schema(responses=LeadSerializer, operation_id="leads_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        lead = access.lead_for(request.user, pk, last_touch=True)
        return Response(LeadSerializer(lead).data)


class LeadActivitiesView(APIView):
    """Every activity on one lead, newest first; the lead's owner logs new ones (POST)."""

    @extend_schema(responses=page_of(ActivitySerializer), operation_id="leads_activities_list")
    def get(self, request: Request, pk: int) -> Response:
        lead = access.lead_for(request.user, pk)
        activities = lead.activities.select_related("sdr").order_by("-started_at")
        return paginated(request, self, activities, ActivitySerializer)

    @extend_schema(
        request=ActivityInputSerializer,
        responses={201: ActivitySerializer},
        operation_id="leads_activities_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        lead = access.lead_for(request.user, pk, write=True)
        data = ActivityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            activity = domain.log_activity(lead, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(ActivitySerializer(activity).data, status=201)


class QualificationListView(APIView):
    """The lead's checklist: every team item with its status and how it was obtained."""

    @extend_schema(
        responses=QualificationSerializer(many=True), operation_id="leads_qualification_list"
    )
    def get(self, request: Request, pk: int) -> Response:
        lead = access.lead_for(request.user, pk)
        answers = queries.checklist(lead)
        return Response(QualificationSerializer(answers, many=True).data)


class QualificationItemView(APIView):
    """Sets one checklist item of one of the caller's own leads; the change is kept."""

    @extend_schema(
        request=QualificationSerializer,
        responses=QualificationSerializer,
        operation_id="leads_qualification_update",
    )
    def put(self, request: Request, pk: int, item: str) -> Response:
        lead = access.lead_for(request.user, pk, write=True)
        if item not in queries.checklist_items(lead):
            raise NotFound(_("%(item)s is not on your team's checklist.") % {"item": item})
        data = QualificationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            answer = domain.set_qualification(
                lead, item=item, by=request.user, **data.validated_data
            )
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(QualificationSerializer(answer).data)


class MyCallListView(APIView):
    """The caller's call list for a day (default: today in the team's time zone)."""

    @extend_schema(
        parameters=[OpenApiParameter("day", str, description="YYYY-MM-DD")],
        responses=CallListSerializer,
        operation_id="call_list_retrieve",
    )
    def get(self, request: Request) -> Response:
        if request.user.role != Role.SDR:
            raise NotFound
        day = request.user.local_today()
        if request.query_params.get("day"):
            try:
                day = calendar.parse_day(request.query_params["day"])
            except ValueError as exc:
                raise ValidationError({"day": _("Write the day as 2026-11-30.")}) from exc
        call_list = (
            CallList.objects.prefetch_related(
                Prefetch(
                    "entries",
                    queryset=queries.list_entries_of_lists().select_related(
                        "lead__account", "lead__owner"
                    ),
                )
            )
            .filter(sdr=request.user, day=day)
            .first()
        )
        if call_list is None:
            raise NotFound
        return Response(CallListSerializer(call_list).data)


class SkipEntryView(APIView):
    @extend_schema(
        request=SkipInputSerializer,
        responses=CallListEntrySerializer,
        operation_id="call_list_entry_skip",
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = access.entry_for(request.user, pk)
        data = SkipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            calllists.skip_entry(entry, by=request.user, reason=data.validated_data["reason"])
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(CallListEntrySerializer(entry).data)


class InsightListView(APIView):
    """Market insights, newest first (every role reads); an SDR records one on their own
    lead (POST)."""

    @extend_schema(responses=page_of(InsightSerializer), operation_id="insights_list")
    def get(self, request: Request) -> Response:
        found = Insight.objects.select_related("lead__account", "sdr").order_by(
            "-created_at", "-pk"
        )
        topic = request.query_params.get("topic")
        if topic:
            found = found.filter(topic=topic)
        return paginated(request, self, found, InsightSerializer)

    @extend_schema(
        request=InsightInputSerializer,
        responses={201: InsightSerializer},
        operation_id="insights_create",
    )
    def post(self, request: Request) -> Response:
        data = InsightInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = access.lead_for(request.user, data.validated_data["lead"], write=True)
        try:
            insight = insights.record_insight(
                lead,
                by=request.user,
                topic=data.validated_data["topic"],
                quote=data.validated_data["quote"],
            )
        except PermissionDenied as exc:
            raise NotFound from exc
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(InsightSerializer(insight).data, status=201)


class TaskListView(APIView):
    """Tasks the caller may see (an SDR their own, a manager their SDRs'), soonest first;
    `?open=true` only those not done. An SDR sets one on their own lead (POST)."""

    @extend_schema(
        parameters=[OpenApiParameter("open", bool, description="only tasks not done")],
        responses=page_of(TaskSerializer),
        operation_id="tasks_list",
    )
    def get(self, request: Request) -> Response:
        found = access.tasks_visible_to(request.user).order_by("due_at", "pk")
        if request.query_params.get("open") in ("true", "1"):
            found = found.filter(done_at__isnull=True)
        return paginated(request, self, found, TaskSerializer)

    @extend_schema(
        request=TaskInputSerializer, responses={201: TaskSerializer}, operation_id="tasks_create"
    )
    def post(self, request: Request) -> Response:
        data = TaskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead = access.lead_for(request.user, values.pop("lead"), write=True)
        try:
            task = tasks.create_task(lead, by=request.user, **values)
        except PermissionDenied as exc:
            raise NotFound from exc
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(TaskSerializer(task).data, status=201)


class TaskDoneView(APIView):
    @extend_schema(request=None, responses=TaskSerializer, operation_id="tasks_done")
    def post(self, request: Request, pk: int) -> Response:
        task = tasks.complete_task(access.task_for(request.user, pk), by=request.user)
        return Response(TaskSerializer(task).data)


class TaskMoveView(APIView):
    @extend_schema(request=TaskMoveSerializer, responses=TaskSerializer, operation_id="tasks_move")
    def post(self, request: Request, pk: int) -> Response:
        task = access.task_for(request.user, pk)
        data = TaskMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            task = tasks.move_task(task, by=request.user, due_at=data.validated_data["due_at"])
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(TaskSerializer(task).data)
