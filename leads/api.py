"""REST API of leads: the same scope as the pages (404 outside one's reach)."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import queries
from .serializers import ActivitySerializer, LeadFilterSerializer, LeadSerializer


class LeadListView(APIView):
    """The leads the caller may see, newest first, with the lead list's filters."""

    @extend_schema(
        parameters=[LeadFilterSerializer],
        responses=LeadSerializer(many=True),
        operation_id="leads_list",
    )
    def get(self, request: Request) -> Response:
        filters = LeadFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        leads = queries.filter_leads(queries.visible_leads(request.user), **filters.validated_data)
        leads = queries.with_last_touch(leads).select_related("account", "owner")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(leads.order_by("-created_at", "-pk"), request, self)
        return paginator.get_paginated_response(LeadSerializer(page, many=True).data)


class LeadDetailView(APIView):
    @extend_schema(responses=LeadSerializer, operation_id="leads_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        lead = get_object_or_404(
            queries.with_last_touch(queries.visible_leads(request.user)).select_related(
                "account", "owner"
            ),
            pk=pk,
        )
        return Response(LeadSerializer(lead).data)


class LeadActivitiesView(APIView):
    """Every activity on one lead, newest first."""

    @extend_schema(responses=ActivitySerializer(many=True), operation_id="leads_activities_list")
    def get(self, request: Request, pk: int) -> Response:
        lead = queries.get_lead_for(request.user, pk)
        activities = lead.activities.select_related("sdr").order_by("-started_at")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(activities, request, self)
        return paginator.get_paginated_response(ActivitySerializer(page, many=True).data)
