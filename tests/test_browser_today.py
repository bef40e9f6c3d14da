"""An SDR's morning in real Chromium: open Today, start a call, log the outcome with a
qualification answer, and land on the next lead."""

import re

import pytest
from playwright.sync_api import expect

from leads.domain import calllists
from leads.models import Activity, QualificationAnswer

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sdr_calls_logs_an_answer_and_moves_to_the_next_lead(page, live_server, org):
    first = LeadFactory(
        owner=org.alice,
        first_name="Hana",
        last_name="Kim",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    second = LeadFactory(
        owner=org.alice,
        first_name="Minho",
        last_name="Lee",
        account=AccountFactory(name="Seorim Foods"),
    )
    # second is newer, so the "new inbound, newest first" rule puts it first
    first.created_at = second.created_at.replace(year=second.created_at.year - 1)
    first.save()
    calllists.build_call_lists(org.desk, org.desk.local_today())

    log_in(page, live_server, "alice@example.com")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_text("0 called")).to_be_visible()
    page.wait_for_load_state("load")  # the keyboard script is loaded with the page
    # Keyboard: n calls the next lead.
    page.keyboard.press("n")
    expect(page.get_by_role("heading", name=re.compile("^Minho Lee"))).to_be_visible()
    # The timer runs: it shows a second or more (not a fixed value, the machine may be slow).
    expect(page.locator("#timer .elapsed")).to_have_text(
        re.compile(r"^0:0[1-9]$|^0:[1-5]\d$"), timeout=5000
    )
    expect(page.locator("[data-open-item=budget]")).to_be_visible()

    page.get_by_label("Outcome").select_option("connected")
    page.get_by_label("Notes").fill("Needs a proposal before the Q1 budget meeting.")
    budget = page.locator("fieldset[data-item=budget]")
    expect(budget.get_by_text("Would new budget have to be secured for this?")).to_be_hidden()
    budget.get_by_label("Asked but not disclosed").check()
    expect(budget.get_by_text("Would new budget have to be secured for this?")).to_be_visible()
    budget.get_by_label("Exact questions used").fill(
        "How do projects like this usually get approved?"
    )
    page.locator("fieldset[data-item=need]").get_by_label("Confirmed").check()
    page.locator("fieldset[data-item=need]").get_by_label("Answer").fill("Manual reporting")
    page.screenshot(path=str(live_server_artifact("call-mode.png")), full_page=True)
    page.get_by_role("button", name="Log the call and go to the next lead").click()

    expect(page.get_by_role("heading", name=re.compile("^Hana Kim"))).to_be_visible()
    expect(page.get_by_text("Logged: Minho Lee")).to_be_visible()
    activity = Activity.objects.get(lead=second)
    assert activity.outcome == "connected" and activity.duration_seconds >= 1
    budget_answer = QualificationAnswer.objects.get(lead=second, item="budget")
    assert budget_answer.questions == "How do projects like this usually get approved?"

    page.get_by_role("link", name="← Today").click()
    expect(page.get_by_text("1 called")).to_be_visible()
    assert page.csp_violations == []


def test_sdr_skips_a_lead_with_a_reason_without_a_reload(page, live_server, org):
    LeadFactory(owner=org.alice, first_name="Hana", last_name="Kim")
    calllists.build_call_lists(org.desk, org.desk.local_today())
    log_in(page, live_server, "alice@example.com")
    page.evaluate("window.__sameDocument = true")
    expect(page).to_have_url(f"{live_server.url}/today/")
    page.wait_for_load_state("load")  # the keyboard script is loaded with the page
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.keyboard.type("Customer at a trade fair")
    page.get_by_role("button", name="Skip", exact=True).click()
    expect(page.get_by_text("Skipped: Customer at a trade fair")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(live_server_artifact("today.png")), full_page=True)
