"""A manager opens the dashboards on the demo data: charts, the ratio status in words, the
tables behind the charts, another week, and the per-SDR page marked reference only."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo import organisation as demo

from .test_browser_skeleton import live_server_artifact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_the_dashboards_on_the_demo_data(page, live_server):
    call_command("seed_demo", verbosity=0)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("mina.park@demo.sdr-ops.test")
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()

    expect(page.get_by_role("heading", name="Handoff-to-opportunity ratio")).to_be_visible()
    expect(page.locator("#ratio .status")).to_have_text(
        re.compile("^(in band|below the band|above the band|wasted visits|too narrow|no decided)")
    )
    # Chart.js drew on the canvas: it sizes the canvas and keeps a chart for it.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-ratio'))"
    )
    page.locator("#ratio summary").click()
    expect(page.locator("#ratio table tbody tr")).to_have_count(12)
    expect(page.locator("#evidence table tbody tr").first).to_be_visible()
    # The stored week says when it was computed; the funnel shows each step within its window.
    expect(page.locator("#freshness")).to_contain_text("Figures computed")
    expect(page.locator("#funnel th", has_text="Within the window")).to_be_visible()
    # Amounts on the drift chart's axis as the page writes them; every table fits its card.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function(
        "() => Chart.getChart(document.getElementById('chart-drift'))?.scales.y.ticks.length"
    )
    ticks = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-drift')).scales.y.ticks"
        ".map(t => t.label)"
    )
    assert all(t == "0" or t.startswith("₩") for t in ticks), ticks
    page.evaluate("() => document.querySelectorAll('.card details').forEach(d => (d.open = true))")
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.card table')]
            .filter(t => t.scrollWidth > t.clientWidth + 1)
            .map(t => t.closest('section').id)"""
    )
    assert overflowing == []
    page.screenshot(path=str(live_server_artifact("dashboards.png")), full_page=True)

    previous = page.locator("#f-week").input_value()
    page.locator("#f-week").select_option("2026-W30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_contain_text("2026-W30")
    assert previous != "2026-W30"

    page.get_by_role("link", name="Per-SDR figures (reference only)").click()
    expect(page.get_by_text("Reference only: team figures drive decisions.")).to_be_visible()
    expect(page.locator("#per-sdr tbody tr").first).to_contain_text("%")
    assert page.csp_violations == []
