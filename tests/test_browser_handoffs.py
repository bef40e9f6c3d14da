"""An SDR hands a lead off; the AE, in a second browser, accepts it; another handoff is
rejected with a reason that the SDR then sees on the lead brief."""

import re

import pytest
from playwright.sync_api import expect

from handoffs.models import Handoff
from leads.models import Segment

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in
from .test_handoffs_domain import qualified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handoff_accept_and_reject_across_two_browsers(browser, page, live_server, org):
    first = qualified(
        LeadFactory(
            owner=org.alice,
            first_name="Hana",
            last_name="Kim",
            stage="connected",
            account=AccountFactory(name="Hanbit Logistics", segment=Segment.ENTERPRISE),
        )
    )
    second = qualified(
        LeadFactory(
            owner=org.alice,
            first_name="Minho",
            last_name="Lee",
            stage="connected",
            account=AccountFactory(name="Seorim Foods"),
        )
    )

    # The SDR hands both leads to Aaron.
    log_in(page, live_server, "alice@example.com")
    for lead in (first, second):
        page.goto(f"{live_server.url}/leads/{lead.pk}/")
        page.get_by_role("link", name="Hand off to an AE").click()
        page.get_by_label("A (high)").check()
        page.wait_for_load_state("networkidle")  # the AE choices refresh for the certainty
        page.locator("#ae-choices").get_by_text(re.compile("^Aaron")).click()
        page.get_by_label("Handoff comment").fill(f"{lead.first_name}: reporting takes days.")
        page.get_by_role("button", name="Hand off").click()
        expect(page.get_by_text(re.compile("Handed off to Aaron"))).to_be_visible()
    page.screenshot(path=str(live_server_artifact("handed-off.png")), full_page=True)

    # The AE, in a browser of their own, accepts one and rejects the other.
    context = browser.new_context(locale="en-US")
    ae_page = context.new_page()
    log_in(ae_page, live_server, "aaron@example.com")
    expect(ae_page.get_by_role("heading", name=re.compile("^Inbox"))).to_be_visible()
    card = ae_page.locator(f"#handoff-{Handoff.objects.get(lead=first).pk}")
    expect(card.get_by_text("Hana: reporting takes days.")).to_be_visible()
    card.get_by_label("Amount at creation").fill("45000000")
    card.get_by_role("button", name="Accept").click()
    expect(ae_page.get_by_text("Accepted: the opportunity is created.").first).to_be_visible()
    card = ae_page.locator(f"#handoff-{Handoff.objects.get(lead=second).pk}")
    card.get_by_label("Reject because").select_option("bad_timing")
    card.get_by_label("Comment").fill("Budget cycle starts in April.")
    card.get_by_role("button", name="Reject").click()
    expect(ae_page.get_by_text("Rejected: Bad timing.")).to_be_visible()
    ae_page.screenshot(path=str(live_server_artifact("inbox.png")), full_page=True)
    context.close()

    # The SDR sees the reason on the lead brief.
    page.goto(f"{live_server.url}/leads/{second.pk}/")
    expect(page.get_by_text("Budget cycle starts in April.")).to_be_visible()
    expect(page.get_by_text("Bad timing").first).to_be_visible()
    assert page.csp_violations == []
