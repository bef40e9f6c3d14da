"""The journeys of issue 14's leads and the AE's side, in real Chromium: an SDR creates a lead
at a new company, a manager gives leads to another SDR in bulk, an AE corrects an amount typed
wrongly at acceptance."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from handoffs import domain
from leads.models import Lead

from .factories import LeadFactory
from .test_browser_skeleton import log_in
from .test_reviews import make_handoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_sdr_creates_a_lead_and_opens_its_company(page, live_server, org):
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/leads/")
    page.get_by_role("link", name="New lead").click()
    page.get_by_role("combobox", name="Company:").fill("Hanbit Logistics")
    page.get_by_label("Segment (new company)").select_option("enterprise")
    page.get_by_label("First name").fill("Minji")
    page.get_by_label("Last name").fill("Kim")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("Source").select_option("event")
    page.get_by_role("button", name="Create the lead").click()
    expect(page.get_by_text("12 is not a valid phone number.")).to_be_visible()
    page.get_by_label("Phone").fill("010-2345-6789")
    page.get_by_role("button", name="Create the lead").click()
    expect(page.get_by_role("heading", name="Minji Kim")).to_be_visible()
    expect(page.get_by_text("Lead created: Minji Kim (Hanbit Logistics).")).to_be_visible()
    lead = Lead.objects.get(first_name="Minji")
    assert (lead.owner, lead.phone, lead.account.segment) == (
        org.alice,
        "010-2345-6789",
        "enterprise",
    )
    page.get_by_role("link", name="Hanbit Logistics").first.click()
    expect(page.get_by_role("heading", name="Hanbit Logistics")).to_be_visible()
    expect(page.locator(f'tr[data-lead="{lead.pk}"]')).to_contain_text("New")
    assert page.csp_violations == []


def test_a_manager_reassigns_leads_in_bulk(page, live_server, org):
    leads = LeadFactory.create_batch(3, owner=org.alice)
    log_in(page, live_server, "mia@example.com")
    page.goto(f"{live_server.url}/leads/")
    expect(page.get_by_text("3 leads")).to_be_visible()
    owner = page.get_by_label("New owner")
    expect(owner).to_be_hidden()  # shown for the action it belongs to only
    page.get_by_label("With the selected leads").select_option("reassign")
    expect(owner).to_be_visible()
    owner.select_option(str(org.bob.pk))
    for lead in leads[:2]:
        page.locator(f'tr[data-lead="{lead.pk}"] input[name=leads]').check()
    page.get_by_role("button", name="Apply to the ticked leads").click()
    expect(page.get_by_text(f"2 of 2 leads given to {org.bob}.")).to_be_visible()
    expect(page.locator(f'tr[data-lead="{leads[0].pk}"]')).to_contain_text(str(org.bob))
    assert set(Lead.objects.filter(owner=org.bob).values_list("pk", flat=True)) == {
        leads[0].pk,
        leads[1].pk,
    }
    assert page.csp_violations == []


def test_an_ae_corrects_an_amount_typed_wrongly(page, live_server, org):
    opportunity = domain.accept(make_handoff(org).pk, by=org.aaron, amount=Decimal("1000000"))
    log_in(page, live_server, "aaron@example.com")
    page.goto(f"{live_server.url}/opportunities/")
    page.get_by_role("link", name="Typed the amount at creation wrongly?").click()
    page.get_by_label("Correct amount at creation").fill("10,000,000.5")
    page.get_by_role("button", name="Correct the amount").click()
    expect(page.get_by_text("KRW amounts have no decimals")).to_be_visible()
    page.get_by_label("Correct amount at creation").fill("10,000,000")
    page.get_by_role("button", name="Correct the amount").click()
    expect(page.get_by_text("The amount at creation is corrected.")).to_be_visible()
    expect(page.locator(f'[data-opportunity="{opportunity.pk}"]')).to_contain_text("₩10,000,000")
    opportunity.refresh_from_db()
    assert opportunity.amount_at_creation == Decimal("10000000")
    assert page.csp_violations == []
