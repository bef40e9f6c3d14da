"""The forms of the team's cadence mail settings (its manager's) and of an SDR's own mailbox.
A mailbox's password field and a provider's key field start empty every time: what is stored
is never shown back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .domain.mail_settings import FIELDS
from .models import CadenceSettings, Mailbox


def _secret_field(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class MailSettingsForm(forms.ModelForm):
    provider_key = _secret_field(
        _("API key"),
        _(
            "For Postmark, the server token. Leave empty to keep the key stored; it is "
            "never shown back."
        ),
    )
    forget_provider_key = forms.BooleanField(label=_("Remove the stored key"), required=False)

    class Meta:
        model = CadenceSettings
        fields = FIELDS
        widgets = {
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in FIELDS} | {
            "provider_key": data["provider_key"],
            "forget_provider_key": data["forget_provider_key"],
        }


class MailboxForm(forms.ModelForm):
    password = _secret_field(
        _("Password"), _("Leave empty to keep the password stored; it is never shown back.")
    )
    forget_password = forms.BooleanField(label=_("Remove the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = ["address", "username"]
        help_texts = {"username": _("Empty: the e-mail address.")}

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "address": data["address"],
            "username": data["username"] or data["address"],
            "password": data["password"],
            "forget_password": data["forget_password"],
        }
