"""The dashboards' rows written in Python (metrics/templatetags/dashboard_rows.py) give the
markup of the template loops they replaced, byte for byte: each loop, as it was, is kept in
tests/row_loops/ and rendered on the very context the page's view gave, beside the tag, in
English and Korean. The data holds what the demo's rarely does: an item and its label with
markup, a weak line, lines with no decision and no deal, a week picked in the past."""

import datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import localize

from handoffs.models import Opportunity
from leads.models import Account
from metrics import rollups
from metrics.models import WeeklyRollup
from metrics.templatetags.dashboard_rows import _percent, shown

from .test_dashboard_tables import carrying
from .test_dashboards import last_full_week, store_all_weeks
from .test_kpis import at, handoff

LOOPS = Path(__file__).with_name("row_loops")


def old(name: str, context: dict, load: str = "") -> str:
    return Template(load + (LOOPS / name).read_text().strip()).render(Context(context))


def new(source: str, context: dict) -> str:
    return Template("{% load dashboard_rows %}" + source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_evidence_rows_and_week_options_are_the_loops_markup(client, org, language):
    team = org.desk
    team.qualification_items = ["budget", "need & <fit>", "timing"]
    team.qualification_labels = {"need & <fit>": {"en": "Need <b>&</b> fit", "ko": "니즈 & <핏>"}}
    team.save()
    week = last_full_week(team)
    carrying(
        org, week, "accepted", (1000, 800), budget="confirmed", **{"need & <fit>": "not_asked"}
    )
    carrying(org, week, "rejected", budget="confirmed", timing="not_disclosed")
    carrying(org, week.shifted(-2), "rejected", budget="not_asked")
    carrying(org, week.shifted(-2), "accepted", (5_000_000, 5_250_000), timing="confirmed")
    rollups.store_weeks(team, [week.shifted(-b).label for b in range(12)])
    client.force_login(org.mia)
    org.mia.language = language
    org.mia.save()
    for params in ({}, {"week": week.shifted(-3).label}):
        response = client.get(reverse("dashboards"), params)
        context = response.context[0].flatten()
        with translation.override(language):
            before = old("dashboard_evidence.html", context, "{% load money %}")
            after = new("{% evidence_rows evidence team week %}", context)
            options_before = old("week_options.html", context)
            options_after = new("{% week_options week_choices week.label %}", context)
        assert before.count("<tr ") == 9 and "&lt;fit&gt;" in before
        assert ('class="weak"' in before) == (not params)  # the picked week's span has none
        assert after == before
        assert options_before.count(" selected") == 1 and options_after == options_before
        assert after in response.content.decode() and options_after in response.content.decode()


WEEK_TABLES = [
    ("dashboard_headcount.html", "{% headcount_rows series team %}"),
    ("dashboard_ratio.html", "{% ratio_rows series team %}"),
    ("dashboard_drift.html", "{% drift_rows series team %}"),
    ("dashboard_activities.html", "{% activity_rows series %}"),
    ("dashboard_funnel_steps.html", "{% funnel_steps current.stage_conversion %}"),
    ("dashboard_funnel_weeks.html", "{% funnel_week_rows series %}"),
]


def the_tables_are_the_loops(
    context: dict, language: str, page: str, tables=WEEK_TABLES, zone=None
) -> list[str]:
    """Each table's rows by the kept loop and by its tag, on the same context, in the
    language and time zone the page was written in: the same markup, and on the page.
    Returns the rows."""
    written = []
    with translation.override(language), timezone.override(zone):
        for loop, tag in tables:
            before = old(loop, context, "{% load i18n money labels rows %}")
            after = new(tag, context)
            assert after == before, loop
            assert after in page, loop
            written.append(after)
    return written


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_week_tables_are_the_loops_markup(client, org, language):
    """Weeks with handoffs, deals and a drift; weeks stored with nothing in them (no
    decided handoff: the ratios' denominator is zero); a week never stored ("…"); the
    speed to lead and large counts put in the context as the page could hold them."""
    team = org.desk
    week = last_full_week(team)
    carrying(org, week, "accepted", (1000, 800), budget="confirmed")
    carrying(org, week, "rejected", budget="not_asked")
    carrying(org, week.shifted(-2), "accepted", (5_000_000, 5_250_000), timing="confirmed")
    rollups.store_weeks(team, [week.shifted(-b).label for b in range(12)])
    client.force_login(org.mia)
    org.mia.language = language
    org.mia.save()
    for params in ({}, {"week": week.shifted(-3).label}):
        WeeklyRollup.objects.filter(team=team, week=week.shifted(-5).label).delete()
        response = client.get(reverse("dashboards"), params)
        context = response.context[0].flatten()
        series = context["series"]
        never = -6 if not params else -3
        assert series[never]["headcount"] == "…" and series[never]["stage_conversion"] == []
        assert any(f["handoff_to_opportunity_ratio"] is None for f in series)
        rows = the_tables_are_the_loops(context, language, response.content.decode())
        assert rows[0].count("<tr>") == 12 and "…" in rows[1] and "—" in rows[1]
    series[-1] |= {"speed_to_lead_median_hours": 2.25, "calls": 1234567, "amount_won": 12.5}
    series[-2] |= {"speed_to_lead_median_hours": 0, "emails": 0}
    with translation.override(language):
        assert new("{% activity_rows series %}", context) == old(
            "dashboard_activities.html", context
        )
        assert new("{% drift_rows series team %}", context) == old(
            "dashboard_drift.html", context, "{% load money %}"
        )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_week_tables_with_no_week_stored_are_the_loops_markup(client, org, language):
    """No week stored yet: every figure "…", no step in the funnel."""
    client.force_login(org.mia)
    org.mia.language = language
    org.mia.save()
    response = client.get(reverse("dashboards"))
    context = response.context[0].flatten()
    assert all(f["computed_at"] is None for f in context["series"])
    rows = the_tables_are_the_loops(context, language, response.content.decode())
    assert rows[4] == "" and rows[5].count("<tr><td>") == 12


FUNNEL_AND_DRIFTS = [
    ("dashboard_funnel.html", "{% funnel_rows current team week %}"),
    ("dashboard_drifts.html", "{% drift_deals drifts team %}"),
]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_funnel_and_the_drifts_are_the_loops_markup(client, org, language):
    """A week whose handoff step is the bottleneck, the last week too early to tell, steps
    nobody entered; deals won with an account's name in markup, one closed late in the
    evening in UTC (the next day in the team's time zone, east of it)."""
    team = org.desk
    last = last_full_week(team)
    older = last.shifted(-3)
    handoff(org, older, "pending")
    handoff(org, last, "pending")
    won = carrying(org, last.shifted(-1), "accepted", (1_000_000, 1_450_000), budget="confirmed")
    Account.objects.filter(leads__handoffs=won).update(name="<b>R&D</b> & Sons")
    late = carrying(org, last.shifted(-1), "accepted", (900, 800), budget="not_asked")
    Opportunity.objects.filter(handoff=late).update(
        closed_at=at(last.shifted(-1), 4).astimezone(datetime.UTC).replace(hour=23, minute=30)
    )
    store_all_weeks(team)
    client.force_login(org.mia)
    org.mia.language = language
    org.mia.save()
    found = ""
    for params in ({}, {"week": older.label}):
        response = client.get(reverse("dashboards"), params)
        context = response.context[0].flatten()
        rows = the_tables_are_the_loops(
            context,
            language,
            response.content.decode(),
            FUNNEL_AND_DRIFTS,
            org.mia.current_team.zone,
        )
        found += "".join(rows)
    assert 'class="bottleneck"' in found and 'class="muted">' in found and "—" in found
    assert found.count("#handoff-") == 2 and "&lt;b&gt;R&amp;D&lt;/b&gt; &amp; Sons" in found


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_funnel_and_the_drifts_of_no_week_stored_are_the_loops_markup(client, org, language):
    """No week stored yet: no step, no deal."""
    client.force_login(org.mia)
    org.mia.language = language
    org.mia.save()
    response = client.get(reverse("dashboards"))
    context = response.context[0].flatten()
    rows = the_tables_are_the_loops(
        context, language, response.content.decode(), FUNNEL_AND_DRIFTS, org.mia.current_team.zone
    )
    assert rows == ["", ""]


def test_numbers_written_once_a_process_follow_the_language_and_the_settings():
    for language in ("en", "ko", "en"):
        with translation.override(language):
            assert shown(1234567) == localize(1234567) and _percent(0.7234) == "72 %"
    with translation.override("en"), override_settings(USE_THOUSAND_SEPARATOR=False):
        assert shown(1234567) == "1234567"
    with translation.override("en"), override_settings(USE_THOUSAND_SEPARATOR=True):
        assert shown(1234567) == "1,234,567"
    assert _percent(-0.0) == _percent(0.0) == "0 %"
