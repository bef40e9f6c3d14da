"""Forms and form helpers shared by the apps' views, and the organisation's own forms."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from .models import User
from .throttle import may_send_reset


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a domain ValidationError on the form: each message next to its field when the
    form has that field, else at the top of the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, also for people who have never logged in and have no password yet
    (the history import creates them so): their first password is chosen through it. Django's
    own form skips everyone without a usable password, so they could never log in."""

    def get_users(self, email: str):
        users = User.objects.filter(email__iexact=email, is_active=True)
        return (
            user
            for user in users
            if (user.has_usable_password() or user.last_login is None)
            and user.email.casefold() == email.casefold()
        )

    def save(self, *args, **kwargs) -> None:
        # Each address gets a few mails an hour; the page after the form reads the same whether
        # a mail went out, was held back or no such account exists.
        if may_send_reset(self.cleaned_data["email"]):
            super().save(*args, **kwargs)
