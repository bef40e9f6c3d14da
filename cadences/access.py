"""Who reaches which cadence and enrollment: an SDR and a manager their team's cadences (a
manager edits them), an SDR their own enrollments, a manager their team's, an admin all;
anything out of reach is 404."""

from django.db.models import QuerySet
from django.http import Http404

from sdr_ops.access import sdrs_managed_by
from sdr_ops.models import Role, User

from .models import Audience, Cadence, Enrollment, StepRun


def cadences_visible_to(user: User) -> QuerySet[Cadence]:
    cadences = Cadence.objects.select_related("team")
    if user.is_admin:
        return cadences
    if user.role in (Role.SDR, Role.MANAGER) and user.current_team:
        return cadences.filter(team=user.current_team)
    return cadences.none()


def cadence_for(user: User, pk: int, *, write: bool = False) -> Cadence:
    """The cadence if the user may see it, or with `write` edit it (its team's manager)."""
    if write and not (user.is_admin or user.role == Role.MANAGER):
        raise Http404
    cadence = cadences_visible_to(user).filter(pk=pk).first()
    if cadence is None:
        raise Http404
    return cadence


def enrollments_visible_to(user: User) -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.all()
    if user.is_admin:
        return enrollments
    if user.role == Role.SDR:
        return enrollments.filter(sdr=user)
    if user.role == Role.MANAGER:
        return enrollments.filter(sdr__in=sdrs_managed_by(user))
    return enrollments.none()


def enrollment_for(user: User, pk: int) -> Enrollment:
    """The enrollment if the user may see and change it (its SDR, their manager, an admin)."""
    enrollment = (
        enrollments_visible_to(user)
        .select_related("lead__account", "version__cadence", "sdr", "team")
        .filter(pk=pk)
        .first()
    )
    if enrollment is None:
        raise Http404
    return enrollment


def step_runs_visible_to(user: User) -> QuerySet[StepRun]:
    return StepRun.objects.filter(enrollment__in=enrollments_visible_to(user))


def audiences_visible_to(user: User) -> QuerySet[Audience]:
    """Saved audiences: an SDR their own, a manager their team's, an admin all."""
    audiences = Audience.objects.select_related("cadence", "owner")
    if user.is_admin:
        return audiences
    if user.role == Role.SDR:
        return audiences.filter(owner=user)
    if user.role == Role.MANAGER and user.current_team:
        return audiences.filter(team=user.current_team)
    return audiences.none()


def audience_for(user: User, pk: int) -> Audience:
    """An audience the user sees (and so may delete); 404 otherwise."""
    audience = audiences_visible_to(user).filter(pk=pk).first()
    if audience is None:
        raise Http404
    return audience
