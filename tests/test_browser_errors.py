"""Nothing fails silently, in real Chromium: an AE's refused decision shows its error in the
card, an SDR's refused skip in the list, a server failure or a lost connection in the alert
region; the call timer survives a validation error and the logged duration is the time spent."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.domain import calllists
from leads.models import Activity, CallListEntry

from .factories import AccountFactory, LeadFactory
from .helpers import call_start
from .test_browser_skeleton import live_server_artifact, log_in
from .test_reviews import make_handoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_aes_refused_decisions_show_their_errors_in_the_card(page, live_server, org):
    handoff = make_handoff(org)
    log_in(page, live_server, "aaron@example.com")
    card = page.locator(f"#handoff-{handoff.pk}")
    card.get_by_label("Reject because").select_option("other")
    card.get_by_role("button", name="Reject").click()
    expect(card.get_by_text("Say what was missing, so the SDR can learn from it.")).to_be_visible()
    expect(card.get_by_label("Reject because")).to_have_value("other")

    card.get_by_label("Amount at creation").fill("1234567890123456")
    card.get_by_role("button", name="Accept").click()
    expect(card.locator("[id^=amount-][id$=-errors]")).to_contain_text("At most 999,999,999,999")
    expect(card.get_by_label("Amount at creation")).to_have_value("1234567890123456")
    page.screenshot(path=str(live_server_artifact("inbox-errors.png")), full_page=True)
    handoff.refresh_from_db()
    assert handoff.status == "pending"

    # A server failure or no answer at all: the page says so, in the alert region.
    page.route(re.compile(r".*/inbox/\d+/accept/$"), lambda route: route.fulfill(status=500))
    card.get_by_label("Amount at creation").fill("1000000")
    card.get_by_role("button", name="Accept").click()
    expect(page.locator("#request-errors")).to_contain_text("Something went wrong on our side")
    page.unroute(re.compile(r".*/inbox/\d+/accept/$"))
    page.route(re.compile(r".*/inbox/\d+/accept/$"), lambda route: route.abort())
    card.get_by_role("button", name="Accept").click()
    expect(page.locator("#request-errors")).to_contain_text("No answer from the server")
    assert page.csp_violations == []


def test_an_sdrs_refused_skip_shows_its_error_in_the_list(page, live_server, org):
    LeadFactory(owner=org.alice, first_name="Hana", account=AccountFactory(name="Hanbit"))
    calllists.build_call_lists(org.desk, org.desk.local_today())
    entry = CallListEntry.objects.get(lead__first_name="Hana")
    log_in(page, live_server, "alice@example.com")
    row = page.locator(f"[data-entry='{entry.pk}']")
    row.locator("summary").click()
    # The browser's own check aside (a script, an old browser), the server refuses too.
    row.locator("input[name=reason]").evaluate("el => el.removeAttribute('required')")
    row.get_by_role("button", name="Skip").click()
    expect(page.locator(f"#skip-{entry.pk}-errors")).to_contain_text("This field is required")
    entry.refresh_from_db()
    assert entry.status == "planned"
    assert page.csp_violations == []


def test_the_call_timer_survives_a_validation_error_and_logs_the_time_spent(page, live_server, org):
    lead = LeadFactory(owner=org.alice, first_name="Minho", account=AccountFactory(name="Seorim"))
    calllists.build_call_lists(org.desk, org.desk.local_today())
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/leads/{lead.pk}/call/")
    # Eight minutes into the call: the server's recorded start, set back rather than waited.
    eight_minutes_ago = call_start(timezone.now() - datetime.timedelta(minutes=8))
    page.locator("input[name=started_at]").evaluate(
        "(el, value) => { el.value = value; }", eight_minutes_ago
    )
    page.get_by_label("Outcome").select_option("connected")
    # A validation error: an insight topic without the prospect's words.
    page.get_by_label("What the market said: topic").select_option(index=1)
    page.get_by_role("button", name="Log the call and go to the next lead").click()
    expect(
        page.get_by_text("An insight needs both a topic and the prospect's words.")
    ).to_be_visible()
    # The timer is not back at zero: it runs from the start the server kept.
    expect(page.locator("#timer .elapsed")).to_have_text(re.compile(r"^(8|9|10):\d\d$"))
    # "Still open" follows the items as they are marked.
    expect(page.locator("[data-open-item=budget]")).to_be_visible()
    page.locator("fieldset[data-item=budget]").get_by_label("Not asked", exact=True).check()
    expect(page.locator("[data-open-item=budget]")).to_be_hidden()
    page.locator("fieldset[data-item=budget]").get_by_label("Why not asked").fill("No time")
    page.get_by_label("What the market said: topic").select_option("")
    page.get_by_role("button", name="Log the call and go to the next lead").click()
    expect(page.get_by_text(re.compile("Logged: Minho"))).to_be_visible()
    activity = Activity.objects.get(lead=lead)
    assert 8 * 60 <= activity.duration_seconds < 11 * 60
    assert page.csp_violations == []


def test_the_call_timer_stays_in_view_on_a_phone(browser, live_server, org):
    lead = LeadFactory(owner=org.alice, account=AccountFactory(name="Seorim"))
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 700})
    page = context.new_page()
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/leads/{lead.pk}/call/")
    page.get_by_role(
        "button", name="Log the call and go to the next lead"
    ).scroll_into_view_if_needed()
    box = page.locator("#timer").bounding_box()
    assert box is not None and 0 <= box["y"] < 700
    context.close()
