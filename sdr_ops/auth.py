"""The authentication backend that loads the signed-in user and their team in one query.

Every page needs the user's team (its time zone, its currency), so loading the user and then
the team's staffing record cost two queries per request. The session's user is loaded here
through today's staffing record instead, joined with the user and the team, and
`User.current_team` is filled from it (a person on no team today costs the plain user query).
The same query reads the team's data version (sdr_ops.changes), the key of the page's
cached fragments (sdr_ops.fragments), before anything else of the page is read.
"""

from django.contrib.auth import backends
from django.utils import timezone

from . import changes
from .models import StaffingRecord, User


def user_with_team(user_id) -> User | None:
    """The user with `current_team` already known, as `User.current_team` would find it."""
    record = (
        StaffingRecord.objects.active_on(timezone.localdate())
        .filter(person_id=user_id)
        .select_related("person", "team")
        .annotate(team_version=changes.version_of_team_expression("team_id"))
        .order_by("-start_date")
        .first()
    )
    if record is not None:
        user, team = record.person, record.team
        team.data_version = record.team_version  # the cached fragments' key (sdr_ops.fragments)
    else:
        user, team = User._default_manager.filter(pk=user_id).first(), None
    if user is not None:
        user.__dict__["current_team"] = team  # the cached_property's slot
    return user


class ModelBackend(backends.ModelBackend):
    """Django's model backend (e-mail and password), loading the team with the user."""

    def get_user(self, user_id):
        user = user_with_team(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
