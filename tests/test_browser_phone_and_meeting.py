"""In a real Chromium: an inbound call from a known number brings its lead's brief to the SDR;
call mode's timer starts when the phone system says the call was answered; an SDR hands a
lead off with a meeting picked, and the AE sees the meeting in the inbox."""

import json
import re
import time
import urllib.request

import pytest
from django.utils.formats import date_format
from playwright.sync_api import expect

from meetings import slots
from meetings.models import Meeting
from telephony import signatures
from telephony.models import Extension, PhoneSystem

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in
from .test_handoffs_domain import qualified
from .test_meetings import set_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def post_event(live_server, event: dict) -> int:
    """The phone system's request, signed, over HTTP to the running app."""
    body = json.dumps(event).encode()
    msg_id, stamp = f"evt_{event['call_id']}_{event['type']}", int(time.time())
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/telephony/events/?team=enterprise-desk",
        data=body,
        headers={
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signatures.sign(SECRET, msg_id, stamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_an_inbound_call_opens_the_brief_and_call_mode_follows_the_call(page, live_server, org):
    PhoneSystem.objects.create(team=org.desk, webhook_secret=SECRET)
    Extension.objects.create(user=org.alice, team=org.desk, extension="201")
    lead = LeadFactory(
        owner=org.alice,
        first_name="Hana",
        last_name="Kim",
        phone="010-2345-6789",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    log_in(page, live_server, "alice@example.com")
    expect(page).to_have_url(f"{live_server.url}/today/")

    call = {
        "call_id": "pbx-77",
        "direction": "inbound",
        "from": "+82 10 2345 6789",
        "to": "070-1111-2222",
        "extension": "201",
    }
    assert post_event(live_server, call | {"type": "ringing"}) == 200
    banner = page.locator(".incoming-call")
    expect(banner).to_contain_text("Incoming call: Hana Kim, Hanbit Logistics")
    page.screenshot(path=str(live_server_artifact("incoming-call.png")), full_page=True)
    banner.get_by_role("link", name="Open the brief").click()
    expect(page).to_have_url(f"{live_server.url}/leads/{lead.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Hana Kim"))).to_be_visible()

    # In call mode the phone's answer restarts the timer and its end is the call's log.
    page.goto(f"{live_server.url}/leads/{lead.pk}/call/")
    post_event(live_server, call | {"type": "answered"})
    expect(page.locator("#call-state")).to_contain_text("On the call")
    post_event(live_server, call | {"type": "ended", "duration": 42})
    expect(page.locator("#call-state")).to_contain_text("Call ended after 42 s")
    page.get_by_label("Outcome").select_option("connected")
    page.get_by_role("button", name="Log the call and go to the next lead").click()
    expect(page.get_by_text("Logged: Hana Kim")).to_be_visible()
    activities = list(lead.activities.values_list("outcome", "duration_seconds"))
    assert activities == [("connected", 42)]
    assert page.csp_violations == []


def test_an_sdr_hands_off_with_a_meeting_and_the_ae_sees_it(browser, page, live_server, org):
    set_hours(org.aaron)
    lead = qualified(
        LeadFactory(
            owner=org.alice,
            first_name="Minho",
            last_name="Lee",
            stage="connected",
            phone="+44 20 7946 0958",
            account=AccountFactory(name="Seorim Foods"),
        )
    )
    slot = slots.free_slots(org.aaron).slots[1]
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/leads/{lead.pk}/handoff/")
    page.get_by_label("A (high)").check()
    page.wait_for_load_state("networkidle")
    page.locator("#ae-choices").get_by_text(re.compile("^Aaron")).click()
    part = page.locator("#meeting-part")
    expect(part).to_contain_text(
        "Times in the AE's zone (Asia/Seoul), and the lead's (Europe/London)."
    )
    part.locator(f'input[name="meeting_slot"][value="{slot.value}"]').check()
    page.get_by_label("Handoff comment").fill("Minho: reporting takes days.")
    page.screenshot(path=str(live_server_artifact("handoff-meeting.png")), full_page=True)
    page.get_by_role("button", name="Hand off").click()
    expect(page.get_by_text(re.compile("Handed off to Aaron"))).to_be_visible()
    meeting = Meeting.objects.get()
    assert (meeting.starts_at, meeting.status) == (slot.start, "booked")

    context = browser.new_context(locale="en-US")
    ae_page = context.new_page()
    log_in(ae_page, live_server, "aaron@example.com")
    local = slot.start.astimezone(org.sales.zone)
    expect(ae_page.locator(".meeting")).to_contain_text(
        f"First meeting: {date_format(local, 'DATETIME_FORMAT')}"
    )
    ae_page.screenshot(path=str(live_server_artifact("inbox-meeting.png")), full_page=True)
    context.close()
    assert page.csp_violations == []
