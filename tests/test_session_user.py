"""The session's user is loaded with their team in one query (sdr_ops.auth.ModelBackend)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from sdr_ops.auth import user_with_team
from sdr_ops.models import StaffingRecord

from .factories import StaffingFactory


def test_the_user_comes_with_todays_team(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = user_with_team(org.alice.pk)
        assert user == org.alice
        assert user.current_team == org.desk


def test_a_move_today_gives_the_new_team(org):
    today = timezone.localdate()
    StaffingRecord.objects.filter(person=org.bob).update(
        end_date=today - datetime.timedelta(days=1)
    )
    StaffingFactory(person=org.bob, team=org.growth, start_date=today, reason="moved")
    assert user_with_team(org.bob.pk).current_team == org.growth


def test_no_team_today_costs_the_plain_user_query(org, django_assert_num_queries):
    with django_assert_num_queries(2):  # no staffing record today, then the user
        user = user_with_team(org.root.pk)
        assert user == org.root
        assert user.current_team is None  # known, not looked up again


def test_an_unknown_id_is_nobody(org):
    assert user_with_team(10**9) is None


def test_a_deactivated_users_session_ends(client, org):
    client.force_login(org.alice)
    assert client.get(reverse("today")).status_code == 200
    org.alice.is_active = False
    org.alice.save(update_fields=["is_active"])
    response = client.get(reverse("today"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_user_and_team_are_the_rows_a_queryset_makes(org):
    """Written from one hand-built statement, every field as the ORM reads it (dates, JSON,
    decimals, times on SQLite too)."""
    from sdr_ops.models import Team, User

    user = user_with_team(org.alice.pk)
    expected_user, expected_team = (
        User.objects.get(pk=org.alice.pk),
        Team.objects.get(pk=org.desk.pk),
    )
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected_user, field.attname), field.name
    for field in Team._meta.concrete_fields:
        got, want = getattr(user.current_team, field.attname), getattr(expected_team, field.attname)
        assert got == want and type(got) is type(want), field.name
    assert not user._state.adding and user._state.db == "default"


def test_a_session_key_that_is_no_number_is_nobody(org):
    assert user_with_team("not-a-number") is None
