"""A manager searches the team's leads without a page reload and opens a lead brief."""

import pytest
from playwright.sync_api import expect

from handoffs.models import Handoff, RejectionReason
from leads.models import Segment

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_searches_filters_and_opens_a_brief(page, live_server, org):
    target = LeadFactory(
        owner=org.bob,
        first_name="Seojin",
        last_name="Park",
        account=AccountFactory(name="Hanbit Logistics", segment=Segment.ENTERPRISE),
    )
    LeadFactory.create_batch(8, owner=org.alice)
    from django.utils import timezone

    Handoff.objects.create(
        lead=target,
        sdr=org.bob,
        ae=org.aaron,
        certainty="B",
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason=RejectionReason.NO_BUDGET,
    )
    log_in(page, live_server, "mia@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    expect(page.get_by_text("9 leads")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Search").fill("hanbit")
    expect(page.get_by_text("1 lead", exact=True)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True, "the search reloaded the page"
    expect(page).to_have_url(
        f"{live_server.url}/leads/?q=hanbit&stage=&segment=&source=&owner=&last_touch="
    )
    page.get_by_role("link", name="Seojin Park").click()
    expect(page.get_by_role("heading", name="Hanbit Logistics")).to_be_visible()
    expect(page.get_by_text("No budget")).to_be_visible()
    page.screenshot(path=str(live_server_artifact("lead-brief.png")), full_page=True)
    assert page.csp_violations == []
