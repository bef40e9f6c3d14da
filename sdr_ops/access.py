"""Who reaches what, for the organisation: role checks, the teams a user may read and the
SDRs a manager manages. Anything out of a user's reach answers 404, never 403. The apps keep
their own helpers (leads/access.py, handoffs/access.py) on top of these."""

from collections.abc import Callable
from functools import wraps

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from .models import Role, StaffingRecord, Team, User


def role_required(*roles: str) -> Callable:
    """Lets through users holding one of the roles (admins hold all); 404 for the others."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# -- teams: which team a request concerns ------------------------------------------------------


def teams_visible_to(user: User) -> list[Team]:
    """The SDR teams whose figures and settings the user may read: admins and stakeholders
    every SDR team, anyone else the team they are on today (none without one)."""
    if user.is_admin or user.role == Role.STAKEHOLDER:
        return list(Team.objects.filter(kind=Team.Kind.SDR))
    team = user.current_team
    return [team] if team else []


def team_for(user: User, slug: str | None = None) -> Team:
    """The team a request concerns: the one named by `slug` among the teams visible to the
    user, the first of them when none is named; 404 for a team out of reach (it is not
    there) and for a user who sees none. Every page and API view that takes ?team= asks here."""
    teams = teams_visible_to(user)
    return team_among(teams, slug)


def team_among(teams: list[Team], slug: str | None) -> Team:
    """`team_for` over teams already read (a page that also lists them)."""
    team = next((t for t in teams if t.slug == slug), None) if slug else next(iter(teams), None)
    if team is None:
        raise Http404
    return team


def sdrs_managed_by(manager: User) -> QuerySet[User]:
    """The SDRs with a staffing record active today on the manager's current team."""
    team = manager.current_team
    if team is None:
        return User.objects.none()
    active = StaffingRecord.objects.active_on(timezone.localdate()).filter(team=team, role=Role.SDR)
    return User.objects.filter(pk__in=active.values("person_id"))


def manages(user: User, sdr_id: int) -> bool:
    """True when the user is an admin, or a manager with this SDR on their team today."""
    return user.is_admin or (
        user.role == Role.MANAGER and sdrs_managed_by(user).filter(pk=sdr_id).exists()
    )


def sdr_managed_by(user: User, sdr_id: int) -> User:
    """An SDR the user manages (an admin: any SDR); 404 otherwise."""
    sdr = User.objects.filter(pk=sdr_id, role=Role.SDR).first()
    if sdr is None or not manages(user, sdr.pk):
        raise Http404
    return sdr


def sdrs_visible_to(user: User) -> QuerySet[User]:
    """The SDRs a manager picks from on a page: every SDR for an admin, else the team's."""
    return User.objects.filter(role=Role.SDR) if user.is_admin else sdrs_managed_by(user)
