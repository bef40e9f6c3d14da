"""The SDR's cadence forms: enrol a lead (one or the ticked ones), pause, finish, save the
lead list's filters as an audience. Cadences are picked from a list read once, never looked
up by the id as typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.forms import BULK_MAX, IdListField

from .models import Enrollment

# The reasons an SDR finishes an enrollment for by hand; the others are the app's to give
# (a reply read, an opt-out, a bounce, the steps run out, the checklist complete).
FINISH_REASONS = [
    Enrollment.Reason.MANUAL,
    Enrollment.Reason.REPLIED,
    Enrollment.Reason.DISQUALIFIED,
]


class CadenceChoiceField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)


class _WithCadences(forms.Form):
    def __init__(self, *args, cadences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cadences = {c.pk: c for c in cadences}
        self.fields["cadence"].choices = [("", _("(choose a cadence)"))] + [
            (pk, c.name) for pk, c in self.cadences.items()
        ]

    def clean_cadence(self):
        pk = self.cleaned_data.get("cadence")
        if pk is None:
            raise forms.ValidationError(_("Choose a cadence."))
        return self.cadences[pk]


class EnrolForm(_WithCadences):
    cadence = CadenceChoiceField(label=_("Cadence"), required=False)


class BulkEnrolForm(_WithCadences):
    leads = IdListField(
        label=_("Leads"), error_messages={"required": _("Tick the leads to act on first.")}
    )
    cadence = CadenceChoiceField(label=_("Cadence"), required=False)

    def clean_leads(self):
        ids = self.cleaned_data["leads"]
        if len(ids) > BULK_MAX:
            raise forms.ValidationError(_("At most %(n)s leads at once.") % {"n": BULK_MAX})
        return ids


class AudienceForm(_WithCadences):
    cadence = CadenceChoiceField(label=_("Cadence"), required=False)
    audience_name = forms.CharField(label=_("Audience name"), max_length=120)


class PauseForm(forms.Form):
    why = forms.CharField(label=_("Why pause"), max_length=200)
    until = forms.DateField(
        label=_("Resume on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to resume by hand."),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is not None and self.today is not None and until <= self.today:
            raise forms.ValidationError(_("Pick a day after today."))
        return until


class FinishForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why finish"),
        choices=[(r.value, r.label) for r in FINISH_REASONS],
    )
