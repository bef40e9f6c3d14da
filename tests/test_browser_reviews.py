"""A manager reviews a handoff and shares it; a stakeholder sees it in the praise feed."""

import pytest
from playwright.sync_api import expect

from .test_browser_skeleton import live_server_artifact, log_in
from .test_reviews import make_handoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reviews_and_shares_and_a_stakeholder_reads_it(browser, page, live_server, org):
    handoff = make_handoff(org, budget_questions="What is your budget?")
    log_in(page, live_server, "mia@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review desk").click()
    card = page.locator(f"#review-{handoff.pk}")
    expect(card.get_by_text("after a single direct question")).to_be_visible()
    card.get_by_label("Exemplary").check()
    card.get_by_label("Feedback to the SDR (private)").fill("Private: ask budget indirectly.")
    card.get_by_label("Note on Budget").fill("Ask how such projects get approved first")
    card.get_by_text("Share as praise").click()
    card.get_by_label("Share this handoff in the praise feed").check()
    card.get_by_label("Why it is good (everyone reads this)").fill("Found the real pain")
    card.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("Reviewed and shared in the praise feed.")).to_be_visible()

    context = browser.new_context(locale="en-US")
    other = context.new_page()
    log_in(other, live_server, "stella@example.com")
    other.get_by_role("navigation", name="Main").get_by_role("link", name="Praise").click()
    expect(other.get_by_text("Found the real pain")).to_be_visible()
    expect(other.get_by_text("Private: ask budget indirectly.")).to_have_count(0)
    other.get_by_role("button", name="Applause").click()
    expect(other.get_by_role("button", name="Applause")).to_have_text("👏 1")
    other.screenshot(path=str(live_server_artifact("praise.png")), full_page=True)
    context.close()
    assert page.csp_violations == []


def test_a_refused_review_comes_back_with_everything_the_manager_typed(page, live_server, org):
    from handoffs.models import PraisePost, Review
    from sdr_ops.models import Notification

    handoff = make_handoff(org, budget_questions="What is your budget?")
    log_in(page, live_server, "mia@example.com")
    page.goto(f"{live_server.url}/reviews/")
    card = page.locator(f"#review-{handoff.pk}")
    card.get_by_label("Solid").check()
    card.get_by_label("Feedback to the SDR (private)").fill("Good call, ask the budget later.")
    card.get_by_label("Note on Budget").fill("Approval path first")
    card.get_by_text("Share as praise").click()
    card.get_by_label("Share this handoff in the praise feed").check()
    card.get_by_label("Excerpt to show (the comment by default)").fill("In their own words")
    card.get_by_role("button", name="Save the review").click()

    # Refused whole (no "why it is good"): the card comes back as typed, the error beside it.
    card = page.locator(f"#review-{handoff.pk}")
    expect(card.get_by_text("Say in a line why this handoff is good.")).to_be_visible()
    expect(card.get_by_label("Solid")).to_be_checked()
    expect(card.get_by_label("Feedback to the SDR (private)")).to_have_value(
        "Good call, ask the budget later."
    )
    expect(card.get_by_label("Note on Budget")).to_have_value("Approval path first")
    expect(card.get_by_label("Share this handoff in the praise feed")).to_be_checked()
    expect(card.get_by_label("Excerpt to show (the comment by default)")).to_have_value(
        "In their own words"
    )
    assert not Review.objects.exists() and not PraisePost.objects.exists()
    assert not Notification.objects.filter(user=org.alice).exists()

    card.get_by_label("Why it is good (everyone reads this)").fill("Found the real pain")
    card.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("Reviewed and shared in the praise feed.")).to_be_visible()
    assert Review.objects.get().feedback == "Good call, ask the budget later."
    assert PraisePost.objects.get().excerpt == "In their own words"
    assert page.csp_violations == []
