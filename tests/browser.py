"""Real Chromium for browser tests, driven by Playwright.

The browser is the system's Chromium (Debian's package), never one downloaded by a test tool.
Set CHROMIUM to its path when it is not on the PATH as `chromium`.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium for the browser tests: install Debian's chromium")
        pytest.skip("no Chromium installed (apt-get install chromium, or set CHROMIUM)")
    from playwright.sync_api import sync_playwright

    # Playwright keeps an event loop in this thread; the test code around it is synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda m: (
            page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    page.set_default_timeout(10_000)
    yield page
    context.close()
