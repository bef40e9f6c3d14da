"""A manager opens the rows behind a figure from the dashboard and downloads them as CSV."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_dashboards import last_full_week, store_all_weeks
from .test_kpis import handoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_opens_the_accepted_handoffs_and_downloads_them(page, live_server, org, password):
    week = last_full_week(org.desk)
    for status in ("accepted", "accepted", "rejected"):
        handoff(org, week, status)
    store_all_weeks(org.desk)  # the page reads stored weeks: no 12-week computation here
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("mia@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()

    page.locator("#ratio").get_by_role("link", name="2 accepted").click()
    expect(page.locator("h1")).to_contain_text("Handoffs of the week accepted")
    expect(page.locator("#drill-count")).to_have_text("2 rows")
    expect(page.locator("#drill-rows tbody tr")).to_have_count(2)

    with page.expect_download() as download:
        page.locator("#drill-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Company", "SDR", "AE"]
    assert len(rows) == 1 + 2 and all(r[4] == "Accepted" for r in rows[1:])
    assert download.value.suggested_filename.endswith("-handoffs-accepted.csv")

    page.get_by_role("link", name="rejected").click()
    expect(page.locator("#drill-rows tbody tr")).to_have_count(1)
    assert page.csp_violations == []
