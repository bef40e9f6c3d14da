"""Forms of the organisation's own pages."""

from django.contrib.auth import forms as auth_forms

from .models import User


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
