"""Reads of telephony, scoped to who asks."""

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from leads.models import Lead
from sdr_ops.models import User

from .models import Call

# How long an inbound call stays on the SDR's screen after it started ringing.
INCOMING_FOR = datetime.timedelta(minutes=3)
# How long after it ended a call is still the one call mode logs.
RECENT_FOR = datetime.timedelta(minutes=30)


def incoming_for(sdr: User) -> Call | None:
    """The SDR's latest inbound call of the last minutes that has not ended."""
    since = timezone.now() - INCOMING_FOR
    return (
        Call.objects.filter(sdr=sdr, direction=Call.Direction.INBOUND, started_at__gte=since)
        .exclude(state=Call.State.ENDED)
        .select_related("lead__account")
        .order_by("-started_at")
        .first()
    )


def current_call(sdr: User, lead: Lead) -> Call | None:
    """The SDR's latest call with the lead of the last half hour, ended or not."""
    return (
        Call.objects.filter(sdr=sdr, lead=lead, started_at__gte=timezone.now() - RECENT_FOR)
        .order_by("-started_at")
        .first()
    )


def recordings(lead: Lead) -> QuerySet[Call]:
    """The lead's recorded calls, newest first; shown only on pages that checked access."""
    return (
        Call.objects.filter(lead=lead)
        .exclude(recording_url="")
        .select_related("sdr")
        .order_by("-started_at")
    )


def call_of_sdr(sdr: User, pk: int) -> Call:
    """A call the SDR took; 404 for any other."""
    return get_object_or_404(Call, pk=pk, sdr=sdr)
