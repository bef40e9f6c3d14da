"""REST API of cadences: the cadences a caller sees, enrollments (enrol, pause, resume,
finish) and their step runs; out of reach is 404, as on the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.access import lead_for
from sdr_ops.api import bad_request, page_of, paginated

from . import access, domain
from .models import CadenceVersion, Step
from .serializers import (
    CadenceSerializer,
    EnrolInputSerializer,
    EnrollmentSerializer,
    FinishInputSerializer,
    PauseInputSerializer,
    StepRunSerializer,
)


class CadenceListView(APIView):
    @extend_schema(responses=page_of(CadenceSerializer), operation_id="cadences_list")
    def get(self, request: Request) -> Response:
        cadences = (
            access.cadences_visible_to(request.user)
            .prefetch_related(
                Prefetch(
                    "versions",
                    CadenceVersion.objects.prefetch_related(
                        Prefetch("steps", Step.objects.order_by("position"))
                    ),
                )
            )
            .order_by("name", "pk")
        )
        return paginated(request, self, cadences, CadenceSerializer)


class EnrollmentListView(APIView):
    """The caller's enrollments (an SDR's own, a manager's team's); POST enrols a lead."""

    @extend_schema(responses=page_of(EnrollmentSerializer), operation_id="enrollments_list")
    def get(self, request: Request) -> Response:
        enrollments = (
            access.enrollments_visible_to(request.user)
            .select_related("version")
            .order_by("-enrolled_at", "-pk")
        )
        state = request.query_params.get("state")
        if state:
            enrollments = enrollments.filter(state=state[:10])
        return paginated(request, self, enrollments, EnrollmentSerializer)

    @extend_schema(
        request=EnrolInputSerializer,
        responses={201: EnrollmentSerializer},
        operation_id="enrollments_create",
    )
    def post(self, request: Request) -> Response:
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = lead_for(request.user, data.validated_data["lead"])
        cadence = access.cadence_for(request.user, data.validated_data["cadence"])
        try:
            enrollment = domain.enrol(lead, cadence, by=request.user)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(EnrollmentSerializer(enrollment).data, status=201)


class _Change(APIView):
    input_serializer = None

    def change(self, request, enrollment, data):
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        enrollment = access.enrollment_for(request.user, pk)
        data = {}
        if self.input_serializer:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        try:
            enrollment = self.change(request, enrollment, data)
        except domain.NotOpen as error:
            return Response({"detail": error.messages[0]}, status=409)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(EnrollmentSerializer(enrollment).data)


class PauseView(_Change):
    input_serializer = PauseInputSerializer

    @extend_schema(
        request=PauseInputSerializer,
        responses=EnrollmentSerializer,
        operation_id="enrollments_pause",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def change(self, request, enrollment, data):
        return domain.pause(enrollment, by=request.user, until=data.get("until"))


class ResumeView(_Change):
    @extend_schema(request=None, responses=EnrollmentSerializer, operation_id="enrollments_resume")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def change(self, request, enrollment, data):
        return domain.resume(enrollment, by=request.user)


class FinishView(_Change):
    input_serializer = FinishInputSerializer

    @extend_schema(
        request=FinishInputSerializer,
        responses=EnrollmentSerializer,
        operation_id="enrollments_finish",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def change(self, request, enrollment, data):
        return domain.finish(enrollment, reason=data["reason"], by=request.user)


class StepRunListView(APIView):
    @extend_schema(responses=page_of(StepRunSerializer), operation_id="enrollments_step_runs")
    def get(self, request: Request, pk: int) -> Response:
        enrollment = access.enrollment_for(request.user, pk)
        runs = enrollment.runs.select_related("step", "variant").order_by("at", "pk")
        return paginated(request, self, runs, StepRunSerializer)
