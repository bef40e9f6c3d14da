"""The calendar: ISO weeks in a time zone, working days, a zone's day."""

import datetime
import zoneinfo

import pytest

from sdr_ops import calendar

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def test_a_week_parses_labels_and_bounds_itself_in_its_zone():
    week = calendar.Week.parse("2026-w47", SEOUL)
    assert week.monday == datetime.date(2026, 11, 16)
    assert week.label == "2026-W47"
    assert week.end_date == datetime.date(2026, 11, 22)
    assert week.start == datetime.datetime(2026, 11, 16, tzinfo=SEOUL)
    assert week.stop - week.start == datetime.timedelta(days=7)
    assert week.shifted(-1).label == "2026-W46" and week.shifted(7).label == "2027-W01"
    assert calendar.Week.containing(datetime.date(2026, 11, 22), SEOUL) == week


@pytest.mark.parametrize("label", ["soon", "2026-W54", "2026-47", "", None])
def test_a_week_that_cannot_be_read_is_a_value_error(label):
    with pytest.raises(ValueError):
        calendar.parse_week(label)


def test_last_weeks_monday_and_the_sunday_before():
    wednesday = datetime.date(2026, 11, 25)
    assert calendar.monday_of(wednesday) == datetime.date(2026, 11, 23)
    assert calendar.previous_monday(wednesday) == datetime.date(2026, 11, 16)
    assert calendar.previous_monday(datetime.date(2026, 11, 23)) == datetime.date(2026, 11, 16)
    assert calendar.last_sunday(wednesday) == datetime.date(2026, 11, 22)
    assert calendar.last_sunday(datetime.date(2026, 11, 22)) == datetime.date(2026, 11, 22)


def test_weeks_between_counts_both_ends_across_a_year():
    assert calendar.weeks_between("2026-W52", "2027-W01") == ["2026-W52", "2026-W53", "2027-W01"]
    assert calendar.weeks_between("2026-W47", "2026-W47") == ["2026-W47"]
    assert calendar.weeks_between("2026-W47", "2026-W46") == []


def test_a_week_is_complete_once_its_sunday_is_over():
    week = calendar.Week.parse("2026-W47", SEOUL)
    assert not week.is_complete(datetime.date(2026, 11, 22))
    assert week.is_complete(datetime.date(2026, 11, 23))


def test_working_days_are_monday_to_friday():
    friday = datetime.date(2026, 11, 27)
    assert calendar.is_working_day(friday) and not calendar.is_working_day(
        datetime.date(2026, 11, 28)
    )
    assert calendar.next_working_day(friday) == datetime.date(2026, 11, 30)
    assert calendar.next_working_day(datetime.date(2026, 11, 29)) == datetime.date(2026, 11, 30)
    monday_noon = datetime.datetime(2026, 11, 30, 12, tzinfo=SEOUL)
    assert calendar.subtract_working_days(monday_noon, 1) == datetime.datetime(
        2026, 11, 27, 12, tzinfo=SEOUL
    )
    assert calendar.subtract_working_days(monday_noon, 0) == monday_noon


def test_a_day_runs_from_midnight_to_midnight_in_its_zone():
    start, end = calendar.day_bounds(datetime.date(2026, 11, 30), SEOUL)
    assert start == datetime.datetime(2026, 11, 30, tzinfo=SEOUL)
    assert end == datetime.datetime(2026, 12, 1, tzinfo=SEOUL)
    assert start.astimezone(datetime.UTC).hour == 15  # 15:00 UTC the day before


def test_a_team_week_is_the_calendar_week_in_the_team_zone(org):
    from metrics import kpis

    org.desk.time_zone = "Europe/Berlin"
    week = kpis.Week.parse(org.desk, "2026-W47")
    assert week.zone == zoneinfo.ZoneInfo("Europe/Berlin") and week.team == org.desk
    assert week.shifted(1).team == org.desk
    assert week.shifted(1).label == "2026-W48"
