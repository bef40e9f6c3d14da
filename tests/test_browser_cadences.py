"""The cadences in real Chromium: a manager builds a three-step cadence (two e-mail variants,
previewed, then activated) and the SDR finds its call step on tomorrow's list with the reason
and the items it asks; the manager reads the analytics and edits the days off; an SDR
composes an e-mail step sent by hand, which a real SMTP server receives."""

import re

import pytest
from playwright.sync_api import expect

from cadences import domain
from cadences.models import Cadence
from leads.domain import calllists
from sdr_ops import calendar

from .factories import AccountFactory, LeadFactory
from .test_browser_skeleton import live_server_artifact, log_in
from .test_cadence_mail import smtp, team_mail  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_builds_a_cadence_and_the_sdr_sees_its_call_step_tomorrow(page, live_server, org):
    LeadFactory(owner=org.bob, first_name="Jisoo", account=AccountFactory(name="Daon Foods"))
    log_in(page, live_server, "mia@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cadences").click()
    page.get_by_label("Name").fill("Enterprise intro")
    page.get_by_role("button", name="Create the cadence").click()
    expect(page.get_by_role("heading", name="Enterprise intro")).to_be_visible()

    first = page.locator("fieldset[data-step='1']")
    first.get_by_label("Type").select_option("call")
    first.get_by_label("Script or instruction").fill("Ask how such projects get approved.")
    first.get_by_label("Timing").check()
    first.get_by_label("Approval process").check()
    second = page.locator("fieldset[data-step='2']")
    second.get_by_label("Type").select_option("email")
    second.get_by_label("Working days after the previous step").fill("2")
    second.get_by_label("Subject of variant A").fill("Following up, {{ first_name }}")
    second.get_by_label("Text of variant A").fill("Hello {{ first_name }},\n\nAs promised.")
    second.get_by_label("Weight of variant A").fill("3")
    second.get_by_text("Add variant B").click()
    second.get_by_label("Subject of variant B").fill("A question for {{ company }}")
    second.get_by_label("Text of variant B").fill("Hi {{ nickname }}")
    third = page.locator("fieldset[data-step='3']")
    third.get_by_label("Type").select_option("task")
    third.get_by_label("Working days after the previous step").fill("3")
    third.get_by_label("Script or instruction").fill("Connect on LinkedIn")
    # The preview renders each variant for a lead of the team; B's unknown field is an error.
    page.get_by_label("Preview with the lead").fill("daon")
    page.get_by_role("button", name="Preview every e-mail").click()
    second = page.locator("fieldset[data-step='2']")
    expect(second.locator("[data-variant='A'] .preview-subject")).to_have_text(
        "Following up, Jisoo"
    )
    expect(
        second.locator("[data-variant='B']").get_by_text("Unknown merge fields: nickname")
    ).to_be_visible()
    page.screenshot(path=str(live_server_artifact("cadence-preview.png")), full_page=True)
    second.get_by_label("Text of variant B").fill("Hi {{ first_name }}")
    page.get_by_role("button", name="Save the steps").click()
    expect(page.get_by_text("Steps saved (version 1).")).to_be_visible()

    # B changed since its preview: activating waits for one.
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Step 2, variant B: preview the e-mail first")).to_be_visible()
    page.locator("fieldset[data-step='2']").get_by_role("button", name="Preview variant B").click()
    expect(
        page.locator("fieldset[data-step='2'] [data-variant='B'] .preview-subject")
    ).to_have_text("A question for Daon Foods")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("button", name="Archive")).to_be_visible()
    page.screenshot(path=str(live_server_artifact("cadence-editor.png")), full_page=True)

    cadence = Cadence.objects.get(name="Enterprise intro")
    assert list(cadence.current().steps.values_list("type", flat=True)) == [
        "call",
        "email",
        "task",
    ]
    lead = LeadFactory(
        owner=org.alice,
        first_name="Hana",
        last_name="Kim",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    domain.enrol(lead, cadence, by=org.alice)
    tomorrow = calendar.next_working_day(org.desk.local_today(), org.desk.work_calendar())
    calllists.build_call_lists(org.desk, tomorrow)

    page.context.clear_cookies()
    log_in(page, live_server, "alice@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tomorrow").click()
    expect(
        page.get_by_text("Cadence Enterprise intro · step 1 of 3 · asks: approval process, timing")
    ).to_be_visible()
    expect(page.get_by_text("Hanbit Logistics").first).to_be_visible()
    page.screenshot(path=str(live_server_artifact("cadence-tomorrow.png")), full_page=True)


def test_a_manager_reads_a_cadences_analytics_and_edits_the_days_off(page, live_server, org):
    from cadences.models import StepRun

    from .cadence_helpers import activate

    cadence = domain.create_cadence(org.desk, name="Enterprise intro", by=org.mia)
    ab = domain.StepData(
        type="email",
        variants=[
            domain.VariantData(subject="A", body="a", label="A"),
            domain.VariantData(subject="B", body="b", label="B"),
        ],
    )
    domain.save_steps(cadence, [domain.StepData(type="call"), ab], by=org.mia)
    activate(cadence, org.mia)
    call, mail = cadence.current().steps.order_by("position")
    a, b = mail.variants.order_by("label")
    for n in range(4):
        enrollment = domain.enrol(LeadFactory(owner=org.alice), cadence, by=org.alice)
        StepRun.objects.create(enrollment=enrollment, step=call, outcome="done", connected=n < 2)
        StepRun.objects.create(
            enrollment=enrollment,
            step=mail,
            outcome="sent",
            variant=a if n % 2 else b,
            replied_at=enrollment.enrolled_at if n == 1 else None,
        )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "mia@example.com")
    page.goto(f"{live_server.url}/cadences/{cadence.pk}/")
    page.get_by_role("link", name="Analytics per step").click()
    expect(page.get_by_role("heading", name="Enterprise intro")).to_be_visible()
    expect(page.locator("tr[data-step='1'] td").nth(6)).to_have_text(re.compile(r"^50\W*%$"))
    expect(page.locator("tr[data-variant='A'] td").nth(4)).to_have_text(re.compile(r"^50\W*%$"))
    expect(page.locator("tr[data-variant='B'] td").nth(4)).to_have_text(re.compile(r"^0\W*%$"))
    page.screenshot(path=str(live_server_artifact("cadence-analytics.png")), full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cadences").click()
    page.get_by_role("link", name="The team's days off and public holidays").click()
    expect(
        page.get_by_text("Alternative holiday for National Foundation Day").first
    ).to_be_visible()
    page.get_by_label("Day:").fill("2026-12-24")
    page.get_by_label("Label").fill("Year-end offsite")
    page.get_by_role("button", name="Add the day off").click()
    expect(page.get_by_text("Day off added.")).to_be_visible()
    expect(
        page.locator("tr[data-day='2026-12-24']").get_by_text("Year-end offsite")
    ).to_be_visible()
    page.screenshot(path=str(live_server_artifact("days-off.png")), full_page=True)
    page.locator("tr[data-day='2026-12-24']").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("No day off yet.")).to_be_visible()


def test_an_sdr_composes_the_email_step_sent_by_hand(page, live_server, org, smtp, team_mail):  # noqa: F811
    from .cadence_helpers import activate

    cadence = domain.create_cadence(org.desk, name="By hand", by=org.mia)
    step = domain.StepData(
        type="email",
        manual=True,
        variants=[
            domain.VariantData(subject="About {{ company }}", body="Dear {{ first_name }},\n\nHi.")
        ],
    )
    domain.save_steps(cadence, [step], by=org.mia)
    activate(cadence, org.mia)
    lead = LeadFactory(
        owner=org.alice,
        first_name="Hana",
        email="hana@hanbit.example",
        account=AccountFactory(name="Hanbit Logistics"),
    )
    enrollment = domain.enrol(lead, cadence, by=org.alice)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/cadences/enrollments/{enrollment.pk}/compose/")
    expect(page.get_by_label("Subject")).to_have_value("About Hanbit Logistics")
    expect(page.get_by_label("Text")).to_have_value("Dear Hana,\n\nHi.")
    page.get_by_label("Text").fill("Dear Hana,\n\nAs we said on the phone.")
    page.screenshot(path=str(live_server_artifact("cadence-compose.png")), full_page=True)
    page.get_by_role("button", name="Send the e-mail").click()
    expect(page.get_by_text("E-mail sent to")).to_be_visible()
    [sent] = smtp.messages
    assert "As we said on the phone." in sent.get_body(("plain",)).get_content()
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_manager_sets_the_mail_settings_and_an_sdr_connects_a_mailbox(page, live_server, org):
    from cadences.models import CadenceSettings, Mailbox

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "mia@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cadences").click()
    page.get_by_role("link", name="Sending window, caps and mail server").click()
    page.get_by_label("Sending window starts").fill("10:00")
    page.get_by_label("Sending window ends").fill("09:00")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The sending window ends after it starts.")).to_be_visible()
    page.get_by_label("Sending window ends").fill("17:00")
    page.get_by_label("E-mails per mailbox per hour").fill("25")
    page.get_by_label("Cadence mail is advertising").check()
    page.get_by_label("SMTP server").fill("smtp.desk.example")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_label("Sending window starts")).to_have_value("10:00")
    page.screenshot(path=str(live_server_artifact("cadence-mail-settings.png")), full_page=True)
    saved = CadenceSettings.of(org.desk)
    assert saved.advertising and saved.emails_per_hour == 25 and saved.smtp_host

    page.context.clear_cookies()
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Your mailbox for cadence e-mail").click()
    expect(page.get_by_text("smtp.desk.example:587")).to_be_visible()
    page.get_by_label("E-mail").fill("alice@desk.example")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Save the mailbox").click()
    expect(page.get_by_text("Mailbox saved.")).to_be_visible()
    expect(page.get_by_text("stored, encrypted")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_have_value("")
    assert "s3cret-pass" not in page.content()
    page.screenshot(path=str(live_server_artifact("cadence-mailbox.png")), full_page=True)
    assert Mailbox.objects.get(sdr=org.alice).password() == "s3cret-pass"
