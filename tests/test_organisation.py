"""Rules of the organisation: staffing records, tenure months, ramp, team settings."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sdr_ops.models import StaffingRecord, Team, tenure_month

from .factories import StaffingFactory, TeamFactory, UserFactory

D = datetime.date


@pytest.mark.parametrize(
    ("day", "month"),
    [
        (D(2026, 1, 15), 0),
        (D(2026, 2, 14), 0),  # the example of kpi-definitions.md: month 0 until 02-14
        (D(2026, 2, 15), 1),  # ... and month 1 from 02-15
        (D(2026, 3, 14), 1),
        (D(2026, 3, 15), 2),
        (D(2027, 1, 15), 12),
    ],
)
def test_tenure_month_counts_whole_months_from_the_start(day, month):
    assert tenure_month(D(2026, 1, 15), day) == month


def test_ramp_factor_follows_the_team_list_then_counts_one():
    team = Team(ramp_factors=[0.0, 0.5])
    assert [team.ramp_factor(m) for m in range(4)] == [0.0, 0.5, 1.0, 1.0]


def test_team_defaults_match_the_method(db):
    team = TeamFactory()
    assert team.time_zone == "Asia/Seoul"
    assert team.ramp_factors == [0.0, 0.5]
    assert (str(team.ratio_band_low), str(team.ratio_band_high)) == ("0.70", "0.80")
    assert team.max_talk_minutes == 15


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "not a known time zone"),
        ("ramp_factors", [0.0, 2], "between 0 and 1"),
        ("ramp_factors", "half", "between 0 and 1"),
    ],
)
def test_team_settings_reject_bad_values_with_a_message_that_says_what_to_fix(
    db, field, value, message
):
    team = TeamFactory.build(slug="x", name="X", **{field: value})
    with pytest.raises(ValidationError) as info:
        team.full_clean()
    assert message in str(info.value)


def test_ratio_band_must_be_ordered(db):
    team = TeamFactory.build(slug="x", name="X", ratio_band_low="0.9", ratio_band_high="0.8")
    with pytest.raises(ValidationError, match="low end of the ratio band"):
        team.full_clean()


def test_staffing_record_is_active_through_its_end_date_inclusive(db):
    record = StaffingFactory(start_date=D(2026, 3, 1), end_date=D(2026, 3, 31))
    active = StaffingRecord.objects.active_on
    assert not active(D(2026, 2, 28)).exists()
    assert active(D(2026, 3, 1)).get() == record
    assert active(D(2026, 3, 31)).get() == record
    assert not active(D(2026, 4, 1)).exists()


def test_staffing_record_cannot_end_before_it_starts(db):
    record = StaffingFactory.build(
        person=UserFactory(), team=TeamFactory(), start_date=D(2026, 3, 1), end_date=D(2026, 2, 1)
    )
    with pytest.raises(ValidationError, match="end date cannot be before"):
        record.full_clean()


def test_current_team_follows_the_active_record_after_a_move(db):
    person = UserFactory()
    old, new = TeamFactory(slug="old"), TeamFactory(slug="new")
    today = datetime.date.today()
    StaffingFactory(
        person=person,
        team=old,
        start_date=today - datetime.timedelta(days=100),
        end_date=today - datetime.timedelta(days=10),
    )
    StaffingFactory(person=person, team=new, start_date=today - datetime.timedelta(days=9))
    assert person.current_team == new


def test_user_logs_in_with_a_lower_cased_email(db):
    from sdr_ops.models import User

    user = User.objects.create_user("Kim@Example.COM", "pw-123456789")
    assert user.email == "kim@example.com"
