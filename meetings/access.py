"""Who reaches which meeting settings and meetings; 404 for everything else."""

from django.db.models import Q
from django.http import Http404

from handoffs.access import ae_capacity_for
from sdr_ops.models import User

from .models import Meeting

# An AE's meeting settings follow their capacity's rule: the AE their own, a manager anyone's.
availability_for = ae_capacity_for


def meeting_to_move(user: User, pk: int) -> Meeting:
    """A booked meeting the user may move: its AE's, or the one the SDR booked."""
    meeting = (
        Meeting.objects.select_related("handoff__lead__account", "ae")
        .filter(Q(ae=user) | Q(booked_by=user), pk=pk, status=Meeting.Status.BOOKED)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting
