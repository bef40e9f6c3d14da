"""Setting a password by e-mail: the reset form, open to people who never had a password, and
throttled per address.

Django's reset form leaves out every account whose password is unusable. People imported with
the history or made by an admin start with exactly that, so for them the "Forgot your
password?" link is the first log-in: the form here takes every active account with the
address. Each address gets at most `PASSWORD_RESET_MAILS_PER_HOUR` mails an hour, so the form
cannot be used to flood a colleague's inbox. The page after the form reads the same whether a
mail went out, was held back or no such account exists: it never tells who is in the
organisation.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.utils.crypto import constant_time_compare

from .models import User

WINDOW_SECONDS = 3600


def _throttle_key(email: str) -> str:
    return "password-reset:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def may_send_reset(email: str) -> bool:
    """Counts one reset mail for the address and says whether it is within the hour's limit."""
    key = _throttle_key(email)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        sent = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        sent = 1
    return sent <= settings.PASSWORD_RESET_MAILS_PER_HOUR


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str):
        candidates = User._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in candidates if constant_time_compare(u.email.lower(), email.lower()))

    def save(self, *args, **kwargs) -> None:
        if may_send_reset(self.cleaned_data["email"]):
            super().save(*args, **kwargs)


password_reset = auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)
