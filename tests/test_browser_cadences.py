"""A manager builds a three-step cadence in real Chromium; the SDR finds its call step on
tomorrow's list, with the reason and the items it asks."""

import pytest
from playwright.sync_api import expect

from cadences import domain
from cadences.models import Cadence
from leads.domain import calllists
from sdr_ops import calendar

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_builds_a_cadence_and_the_sdr_sees_its_call_step_tomorrow(page, live_server, org):
    log_in(page, live_server, "mia@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cadences").click()
    page.get_by_label("Name").fill("Enterprise intro")
    page.get_by_role("button", name="Create the cadence").click()
    expect(page.get_by_role("heading", name="Enterprise intro")).to_be_visible()

    first = page.locator("fieldset[data-step='1']")
    first.get_by_label("Type").select_option("call")
    first.get_by_label("Script or instruction").fill("Ask how such projects get approved.")
    first.get_by_label("Timing").check()
    first.get_by_label("Approval process").check()
    second = page.locator("fieldset[data-step='2']")
    second.get_by_label("Type").select_option("email")
    second.get_by_label("Working days after the previous step").fill("2")
    second.get_by_label("E-mail subject").fill("Following up, {{ first_name }}")
    second.get_by_label("E-mail text").fill("Hello {{ first_name }},\n\nAs promised.")
    third = page.locator("fieldset[data-step='3']")
    third.get_by_label("Type").select_option("task")
    third.get_by_label("Working days after the previous step").fill("3")
    third.get_by_label("Script or instruction").fill("Connect on LinkedIn")
    page.get_by_role("button", name="Save the steps").click()
    expect(page.get_by_text("Steps saved (version 1).")).to_be_visible()
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("button", name="Archive")).to_be_visible()
    page.screenshot(path=str(live_server_artifact("cadence-editor.png")), full_page=True)

    cadence = Cadence.objects.get(name="Enterprise intro")
    assert list(cadence.current().steps.values_list("type", flat=True)) == [
        "call",
        "email",
        "task",
    ]
    lead = LeadFactory(
        owner=org.alice,
        first_name="Hana",
        last_name="Kim",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    domain.enrol(lead, cadence, by=org.alice)
    tomorrow = calendar.next_working_day(org.desk.local_today(), org.desk.work_calendar())
    calllists.build_call_lists(org.desk, tomorrow)

    page.context.clear_cookies()
    log_in(page, live_server, "alice@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tomorrow").click()
    expect(
        page.get_by_text("Cadence Enterprise intro · step 1 of 3 · asks: approval process, timing")
    ).to_be_visible()
    expect(page.get_by_text("Hanbit Logistics").first).to_be_visible()
    page.screenshot(path=str(live_server_artifact("cadence-tomorrow.png")), full_page=True)
