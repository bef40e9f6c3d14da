"""REST API of handoffs and the valve, with the pages' permissions (404 outside reach)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sdr_ops.amounts import currency_of
from sdr_ops.api import bad_request, page_of, paginated
from sdr_ops.models import Role, User

from . import access, domain, queries, valve
from .models import Capacity, CapacityReduction
from .serializers import (
    AcceptInputSerializer,
    CapacitySerializer,
    HandoffInputSerializer,
    HandoffSerializer,
    OpportunityCloseSerializer,
    OpportunitySerializer,
    OpportunityUpdateSerializer,
    PraiseSerializer,
    ReductionSerializer,
    RejectInputSerializer,
    ReviewSerializer,
    ValveSerializer,
)

CONFLICT = OpenApiResponse(description="Already decided: another decision came first.")


def _conflict(decided: domain.AlreadyDecided) -> Response:
    return Response(
        {
            "detail": f"Already decided: this handoff was {decided.handoff.status}.",
            "status": decided.handoff.status,
        },
        status=409,
    )


class HandoffListView(APIView):
    """Handoffs the caller may see (newest first); an SDR or manager creates one (POST)."""

    @extend_schema(responses=page_of(HandoffSerializer), operation_id="handoffs_list")
    def get(self, request: Request) -> Response:
        handoffs = (
            access.handoffs_visible_to(request.user)
            .select_related("lead__account", "sdr", "ae", "opportunity")
            .order_by("-created_at", "-pk")
        )
        status = request.query_params.get("status")
        if status:
            handoffs = handoffs.filter(status=status)
        return paginated(request, self, handoffs, HandoffSerializer)

    @extend_schema(
        request=HandoffInputSerializer,
        responses={201: HandoffSerializer},
        operation_id="handoffs_create",
    )
    def post(self, request: Request) -> Response:
        if not request.user.has_role(Role.SDR, Role.MANAGER):
            raise NotFound
        data = HandoffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lead = access.lead_to_hand_off(request.user, values["lead"])
        to_ae = access.addressee(values["ae"])
        if to_ae is None:
            # Nobody with that id and someone who is not an active AE get the same answer.
            raise bad_request(DjangoValidationError({"to_ae": [domain.NOT_AN_AE]}))
        try:
            handoff = domain.hand_off(
                lead,
                by=request.user,
                to_ae=to_ae,
                certainty=values["certainty"],
                comment=values["comment"],
                override_reason=values["override_reason"],
                certainty_reason=values["certainty_reason"],
            )
        except DjangoValidationError as error:
            raise bad_request(error) from error
        except PermissionDenied as exc:
            raise NotFound from exc
        return Response(HandoffSerializer(handoff).data, status=201)


class HandoffDetailView(APIView):
    @extend_schema(responses=HandoffSerializer, operation_id="handoffs_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(HandoffSerializer(access.handoff_for(request.user, pk)).data)


class AcceptView(APIView):
    @extend_schema(
        request=AcceptInputSerializer,
        responses={201: OpportunitySerializer, 409: CONFLICT},
        operation_id="handoffs_accept",
    )
    def post(self, request: Request, pk: int) -> Response:
        handoff = access.handoff_for_decision(request.user, pk)
        data = AcceptInputSerializer(
            data=request.data, context={"currency": currency_of(request.user)}
        )
        data.is_valid(raise_exception=True)
        try:
            opportunity = domain.accept(
                handoff.pk, by=request.user, amount=data.validated_data["amount"]
            )
        except domain.AlreadyDecided as decided:
            return _conflict(decided)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(OpportunitySerializer(opportunity).data, status=201)


class RejectView(APIView):
    @extend_schema(
        request=RejectInputSerializer,
        responses={200: HandoffSerializer, 409: CONFLICT},
        operation_id="handoffs_reject",
    )
    def post(self, request: Request, pk: int) -> Response:
        handoff = access.handoff_for_decision(request.user, pk)
        data = RejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rejected = domain.reject(handoff.pk, by=request.user, **data.validated_data)
        except domain.AlreadyDecided as decided:
            return _conflict(decided)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(HandoffSerializer(rejected).data)


class ValveView(APIView):
    """Every AE's capacity, load and the certainty they take now, and the team's."""

    @extend_schema(responses=ValveSerializer, operation_id="valve_retrieve")
    def get(self, request: Request) -> Response:
        if not request.user.has_role(Role.SDR, Role.MANAGER, Role.AE):
            raise NotFound
        states = valve.ae_states(timezone.localdate(), access.valve_team_for(request.user))
        return Response(
            ValveSerializer({"team_takes": valve.team_required(states), "aes": states}).data
        )


class OpportunityListView(APIView):
    """The caller's opportunities (an AE's own), newest first."""

    @extend_schema(responses=page_of(OpportunitySerializer), operation_id="opportunities_list")
    def get(self, request: Request) -> Response:
        mine = access.opportunities_of(request.user).order_by("-created_at", "-pk")
        return paginated(request, self, mine, OpportunitySerializer)


class OpportunityDetailView(APIView):
    @extend_schema(responses=OpportunitySerializer, operation_id="opportunities_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(OpportunitySerializer(access.opportunity_for(request.user, pk)).data)

    @extend_schema(
        request=OpportunityUpdateSerializer,
        responses=OpportunitySerializer,
        operation_id="opportunities_update",
    )
    def patch(self, request: Request, pk: int) -> Response:
        opportunity = access.opportunity_for(request.user, pk)
        data = OpportunityUpdateSerializer(
            data=request.data, context={"currency": currency_of(request.user)}
        )
        data.is_valid(raise_exception=True)
        try:
            opportunity = domain.update_amount(
                opportunity.pk, by=request.user, amount=data.validated_data["amount"]
            )
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(OpportunitySerializer(opportunity).data)


class OpportunityCloseView(APIView):
    @extend_schema(
        request=OpportunityCloseSerializer,
        responses=OpportunitySerializer,
        operation_id="opportunities_close",
    )
    def post(self, request: Request, pk: int) -> Response:
        opportunity = access.opportunity_for(request.user, pk)
        data = OpportunityCloseSerializer(
            data=request.data, context={"currency": currency_of(request.user)}
        )
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values["status"] == "won":
                opportunity = domain.close_won(
                    opportunity.pk, by=request.user, amount_at_close=values.get("amount_at_close")
                )
            else:
                opportunity = domain.close_lost(
                    opportunity.pk, by=request.user, reason=values["reason"]
                )
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(OpportunitySerializer(opportunity).data)


def _capacity_body(ae: User) -> dict:
    current = Capacity.objects.filter(ae=ae).first()
    return {
        "ae": ae.email,
        "normal": current.normal if current else valve.DEFAULT_CAPACITY,
        "segment": current.segment if current else "",
        "reductions": CapacityReduction.objects.filter(ae=ae).order_by("-start_date"),
    }


class CapacityView(APIView):
    """An AE's normal capacity, segment and dated reductions (the AE's own, or a manager)."""

    @extend_schema(responses=CapacitySerializer, operation_id="capacity_retrieve")
    def get(self, request: Request, ae_id: int) -> Response:
        return Response(
            CapacitySerializer(_capacity_body(access.ae_capacity_for(request.user, ae_id))).data
        )

    @extend_schema(
        request=CapacitySerializer, responses=CapacitySerializer, operation_id="capacity_update"
    )
    def put(self, request: Request, ae_id: int) -> Response:
        ae = access.ae_capacity_for(request.user, ae_id)
        data = CapacitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            domain.set_capacity(ae, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(CapacitySerializer(_capacity_body(ae)).data)


class ReductionCreateView(APIView):
    @extend_schema(
        request=ReductionSerializer,
        responses={201: ReductionSerializer},
        operation_id="capacity_reductions_create",
    )
    def post(self, request: Request, ae_id: int) -> Response:
        ae = access.ae_capacity_for(request.user, ae_id)
        data = ReductionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reduction = domain.add_reduction(ae, by=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise bad_request(error) from error
        return Response(ReductionSerializer(reduction).data, status=201)


class ReviewListView(APIView):
    """Reviews the caller wrote (a manager) or received (an SDR); nobody else sees them."""

    @extend_schema(responses=page_of(ReviewSerializer), operation_id="reviews_list")
    def get(self, request: Request) -> Response:
        found = (
            access.reviews_visible_to(request.user)
            .select_related("manager", "handoff__sdr")
            .order_by("-created_at", "-pk")
        )
        return paginated(request, self, found, ReviewSerializer)


class ReviewDetailView(APIView):
    @extend_schema(responses=ReviewSerializer, operation_id="reviews_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReviewSerializer(access.review_for(request.user, pk)).data)


class PraiseListView(APIView):
    """The praise feed, readable by every logged-in role."""

    @extend_schema(responses=page_of(PraiseSerializer), operation_id="praise_list")
    def get(self, request: Request) -> Response:
        return paginated(request, self, queries.feed(), PraiseSerializer)
