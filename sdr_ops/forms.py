"""Forms and form helpers shared by the apps' views, and the organisation's own forms."""

from decimal import Decimal

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import QUALIFICATION_LABEL_LENGTH, Segment, Team, User
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


# -- a team's settings (sdr_ops.team_settings) -------------------------------------------------

# A ramp longer than a year is not a ramp: the page offers twelve months.
RAMP_MONTHS = 12


def _percent(label, *, high: int = 100, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=high,
        decimal_places=0,
        max_digits=3,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": 1, "class": "short"}),
    )


class QualificationItemForm(forms.Form):
    """One checklist item: its name (kept in every handoff's snapshot) and its labels."""

    item = forms.SlugField(
        label=_("Name"),
        max_length=40,
        allow_unicode=False,
        help_text=_("Lower case, e.g. budget; a new name starts a new item."),
    )
    label_en = forms.CharField(
        label=_("Label in English"), max_length=QUALIFICATION_LABEL_LENGTH, required=False
    )
    label_ko = forms.CharField(
        label=_("Label in Korean"), max_length=QUALIFICATION_LABEL_LENGTH, required=False
    )


class BaseQualificationItemFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        names = [f.cleaned_data["item"] for f in self.kept_forms()]
        if not names:
            raise ValidationError(_("The checklist needs at least one item."))
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValidationError(
                _("Each item once: %(items)s appears twice.") % {"items": ", ".join(doubled)}
            )

    def kept_forms(self) -> list[forms.Form]:
        """The filled rows not marked for removal, in the order shown."""
        return [
            f
            for f in self.forms
            if f.cleaned_data.get("item") and not (self.can_delete and self._should_delete_form(f))
        ]

    def items_and_labels(self) -> tuple[list[str], dict]:
        items, labels = [], {}
        for f in self.kept_forms():
            data = f.cleaned_data
            items.append(data["item"])
            own = {code: data[f"label_{code}"].strip() for code in ("en", "ko")}
            own = {code: text for code, text in own.items() if text}
            if own:
                labels[data["item"]] = own
        return items, labels


QualificationItemFormSet = forms.formset_factory(
    QualificationItemForm,
    formset=BaseQualificationItemFormSet,
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
)

TRANSITION_LABELS = {
    "new->working": _("New → working"),
    "working->connected": _("Working → connected"),
    "connected->handed_off": _("Connected → handed off"),
    "handed_off->opportunity": _("Handed off → opportunity"),
    "opportunity->won": _("Opportunity → won"),
}


class TeamSettingsForm(forms.Form):
    """Every setting of the method a manager changes, in the units a manager thinks in:
    percentages for shares, minutes, days. `values()` gives them as the Team stores them."""

    ratio_band_low = _percent(_("Ratio band, low (%)"))
    ratio_band_high = _percent(_("Ratio band, high (%)"))
    max_talk_minutes = forms.IntegerField(
        label=_("Maximum talk time (minutes)"), min_value=1, max_value=240
    )
    call_list_build_time = forms.TimeField(
        label=_("Evening build time"),
        help_text=_("When the next working day's lists are built, in the team's time zone."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    handoff_response_days = forms.IntegerField(
        label=_("AE response time (working days)"), min_value=1, max_value=30
    )
    patient_segments = forms.MultipleChoiceField(
        label=_("Segments worked patiently"),
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valve_a_or_b_at = _percent(_("Certainty A or B from AE utilisation (%)"), high=999)
    valve_a_only_at = _percent(_("Certainty A only from AE utilisation (%)"), high=999)
    valve_full_at = _percent(_("AE full at utilisation (%)"), high=999)

    def __init__(self, *args, team: Team, **kwargs):
        kwargs.setdefault("initial", self.initial_of(team))
        super().__init__(*args, **kwargs)
        for month in range(RAMP_MONTHS):
            self.fields[f"ramp_{month}"] = _percent(
                _("Month %(n)s (%%)") % {"n": month + 1}, help_text=""
            )
            self.fields[f"ramp_{month}"].required = False
        for key, label in TRANSITION_LABELS.items():
            self.fields[f"window_{key}"] = forms.IntegerField(
                label=label,
                min_value=1,
                max_value=730,
                widget=forms.NumberInput(attrs={"class": "short"}),
            )

    @staticmethod
    def initial_of(team: Team) -> dict:
        initial = {
            name: getattr(team, name)
            for name in (
                "max_talk_minutes",
                "call_list_build_time",
                "handoff_response_days",
                "patient_segments",
            )
        }
        for name in (
            "ratio_band_low",
            "ratio_band_high",
            "valve_a_or_b_at",
            "valve_a_only_at",
            "valve_full_at",
        ):
            initial[name] = round(Decimal(getattr(team, name)) * 100)
        for month, factor in enumerate(team.ramp_factors[:RAMP_MONTHS]):
            initial[f"ramp_{month}"] = round(Decimal(str(factor)) * 100)
        for key, days in team.transition_windows.items():
            initial[f"window_{key}"] = days
        return initial

    def ramp_fields(self) -> list:
        return [self[f"ramp_{month}"] for month in range(RAMP_MONTHS)]

    def window_fields(self) -> list:
        return [self[f"window_{key}"] for key in TRANSITION_LABELS]

    def clean(self):
        data = super().clean()
        ramp = [data.get(f"ramp_{month}") for month in range(RAMP_MONTHS)]
        while ramp and ramp[-1] is None:
            ramp.pop()
        if None in ramp:
            self.add_error(
                f"ramp_{ramp.index(None)}",
                _("Fill every month up to the last one, or leave the later ones empty."),
            )
        low, high = data.get("ratio_band_low"), data.get("ratio_band_high")
        if low is not None and high is not None and low >= high:
            self.add_error("ratio_band_high", _("The high end must be above the low end."))
        valve = [data.get(n) for n in ("valve_a_or_b_at", "valve_a_only_at", "valve_full_at")]
        if None not in valve and not valve[0] <= valve[1] <= valve[2]:
            self.add_error(
                "valve_a_only_at",
                _("The valve thresholds must rise: A or B, then A only, then full."),
            )
        return data

    def values(self) -> dict:
        """The cleaned settings as the Team stores them (Decimal shares, float factors)."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "max_talk_minutes",
                "call_list_build_time",
                "handoff_response_days",
                "patient_segments",
            )
        }
        for name in (
            "ratio_band_low",
            "ratio_band_high",
            "valve_a_or_b_at",
            "valve_a_only_at",
            "valve_full_at",
        ):
            values[name] = (data[name] / 100).quantize(Decimal("0.01"))
        ramp = [data.get(f"ramp_{month}") for month in range(RAMP_MONTHS)]
        while ramp and ramp[-1] is None:
            ramp.pop()
        values["ramp_factors"] = [float(f) / 100 for f in ramp]
        values["transition_windows"] = {key: data[f"window_{key}"] for key in TRANSITION_LABELS}
        return values
