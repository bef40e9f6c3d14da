"""Issue 14 in real Chromium: a callback logged after the evening build is on tomorrow's
list, which keeps the SDR's edits; a task set in call mode shows on Today; j / k pass over
finished entries."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.domain import calllists
from leads.models import Activity, CallList, CallListEntry, Source, Stage

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_late_callback_lands_on_tomorrows_list_which_keeps_the_sdrs_edits(page, live_server, org):
    older, newer = (
        LeadFactory(owner=org.alice, first_name=name, account=AccountFactory(name=company))
        for name, company in (("Hana", "Hanbit Logistics"), ("Minho", "Seorim Foods"))
    )
    older.created_at -= datetime.timedelta(days=30)
    older.save()
    late = LeadFactory(
        owner=org.alice,
        first_name="Jisoo",
        last_name="Park",
        stage=Stage.WORKING,
        source=Source.OUTBOUND,
        account=AccountFactory(name="Daehan Steel"),
    )
    Activity.objects.create(
        lead=late,
        sdr=org.alice,
        type="call",
        outcome="no_answer",
        started_at=timezone.now() - datetime.timedelta(days=2),
    )
    tomorrow = calllists.next_working_day(org.desk.local_today())
    calllists.build_call_lists(org.desk, tomorrow)  # the evening build ran

    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/tomorrow/")
    rows = page.locator("ol.queue li.entry")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Minho")
    # The SDR moves Hana to the top and marks the list reviewed.
    rows.nth(1).get_by_role("button", name="Move up").click()
    expect(rows.nth(0)).to_contain_text("Hana")
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text(re.compile("^Reviewed"))).to_be_visible()

    # Later that evening Jisoo agrees to a callback tomorrow at 10:30.
    page.goto(f"{live_server.url}/leads/{late.pk}/call/")
    page.get_by_label("Outcome").select_option("callback")
    page.get_by_label("Callback agreed for").fill(f"{tomorrow.isoformat()}T10:30")
    for item in ("budget", "approval_process", "need", "timing"):
        fieldset = page.locator(f"fieldset[data-item={item}]")
        if fieldset.count():
            fieldset.get_by_label("Unknown").check()
    page.get_by_role("button", name="Log the call and go to the next lead").click()
    expect(page.get_by_text("Logged: Jisoo Park")).to_be_visible()

    page.goto(f"{live_server.url}/tomorrow/")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Hana")  # where the SDR put her
    expect(rows.nth(1)).to_contain_text("Jisoo")  # the callback, in its rule's place
    expect(rows.nth(1)).to_contain_text("Callbacks due")
    expect(rows.nth(2)).to_contain_text("Minho")
    expect(page.get_by_text(re.compile("^Reviewed"))).to_be_visible()
    page.screenshot(path=str(live_server_artifact("tomorrow-late-callback.png")), full_page=True)
    call_list = CallList.objects.get(sdr=org.alice, day=tomorrow)
    assert call_list.reviewed_at is not None
    assert CallListEntry.objects.get(call_list=call_list, lead=late).position == 2
    assert page.csp_violations == []


def test_a_task_from_call_mode_is_on_today_and_j_k_pass_over_finished_entries(
    page, live_server, org
):
    leads = [LeadFactory(owner=org.alice, first_name=name) for name in ("Ara", "Bora", "Cheol")]
    calllists.build_call_lists(org.desk, org.desk.local_today())
    call_list = CallList.objects.get(sdr=org.alice, day=org.desk.local_today())
    middle = call_list.entries.get(position=2)
    calllists.skip_entry(middle, by=org.alice, reason="On holiday")

    log_in(page, live_server, "alice@example.com")
    expect(page.get_by_text("0 called")).to_be_visible()
    expect(page.get_by_text("1 skipped")).to_be_visible()
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    first = page.locator("li.entry.selected")
    expect(first).to_have_attribute("data-entry", str(call_list.entries.get(position=1).pk))
    page.keyboard.press("j")  # over the skipped one
    expect(page.locator("li.entry.selected")).to_have_attribute(
        "data-entry", str(call_list.entries.get(position=3).pk)
    )
    page.keyboard.press("k")
    expect(page.locator("li.entry.selected")).to_have_attribute(
        "data-entry", str(call_list.entries.get(position=1).pk)
    )

    lead = leads[0]
    page.goto(f"{live_server.url}/leads/{lead.pk}/call/")
    page.get_by_text("Set a task").click()
    soon = timezone.localtime(timezone.now(), org.desk.zone)  # due today at any hour
    card = page.locator("#lead-tasks")
    card.locator("select[name=kind]").select_option("material")
    card.locator("input[name=due_at]").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    card.locator("input[name=note]").fill("Send the case study")
    card.get_by_role("button", name="Set the task").click()
    expect(page.locator("#lead-tasks")).to_contain_text("Send the case study")
    page.goto(f"{live_server.url}/today/")
    tasks = page.locator("#today-tasks")
    expect(tasks).to_contain_text("Send the case study")
    tasks.get_by_role("button", name="Done").click()
    expect(tasks).to_contain_text("No task due today.")
    assert page.csp_violations == []
