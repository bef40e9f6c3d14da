"""The skeleton's main journey in real Chromium: log in, find your pages, use the phone menu,
log out."""

import pytest
from playwright.sync_api import expect

from .factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_sdr_logs_in_sees_own_pages_and_logs_out(page, live_server, org):
    log_in(page, live_server, "alice@example.com")
    expect(page).to_have_url(f"{live_server.url}/today/")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_text("No call list was built for you today.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Leads")).to_be_visible()
    expect(nav.get_by_role("link", name="Dashboards")).to_have_count(0)
    expect(nav.get_by_role("link", name="Inbox")).to_have_count(0)
    # htmx is served by the app itself and loaded.
    assert page.evaluate("typeof window.htmx") == "object"
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    assert page.csp_violations == []


def test_manager_uses_the_phone_menu(browser, live_server, org):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="en-US")
    page = context.new_page()
    log_in(page, live_server, "mia@example.com")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_text("Menu").click()
    expect(nav.get_by_role("link", name="Dashboards")).to_be_visible()
    nav.get_by_role("link", name="Dashboards").click()
    expect(page.get_by_role("heading", name="Dashboards")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways at phone width"
    page.screenshot(path=str(live_server_artifact("phone-menu.png")))
    context.close()


def live_server_artifact(name: str):
    from .helpers import ROOT

    folder = ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder / name
