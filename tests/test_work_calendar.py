"""Working days in a team's calendar: weekends, the country's public holidays (substitute
holidays included) and the team's own days off, and the call lists and the handoff response
time that follow them."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from handoffs import domain
from handoffs.models import Handoff
from leads.domain import calllists
from sdr_ops import calendar
from sdr_ops.models import TeamDayOff

from .factories import LeadFactory
from .test_handoffs_domain import qualified

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
KOREA = calendar.WorkCalendar(country="KR")
D = datetime.date


def test_chuseok_2026_is_not_worked_and_the_next_working_day_is_after_it():
    # Chuseok 2026: Thursday 24 to Saturday 26 September.
    assert [KOREA.is_working_day(D(2026, 9, d)) for d in (23, 24, 25, 28)] == [
        True,
        False,
        False,
        True,
    ]
    assert calendar.next_working_day(D(2026, 9, 23), KOREA) == D(2026, 9, 28)
    assert calendar.next_working_day(D(2026, 9, 23)) == D(2026, 9, 24)  # weekdays only


def test_a_substitute_holiday_is_a_day_off():
    # National Foundation Day falls on Saturday 3 October 2026: Monday 5 is its substitute.
    assert not KOREA.is_working_day(D(2026, 10, 5))
    assert KOREA.holiday_name(D(2026, 10, 5))
    assert calendar.next_working_day(D(2026, 10, 2), KOREA) == D(2026, 10, 6)


def test_working_days_in_a_range_and_adding_working_days():
    days = calendar.working_days(D(2026, 9, 21), D(2026, 10, 10), KOREA)
    assert days == [
        D(2026, 9, 21),
        D(2026, 9, 22),
        D(2026, 9, 23),
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 1),
        D(2026, 10, 2),
        D(2026, 10, 6),
        D(2026, 10, 7),
        D(2026, 10, 8),
    ]
    assert calendar.add_working_days(D(2026, 9, 23), 2, KOREA) == D(2026, 9, 29)
    assert calendar.add_working_days(D(2026, 9, 26), 0, KOREA) == D(2026, 9, 28)
    assert calendar.add_working_days(D(2026, 9, 23), 0, KOREA) == D(2026, 9, 23)
    monday = datetime.datetime(2026, 9, 28, 10, tzinfo=SEOUL)
    assert calendar.subtract_working_days(monday, 2, KOREA).date() == D(2026, 9, 22)


def test_a_team_calendar_has_its_country_and_its_own_days_off(org):
    TeamDayOff.objects.create(team=org.desk, day=D(2026, 12, 4), name="Offsite")
    desk = org.desk.work_calendar()
    assert not desk.is_working_day(D(2026, 12, 4))
    assert org.growth.work_calendar().is_working_day(D(2026, 12, 4))
    assert not desk.is_working_day(D(2026, 12, 25))  # Christmas is a holiday in Korea
    org.growth.country = "GB"
    org.growth.full_clean()
    assert not org.growth.work_calendar().is_working_day(D(2026, 12, 28))  # Boxing Day moved
    org.growth.country = "XX"
    with pytest.raises(ValidationError, match="country"):
        org.growth.full_clean()


def test_the_nightly_build_after_chuseok_eve_is_for_the_monday(org):
    # 19:30 in Seoul on Wednesday 23 September 2026, the eve of Chuseok.
    now = datetime.datetime(2026, 9, 23, 10, 30, tzinfo=datetime.UTC)
    due = {t.slug: d for t, d in calllists.teams_due(now)}
    assert due["enterprise-desk"] == D(2026, 9, 28)


def test_the_tomorrow_page_is_the_next_working_day_of_the_team(client, org, monkeypatch):
    monkeypatch.setattr(type(org.alice), "local_today", lambda self: D(2026, 10, 2))
    client.force_login(org.alice)
    response = client.get(reverse("tomorrow"))
    assert response.status_code == 200
    # Friday 2 October 2026: Monday 5 is the substitute for National Foundation Day.
    assert response.context["day"] == D(2026, 10, 6)


def test_the_handoff_response_time_does_not_count_chuseok(org, monkeypatch):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    handoff = domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="x")
    Handoff.objects.filter(pk=handoff.pk).update(
        created_at=datetime.datetime(2026, 9, 23, 9, tzinfo=SEOUL)
    )
    monday = datetime.datetime(2026, 9, 28, 10, tzinfo=SEOUL)
    # Two working days of response time: Wednesday 23 is not over by Monday 28 (24-27 off).
    assert domain.flag_overdue(monday) == 0
    assert domain.flag_overdue(datetime.datetime(2026, 9, 29, 10, tzinfo=SEOUL)) == 1
