"""API tokens (several, named, revocable, ended by a password change) and the password-reset
form (open to people who never had a password, throttled per address, saying the same to all)."""

import re

from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from sdr_ops.models import ApiToken
from sdr_ops.tokens import issue_token, tokens_of

from .factories import PASSWORD


def me(client, key):
    return client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})


def test_a_person_has_several_named_tokens_each_working(client, org):
    _a, key_a = issue_token(org.alice, name="CRM sync")
    _b, key_b = issue_token(org.alice, name="Dialer")
    assert me(client, key_a).status_code == 200
    assert me(client, key_b).status_code == 200
    assert [t.name for t in tokens_of(org.alice)] == ["Dialer", "CRM sync"]


def test_only_the_digest_is_stored(org):
    token, key = issue_token(org.alice, name="CRM sync")
    row = ApiToken.objects.get(pk=token.pk)
    assert key not in (row.digest, row.prefix, row.name)
    assert key.startswith(row.prefix)


def test_use_is_recorded_at_most_once_a_minute(client, org):
    token, key = issue_token(org.alice, name="CRM sync")
    assert me(client, key).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    me(client, key)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_one_token_is_revoked_from_the_account_page_and_the_other_keeps_working(client, org):
    kept, key_kept = issue_token(org.alice, name="CRM sync")
    gone, key_gone = issue_token(org.alice, name="Old laptop")
    client.force_login(org.alice)
    page = client.get(reverse("profile")).content.decode()
    assert "CRM sync" in page and "Old laptop" in page and key_gone not in page
    response = client.post(reverse("revoke-token", args=[gone.pk]), follow=True)
    assert "The token is revoked" in response.content.decode()
    client.logout()
    assert me(client, key_gone).status_code == 401
    assert me(client, key_kept).status_code == 200


def test_nobody_revokes_another_persons_token(client, org):
    token, key = issue_token(org.alice, name="CRM sync")
    client.force_login(org.mia)
    assert client.post(reverse("revoke-token", args=[token.pk])).status_code == 404
    client.logout()
    assert me(client, key).status_code == 200


def test_a_password_change_revokes_every_token(client, org):
    _a, key_a = issue_token(org.alice, name="CRM sync")
    _b, key_b = issue_token(org.alice, name="Dialer")
    client.force_login(org.alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-pass-2026!",
            "new_password2": "a-new-pass-2026!",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert me(client, key_a).status_code == 401
    assert me(client, key_b).status_code == 401
    org.alice.refresh_from_db()
    assert tokens_of(org.alice) == []


def test_a_new_token_needs_a_name_within_its_length(client, org):
    client.force_login(org.alice)
    for name in ["", "   ", "x" * 101]:
        response = client.post(reverse("create-token"), {"name": name}, follow=True)
        assert response.status_code == 200
        assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_showing_a_new_key_is_never_stored(client, org):
    client.force_login(org.alice)
    response = client.post(reverse("create-token"), {"name": "CRM sync"}, follow=True)
    assert "no-store" in response.headers["Cache-Control"]
    key = re.search(r'data-testid="api-token">([^<]+)<', response.content.decode()).group(1)
    assert me(client.__class__(), key).status_code == 200
    assert key not in client.get(reverse("profile")).content.decode()


def reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_someone_who_never_had_a_password_sets_one_through_the_reset_form(client, org):
    org.bob.set_unusable_password()
    org.bob.save()
    cache.clear()
    assert reset(client, "BOB@example.com").status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.com"]
    form = client.get(link_in(mail.outbox[0]), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "first-pass-2026!", "new_password2": "first-pass-2026!"},
    )
    assert done.status_code == 302
    client.logout()
    response = client.post(
        reverse("login"), {"username": "bob@example.com", "password": "first-pass-2026!"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_reset_mails_are_throttled_per_address_and_the_page_says_the_same(client, org, settings):
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 2
    cache.clear()
    answers = [reset(client, "alice@example.com") for _ in range(4)]
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 2
    # Another address has its own allowance; an unknown one gets the same answer and no mail.
    assert reset(client, "bob@example.com")["Location"] == reverse("password_reset_done")
    assert reset(client, "nobody@example.com")["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 3
