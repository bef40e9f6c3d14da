"""The dashboards: team figures week by week, for managers (their team), stakeholders and
admins."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from metrics import kpis, rollups
from metrics.views import WEEKS

from .test_kpis import handoff


def last_full_week(team):
    today = timezone.localdate(timezone=team.zone)
    return kpis.Week(team, today - datetime.timedelta(days=today.weekday() + 7))


def store_all_weeks(team):
    last = last_full_week(team)
    rollups.roll_up_weeks([last.shifted(-b).label for b in range(WEEKS)], [team])
    return last


@pytest.mark.parametrize(
    ("persona", "status"),
    [("mia", 200), ("stella", 200), ("root", 200), ("alice", 404), ("aaron", 404)],
)
def test_who_sees_the_dashboards(client, org, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("dashboards")).status_code == status


def test_a_manager_sees_only_their_team(client, org):
    client.force_login(org.mia)
    assert client.get(reverse("dashboards"), {"team": "growth-desk"}).status_code == 404
    html = client.get(reverse("dashboards")).content.decode()
    assert "Enterprise Desk" in html and 'value="growth-desk"' not in html


@pytest.mark.parametrize("rows", [2, 12])
def test_dashboard_queries_do_not_grow_with_data(client, org, rows, django_assert_num_queries):
    from .test_dashboard_tables import carrying

    last = last_full_week(org.desk)
    for n in range(rows):
        carrying(org, last.shifted(-(n % 3)), "accepted", (1000, 900 + n), budget="confirmed")
    store_all_weeks(org.desk)
    client.force_login(org.mia)
    # 1 session, 2 user with their team, 3 the stored weeks (with each week's evidence counts
    # and largest drifts), 4 joins and leavers, 5 the largest drifts by the ids the weeks keep
    with django_assert_num_queries(5):
        html = client.get(reverse("dashboards")).content.decode()
    assert "100 %" in html and "too narrow: qualifying too strictly" in html
    assert 'id="chart-data"' in html and html.count("→ ₩") == min(rows, 10)
    # A change touched two weeks: their evidence and deals are read from the rows, in one
    # query more and one together with the kept ids.
    carrying(org, last, "rejected", budget="not_asked")
    with django_assert_num_queries(6):
        html = client.get(reverse("dashboards")).content.decode()
    assert html.count("→ ₩") == min(rows, 10)


def test_the_bottleneck_is_highlighted(client, org):
    # Like with like (kpi-definitions.md): three weeks back, the handoff cohort has had its
    # 7-day window and is the bottleneck; last week's has not, so it is too early to tell.
    last = last_full_week(org.desk)
    older = last.shifted(-3)
    handoff(org, older, "pending")
    handoff(org, last, "pending")
    store_all_weeks(org.desk)
    client.force_login(org.stella)
    html = client.get(
        reverse("dashboards"), {"team": "enterprise-desk", "week": older.label}
    ).content.decode()
    assert 'class="bottleneck" data-step="handed_off"' in html
    html = client.get(reverse("dashboards"), {"team": "enterprise-desk"}).content.decode()
    assert 'class="bottleneck"' not in html
    assert "too early to tell (window of 7 days)" in html and 'id="no-bottleneck"' in html


def test_weeks_never_computed_are_computed_in_the_background_not_in_the_request(
    client, org, monkeypatch, django_assert_max_num_queries
):
    # A GET never writes and computes nothing: it asks a worker for the weeks never computed
    # and says they are being computed; once the worker stored them, the page shows them.
    from metrics import freshness, tasks
    from metrics.models import WeeklyRollup

    asked = []
    monkeypatch.setattr(freshness, "ask_for", lambda team, labels: asked.append(labels))
    last = last_full_week(org.desk)
    handoff(org, last, "accepted")
    client.force_login(org.mia)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("dashboards")).content.decode()
    assert "being computed: reload in a few minutes" in html and "100 %" not in html
    assert WeeklyRollup.objects.filter(team=org.desk).count() == 0
    assert asked == [[last.shifted(-b).label for b in range(WEEKS - 1, -1, -1)]]
    assert tasks.compute_missing.apply(kwargs={"team_id": org.desk.pk, "weeks": asked[0]}).get()
    html = client.get(reverse("dashboards")).content.decode()
    assert "100 %" in html and "Figures computed" in html
    assert len(asked) == 1  # nothing missing any more


def test_the_ratio_never_contradicts_its_status_and_the_drift_list_states_its_dates(client, org):
    from decimal import Decimal

    from .test_dashboard_tables import carrying

    week = last_full_week(org.desk)
    org.desk.ratio_band_low = Decimal("0.67")
    org.desk.save(update_fields=["ratio_band_low"])
    carrying(org, week, "accepted", (180_693_043, 150_000_000), budget="confirmed")
    carrying(org, week, "accepted", budget="confirmed")
    carrying(org, week, "rejected", budget="not_asked")
    rollups.store_weeks(org.desk, [week.label])  # the background worker computed the week
    client.force_login(org.mia)
    response = client.get(reverse("dashboards"))
    html = response.content.decode()
    assert response.context["current"]["ratio_status"] == "below_band"
    # 2/3 shown as "67 %" would sit on the band's low edge while saying "below the band".
    assert "66.7 % <span" in html and "Healthy band 67 %–80 %." in html
    assert "₩180.7M → ₩150M" in html
    assert 'id="drift-dates"' in html and date_format(week.end_date, "SHORT_DATE_FORMAT") in html


@pytest.mark.parametrize("url", ["dashboards", "dashboard-people"])
def test_the_week_picker_names_the_weeks_in_the_readers_language(client, org, url):
    org.mia.language = "ko"
    org.mia.save()
    client.force_login(org.mia)
    last = last_full_week(org.desk)
    html = client.get(reverse(url), {"week": last.label}).content.decode()
    year, number, _day = last.monday.isocalendar()
    # A select of named weeks, not the browser's week input (named in the browser's language).
    assert 'type="week"' not in html
    assert f'<option value="{last.label}" selected>{year}년 {number}주' in html
    assert "(이번 주, 아직 진행 중)" in html
    # An older week asked by URL stays chosen.
    html = client.get(reverse(url), {"week": "2024-W02"}).content.decode()
    assert '<option value="2024-W02" selected>2024년 2주' in html
