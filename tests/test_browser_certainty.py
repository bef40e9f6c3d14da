"""An SDR sees the certainty computed from the evidence and must give a reason to declare a
higher one; a manager opens the calibration view with the model card (issue 17)."""

import re

import pytest
from playwright.sync_api import expect

from certainty import domain, synthetic
from handoffs.models import Handoff

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in
from .test_certainty import answered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_declaring_above_the_evidence_and_the_calibration_view(browser, page, live_server, org):
    lead = answered(
        LeadFactory(
            owner=org.alice,
            first_name="Hana",
            last_name="Kim",
            stage="connected",
            account=AccountFactory(name="Hanbit Logistics"),
        ),
        budget="not_asked",
        approval_process="not_asked",
        need="not_asked",
        timing="not_asked",
    )
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    score = page.locator("#lead-score")
    expect(score.get_by_text("Certainty from the evidence: C (score 0.15)")).to_be_visible()
    expect(score.get_by_text(re.compile("confirm budget: \\+0.20"))).to_be_visible()
    page.get_by_role("link", name="Hand off to an AE").click()
    expect(page.locator("#computed-certainty").get_by_text("not learned yet")).to_be_visible()
    page.get_by_label("A (high)").check()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#valve-applies")).to_contain_text("The valve applies certainty C")
    page.locator("#ae-choices").get_by_text(re.compile("^Aaron")).click()
    page.get_by_label("Handoff comment").fill("Reporting takes days; they want it this quarter.")
    page.get_by_role("button", name="Hand off").click()
    expect(page.get_by_text(re.compile("The evidence says C"))).to_be_visible()
    assert not Handoff.objects.exists()
    page.get_by_label("Why you declare a higher certainty than the evidence").fill(
        "The CEO asked for it in person; budget comes from the ops line."
    )
    page.get_by_label("A (high)").check()
    page.locator("#ae-choices").get_by_text(re.compile("^Aaron")).click()
    page.get_by_role("button", name="Hand off").click()
    expect(page.get_by_text(re.compile("Handed off to Aaron"))).to_be_visible()
    handoff = Handoff.objects.get(lead=lead)
    assert (handoff.certainty, handoff.computed_certainty) == ("A", "C")
    page.screenshot(path=str(live_server_artifact("certainty-declared.png")), full_page=True)

    # With a history, the team's model is learned; the manager reads its card.
    synthetic.write(1000, sdr=org.bob, ae=org.ada, seed=1)
    assert domain.train_team(org.desk).active
    context = browser.new_context(locale="en-US")
    manager = context.new_page()
    log_in(manager, live_server, "mia@example.com")
    manager.get_by_role("link", name="Certainty", exact=True).click()
    expect(
        manager.get_by_role("heading", name=re.compile("^Certainty calibration"))
    ).to_be_visible()
    expect(manager.locator("#model-card")).to_contain_text("v1")
    expect(manager.locator("#model-card")).to_contain_text("Budget confirmed")
    expect(manager.locator("#recent-calibration tr[data-decile]")).to_have_count(10)
    manager.locator("tr[data-version='1']").get_by_role("button", name="Pin").click()
    expect(manager.get_by_text("Version 1 is pinned.")).to_be_visible()
    manager.screenshot(path=str(live_server_artifact("certainty-calibration.png")), full_page=True)
    context.close()


def test_the_manager_reads_the_calibration_and_a_briefs_learned_score(browser, live_server, org):
    synthetic.write(1000, sdr=org.bob, ae=org.ada, seed=1)
    assert domain.train_team(org.desk).active
    lead = answered(
        LeadFactory(
            owner=org.alice,
            first_name="Hana",
            last_name="Kim",
            stage="connected",
            account=AccountFactory(name="Hanbit Logistics"),
        ),
        budget="not_asked",
    )
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server, "mia@example.com")
    page.get_by_role("link", name="Certainty", exact=True).click()
    card = page.locator("#model-card")
    expect(card).to_contain_text("v1")
    expect(card).to_contain_text("Decided handoffs trained on")
    expect(card.locator("dd").nth(2)).to_have_text("800")
    expect(card.locator(".factors")).to_contain_text("Budget confirmed +")
    deciles = page.locator("#recent-calibration tr[data-decile]")
    expect(deciles).to_have_count(10)
    expect(page.locator("#recent-calibration")).to_contain_text("1000 decided handoffs")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, "the calibration view scrolls sideways at 1280 px"
    page.screenshot(
        path=str(live_server_artifact("certainty-calibration-1280.png")), full_page=True
    )

    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    score = page.locator("#lead-score")
    expect(score).to_contain_text("Certainty from the evidence")
    expect(score).to_contain_text("model v1")
    expect(score).to_contain_text("Budget not asked -")
    expect(
        score.get_by_text(re.compile(r"What would raise it: confirm budget: \+0\.\d\d"))
    ).to_be_visible()
    score.screenshot(path=str(live_server_artifact("certainty-brief-score-1280.png")))
    context.close()
