"""Log in, log out, change and reset a password."""

import re

from django.core import mail
from django.urls import reverse


def test_login_with_email_and_password_lands_on_the_role_page(client, org, password):
    response = client.post(
        reverse("login"), {"username": "alice@example.com", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("today")
    assert b"Alice" in response.content


def test_wrong_password_says_so_and_logs_nobody_in(client, org):
    response = client.post(reverse("login"), {"username": "alice@example.com", "password": "x"})
    assert response.status_code == 200
    assert b"correct email" in response.content.lower() or b"e-mail" in response.content.lower()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client, org):
    client.force_login(org.alice)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("today")).status_code == 302


def test_password_change(client, org, password):
    client.force_login(org.alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-new-long-pw-2026",
            "new_password2": "a-new-long-pw-2026",
        },
    )
    assert response.url == reverse("password_change_done")
    org.alice.refresh_from_db()
    assert org.alice.check_password("a-new-long-pw-2026")


def test_password_reset_sends_a_link_that_sets_a_new_password(client, org):
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "reset-pw-2026-ok", "new_password2": "reset-pw-2026-ok"}
    )
    assert response.url == reverse("password_reset_complete")
    org.alice.refresh_from_db()
    assert org.alice.check_password("reset-pw-2026-ok")


def test_profile_shows_role_team_and_its_settings(client, org, django_assert_num_queries):
    client.force_login(org.alice)
    # 1 session, 2 user with their team, 3 token
    with django_assert_num_queries(3):
        response = client.get(reverse("profile"))
    assert b"Enterprise Desk" in response.content
    assert b"15 minutes" in response.content
