"""The SDR's cadence journey in real Chromium: enrol a lead from its brief and see it there,
bulk-enrol two more from the list, then find the due call step on Today and open it in call
mode, with its script and the items it asks first among the open ones."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadences import domain
from cadences.models import Enrollment

from .cadence_helpers import activate
from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in
from .test_cadences import three_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sdr_enrols_from_the_brief_and_the_list_and_calls_the_due_step(page, live_server, org):
    cadence = domain.create_cadence(org.desk, name="Enterprise intro", by=org.mia)
    domain.save_steps(cadence, three_steps(), by=org.mia)
    activate(cadence, org.mia)
    hana = LeadFactory(
        owner=org.alice,
        first_name="Hana",
        last_name="Kim",
        stage="working",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    others = [
        LeadFactory(owner=org.alice, first_name=name, last_name="Park", stage="new")
        for name in ("Minho", "Jiwoo")
    ]
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice@example.com")

    page.goto(f"{live_server.url}/leads/{hana.pk}/")
    panel = page.locator("#lead-cadences")
    panel.get_by_label("Enrol in a cadence").select_option(label="Enterprise intro")
    panel.get_by_role("button", name="Enrol").click()
    expect(panel.get_by_text("Enrolled in Enterprise intro.")).to_be_visible()
    expect(panel.get_by_text("step 1 of 3")).to_be_visible()
    expect(panel.get_by_label("Enrol in a cadence")).to_have_count(0)
    page.screenshot(path=str(live_server_artifact("cadence-sdr-brief.png")), full_page=True)

    page.goto(f"{live_server.url}/leads/?stage=new")
    for lead in others:
        page.get_by_label(f"Select {lead.first_name} {lead.last_name}").check()
    bulk = page.locator("#bulk")
    bulk.get_by_label("Cadence", exact=True).select_option(label="Enterprise intro")
    bulk.get_by_role("button", name="Enrol the ticked leads").click()
    expect(page.get_by_text("2 of 2 leads enrolled in Enterprise intro.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/leads/\?stage=new$"))
    page.screenshot(path=str(live_server_artifact("cadence-sdr-list.png")), full_page=True)
    assert Enrollment.objects.filter(lead__in=others, state="active").count() == 2

    # Whatever the hour of the run, Hana's call step is due now.
    Enrollment.objects.filter(lead=hana).update(
        next_due=timezone.now() - datetime.timedelta(minutes=1)
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    steps = page.locator("#today-cadences")
    hana_step = steps.locator("li", has_text="Hana Kim")
    expect(
        hana_step.get_by_text(
            "Cadence Enterprise intro · step 1 of 3 · asks: timing, approval process"
        )
    ).to_be_visible()
    page.screenshot(path=str(live_server_artifact("cadence-sdr-today.png")), full_page=True)
    hana_step.get_by_role("link", name="Call").click()

    expect(
        page.get_by_role("heading", name="Cadence Enterprise intro · step 1 of 3")
    ).to_be_visible()
    expect(page.get_by_text("Ask how such projects are approved.")).to_be_visible()
    expect(page.get_by_text("Logging this call records the step done")).to_be_visible()
    open_items = page.locator("[data-open-item]")
    expect(open_items.nth(0)).to_have_attribute("data-open-item", "approval_process")
    expect(open_items.nth(1)).to_have_attribute("data-open-item", "timing")
    page.screenshot(path=str(live_server_artifact("cadence-sdr-call.png")), full_page=True)
