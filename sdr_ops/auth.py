"""The authentication backend that loads the signed-in user and their team in one query.

Every page needs the user's team (its time zone, its currency), so loading the user and then
the team's staffing record cost two queries per request. The session's user is loaded here
through today's staffing record instead, joined with the user and the team, and
`User.current_team` is filled from it (a person on no team today costs the plain user query).
The same query reads the team's data version (sdr_ops.changes), the key of the page's
cached fragments (sdr_ops.fragments), before anything else of the page is read.

It runs on every request, so its SQL is written once per process from the models' columns
and the rows are made with `Model.from_db`, as a queryset would make them: building the
same query through the ORM (a join, a filter on dates, a subquery) cost more CPU than the
rest of a bare signed-in request.
"""

import functools

from django.contrib.auth import backends
from django.db import connection
from django.utils import timezone

from .models import ChangeMark, StaffingRecord, Team, User


def _columns(model) -> list:
    return list(model._meta.concrete_fields)


@functools.cache
def _statement() -> str:
    user = ", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in _columns(User))
    team = ", ".join(f"t.{connection.ops.quote_name(f.column)}" for f in _columns(Team))
    return f"""
        SELECT {user}, {team},
            (SELECT coalesce(sum(m.weight), 0) FROM {ChangeMark._meta.db_table} m
             WHERE m.team_id = s.team_id)
        FROM {StaffingRecord._meta.db_table} s
        JOIN {User._meta.db_table} u ON u.id = s.person_id
        JOIN {Team._meta.db_table} t ON t.id = s.team_id
        WHERE s.person_id = %s AND s.start_date <= %s
            AND (s.end_date IS NULL OR s.end_date >= %s)
        ORDER BY s.start_date DESC
        LIMIT 1"""


def _from_row(model, values):
    fields = _columns(model)
    converted = []
    for (column, converters), value in zip(_converters(model), values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


@functools.cache
def _converters(model) -> list:
    """Per column what the queryset's compiler applies to it (SQLite's dates, JSON)."""
    out = []
    for field in _columns(model):
        column = field.get_col(model._meta.db_table)
        out.append(
            (
                column,
                connection.ops.get_db_converters(column) + column.get_db_converters(connection),
            )
        )
    return out


def user_with_team(user_id) -> User | None:
    """The user with `current_team` already known, as `User.current_team` would find it."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_statement(), [user_id, today, today])
        row = cursor.fetchone()
    if row is not None:
        n = len(_columns(User))
        user = _from_row(User, row[:n])
        team = _from_row(Team, row[n:-1])
        team.data_version = row[-1]  # the cached fragments' key (sdr_ops.fragments)
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
