"""Reads of handoffs, scoped to who is asking."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from leads.queries import team_sdrs
from sdr_ops.models import Role, User

from . import hooks
from .models import Handoff


def visible_handoffs(user: User) -> QuerySet[Handoff]:
    """An SDR sees the handoffs they made, an AE those addressed to them, a manager the
    team's, an admin all; a stakeholder none."""
    handoffs = Handoff.objects.all()
    if user.is_admin:
        return handoffs
    if user.role == Role.SDR:
        return handoffs.filter(sdr=user)
    if user.role == Role.AE:
        return handoffs.filter(ae=user)
    if user.role == Role.MANAGER:
        return handoffs.filter(sdr__in=team_sdrs(user))
    return handoffs.none()


def get_handoff_for(user: User, pk: int) -> Handoff:
    return get_object_or_404(
        visible_handoffs(user).select_related("lead__account", "sdr", "ae"), pk=pk
    )


def inbox(ae: User) -> QuerySet[Handoff]:
    """Pending handoffs addressed to the AE, oldest first."""
    return (
        Handoff.objects.filter(ae=ae, status=Handoff.Status.PENDING)
        .select_related("lead__account", "sdr", *hooks.inbox_related)
        .order_by("created_at", "pk")
    )
