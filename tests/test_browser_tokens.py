"""A person makes two API tokens on the account page, copies the key shown once, revokes one,
and the script using the other keeps working; a colleague who guesses wrong is asked to wait."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tokens_are_made_shown_once_and_revoked_on_the_account_page(page, live_server, org):
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/account/")
    for name in ["CRM sync", "Old laptop"]:
        page.get_by_label("Name of the new token").fill(name)
        page.get_by_role("button", name="Create an API token").click()
        expect(page.get_by_text("shown this once")).to_be_visible()
        key = page.get_by_test_id("api-token").inner_text()
        if name == "CRM sync":
            kept = key
    expect(page.get_by_test_id("token-row")).to_have_count(2)
    page.screenshot(path=str(live_server_artifact("account-tokens.png")), full_page=True)

    page.reload()
    expect(page.get_by_test_id("api-token")).to_have_count(0)  # shown once only
    page.get_by_test_id("token-row").filter(has_text="Old laptop").get_by_role(
        "button", name="Revoke"
    ).click()
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    expect(page.get_by_test_id("token-row")).to_have_count(1)

    script = Client()
    assert script.get("/api/v1/me/", headers={"Authorization": f"Token {key}"}).status_code == 401
    assert script.get("/api/v1/me/", headers={"Authorization": f"Token {kept}"}).status_code == 200
    assert page.csp_violations == []


def test_wrong_passwords_ask_for_a_wait_not_a_lock(page, live_server, org):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        page.get_by_label("E-mail address").fill("bob@example.com")
        page.get_by_label("Password").fill("not-it")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("login-wait")).to_have_text("Try again in 30 seconds.")
    page.screenshot(path=str(live_server_artifact("login-wait.png")), full_page=True)
