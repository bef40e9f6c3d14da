"""The provider-neutral call-events webhook: any phone system posts `ringing`, `answered` and
`ended`, signed as the Standard Webhooks specification says, with the team's secret.

    POST /api/v1/telephony/events/?team=<team slug>
    webhook-id: evt_2Yb9...          (unique per event; a retry sends the same id)
    webhook-timestamp: 1764583200    (seconds since the epoch; five minutes' tolerance)
    webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">
    {"type": "ended", "call_id": "pbx-8812", "direction": "outbound",
     "from": "070-1234-5678", "to": "010-2345-6789", "extension": "201",
     "timestamp": "2026-12-01T10:03:04+09:00", "duration": 184,
     "recording_url": "https://pbx.example.kr/rec/8812.mp3"}

Answers: 200 applied; 200 with `"duplicate": true` for an id applied before with the same
body (a retry: nothing is done again); 409 for an id applied before with another body; 401
for a missing, wrong or stale signature or an unknown team; 400 for a body that is no event.
"""

import json
import re

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sdr_ops.models import Team

from . import domain, signatures
from .models import Call, PhoneSystem

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class CallEventSerializer(serializers.Serializer):
    # A pattern rather than a choice: the schema keeps its enum names for activity types.
    type = serializers.RegexField(
        r"^(ringing|answered|ended)$", help_text="ringing, answered or ended"
    )
    call_id = serializers.CharField(max_length=100)
    direction = serializers.ChoiceField(choices=Call.Direction.choices)
    to = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    extension = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    timestamp = serializers.CharField(max_length=40, required=False, allow_blank=True)
    duration = serializers.IntegerField(min_value=0, max_value=24 * 3600, required=False)
    recording_url = serializers.URLField(max_length=500, required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so the field is added by name.
        fields["from"] = serializers.CharField(
            max_length=40, allow_blank=True, required=False, default=""
        )
        return fields


class UnsignedAuthentication:
    """No user: the signature is the authentication. Answers 401 with this challenge."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return 'Signature realm="standard-webhooks"'


class CallEventsView(APIView):
    """Call events from the team's phone system (Standard Webhooks signature required)."""

    authentication_classes = [UnsignedAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("team", str, required=True, description="team slug")],
        request=CallEventSerializer,
        responses={
            200: inline_serializer(
                "CallEventResult",
                {
                    "call": serializers.CharField(),
                    "state": serializers.CharField(),
                    "duplicate": serializers.BooleanField(),
                },
            )
        },
        operation_id="telephony_events_create",
    )
    def post(self, request: Request) -> Response:
        body = request._request.body
        slug = request.query_params.get("team", "")[:50]
        # Only a slug reaches the database: a NUL byte in a query string is an error there.
        system = (
            PhoneSystem.objects.select_related("team").filter(team__slug=slug).first()
            if SLUG.fullmatch(slug)
            else None
        )
        if system is None:
            return _unauthorised()
        try:
            event_id, _timestamp = signatures.verify(system.webhook_secret, request.headers, body)
        except signatures.InvalidSignature:
            return _unauthorised()
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return Response({"detail": "The body is not JSON."}, status=400)
        event = CallEventSerializer(data=payload if isinstance(payload, dict) else {})
        event.is_valid(raise_exception=True)
        return _apply(system.team, event_id, body, event.validated_data)


def _apply(team: Team, event_id: str, body: bytes, event: dict) -> Response:
    try:
        call = domain.record_event(team, event_id=event_id, body=body, event=event)
    except domain.Duplicate:
        return Response({"duplicate": True})
    except domain.Conflict:
        return Response({"detail": "This event id was used for another event."}, status=409)
    return Response({"call": call.call_id, "state": call.state, "duplicate": False})


def _unauthorised() -> Response:
    return Response(
        {"detail": "Missing, wrong or stale signature."},
        status=401,
        headers={"WWW-Authenticate": 'Signature realm="standard-webhooks"'},
    )
