"""API tokens: several per person, named, each revocable, all revoked by a password change.

A key is `sdr_` and 43 random URL-safe characters. The database keeps its SHA-256 digest, so a
copy of the database holds no usable key; the person sees the key once, on the page that
makes it (sent with `Cache-Control: no-store`). Each token carries a mark derived from the
owner's password hash at the time it was made: once the password changes, by any path (the
account page, the reset link, the admin, a management command), the marks differ and every
earlier token stops working, the way Django's own sessions end on a password change.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken, User

KEY_PREFIX = "sdr_"
# How stale `last_used_at` may get: one write a minute per token, not one per request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_mark(user: User) -> str:
    return salted_hmac("sdr_ops.api-token", user.password, algorithm="sha256").hexdigest()


def is_current(token: ApiToken) -> bool:
    """Whether the token was made under its owner's present password."""
    return constant_time_compare(token.password_mark, password_mark(token.user))


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    mark = password_mark(user)
    return [t for t in ApiToken.objects.filter(user=user) if t.password_mark == mark]


@transaction.atomic
def issue_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """Makes a token named `name` for `user` and returns it with its key (shown once).
    Tokens left over from an earlier password are deleted on the way."""
    mark = password_mark(user)
    ApiToken.objects.filter(user=user).exclude(password_mark=mark).delete()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:10], digest=digest(key), password_mark=mark
    )
    return token, key


def revoke_token(user: User, *, token_id: int) -> bool:
    """Deletes one of the person's own tokens; False when there is no such token of theirs."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against the digests of the tokens above."""

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None or not is_current(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
