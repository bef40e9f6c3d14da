"""Each role sees its own pages and navigation; everything else is 404; anonymous goes to login."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sdr_ops.models import Role
from sdr_ops.navigation import PAGES

EXPECTED_NAV = {
    Role.SDR: {"today", "tomorrow", "lead-list", "my-feedback", "praise-feed", "insights"},
    Role.MANAGER: {
        "lead-list",
        "call-list-rules",
        "cadence-list",
        "call-list-adherence",
        "capacity",
        "review-desk",
        "praise-feed",
        "insights",
        "dashboards",
        "certainty-calibration",
        "team-settings",
    },
    Role.AE: {"ae-inbox", "opportunities", "capacity", "praise-feed", "insights"},
    Role.STAKEHOLDER: {"praise-feed", "insights", "dashboards"},
    Role.ADMIN: {page.name for page in PAGES} | {"admin"},
}
HOME = {
    Role.SDR: "today",
    Role.MANAGER: "lead-list",
    Role.AE: "ae-inbox",
    Role.STAKEHOLDER: "praise-feed",
    Role.ADMIN: "today",
}


def nav_entries(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-nav="([\w-]+)"', html)) - {"profile"}


@pytest.mark.parametrize("role", list(EXPECTED_NAV))
def test_each_role_sees_its_own_navigation_and_not_the_others(client, org, role):
    client.force_login(org.by_role()[role])
    response = client.get(reverse("praise-feed"))
    assert response.status_code == 200
    assert nav_entries(response.content.decode()) == EXPECTED_NAV[role]


@pytest.mark.parametrize("role", list(HOME))
def test_home_sends_each_role_to_its_first_page(client, org, role):
    client.force_login(org.by_role()[role])
    assert client.get("/").url == reverse(HOME[role])


@pytest.mark.parametrize("role", [r for r in EXPECTED_NAV if r != Role.ADMIN])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_outside_a_role_answer_404(client, org, role, page):
    client.force_login(org.by_role()[role])
    response = client.get(reverse(page.name))
    assert response.status_code == (200 if page.name in EXPECTED_NAV[role] else 404)


def _page_urls():
    """Every non-API, non-admin URL of the project that takes no arguments."""
    urls = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and not p.pattern.converters:
                urls.append("/" + prefix + str(p.pattern).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    public = (
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/reset/",
        "/healthz",
        "/metrics",  # for the monitoring's addresses or token (tests/test_monitoring.py)
        "/api/",
    )
    return sorted(
        u
        for u in set(urls)
        if not u.startswith(("/admin/", *public)) and "(?P" not in u and "<" not in u
    )


@pytest.mark.parametrize("url", _page_urls())
def test_anonymous_visitors_are_sent_to_login_from_every_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302, url
    assert response.url.startswith(reverse("login"))


def test_anonymous_visitors_reach_the_login_and_reset_pages(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200


def test_admin_is_reachable_by_admins_only(client, org):
    client.force_login(org.root)
    assert client.get("/admin/").status_code == 200
    client.force_login(org.mia)
    assert client.get("/admin/").status_code == 302  # Django admin's own login, not ours


def test_pages_send_a_content_security_policy_without_inline_scripts(client, org):
    client.force_login(org.alice)
    response = client.get(reverse("today"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content


def test_htmx_requests_carry_the_csrf_token(client, org):
    client.force_login(org.alice)
    html = client.get(reverse("today")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx.min.js" in html
