"""A manager changes the ramp on the team's settings page and sees productive headcount
change on the dashboard."""

import datetime

import pytest
from playwright.sync_api import expect

from metrics import kpis, rollups, tasks
from sdr_ops import calendar
from sdr_ops.models import Role, StaffingRecord

from .factories import member
from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_changes_the_ramp_and_sees_productive_headcount_change(page, live_server, org):
    # dana joined three weeks before the end of the last complete week: her first month,
    # which the default ramp counts 0. alice and bob are past their ramp.
    last = kpis.Week(org.desk, calendar.monday_of(org.desk.local_today())).shifted(-1)
    dana = member(org.desk, Role.SDR, "dana@example.com", first_name="Dana")
    StaffingRecord.objects.filter(person=dana).update(
        start_date=last.end_date - datetime.timedelta(days=20)
    )
    # The weeks as the background worker stores them (a page never computes one).
    rollups.store_weeks(org.desk, [last.shifted(-b).label for b in range(12)])
    page.set_default_timeout(60_000)
    log_in(page, live_server, "mia@example.com")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Dashboards").click()
    expect(page.locator("#people .big")).to_have_text("3 heads, 2.0 productive")

    nav.get_by_role("link", name="Team settings").click()
    month_one = page.get_by_label("Month 1 (%)")
    expect(month_one).to_have_value("0")
    # A gap in the months is refused beside the field, and nothing is saved.
    month_one.fill("50")
    page.get_by_label("Month 2 (%)").fill("")
    page.get_by_label("Month 3 (%)").fill("80")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-ramp")).to_contain_text("Fill every month up to the last one")
    page.get_by_label("Month 2 (%)").fill("50")
    page.get_by_label("Month 3 (%)").fill("")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.screenshot(path=str(live_server_artifact("team-settings.png")), full_page=True)

    # The change marked the weeks it touches; the worker recomputes them.
    tasks.recompute_marked.apply().get()
    nav.get_by_role("link", name="Dashboards").click()
    expect(page.locator("#people .big")).to_have_text("3 heads, 2.5 productive")
    assert page.csp_violations == []
