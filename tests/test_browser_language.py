"""An SDR switches the app to Korean in their profile and works the Today page in Korean."""

import pytest
from playwright.sync_api import expect

from .test_browser_skeleton import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sdr_switches_to_korean_in_the_profile(page, live_server, org):
    log_in(page, live_server, "alice@example.com")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.goto(f"{live_server.url}/account/")
    page.get_by_label("Language of the app").select_option("ko")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("언어를 저장했습니다.")).to_be_visible()

    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="오늘").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("오늘")
    expect(page.get_by_text("오늘은 만들어진 콜 리스트가 없습니다.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.screenshot(path=str(live_server_artifact("today-ko.png")), full_page=True)

    # The choice sticks across logins, whatever the browser asks for.
    page.get_by_role("button", name="로그아웃").click()
    log_in_korean = page.get_by_label("E-mail address").or_(page.get_by_label("이메일 주소"))
    expect(log_in_korean).to_be_visible()
    log_in(page, live_server, "alice@example.com")
    expect(page.get_by_role("heading", level=1)).to_contain_text("오늘")
    assert page.csp_violations == []
