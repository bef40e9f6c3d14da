from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import Segment
from sdr_ops import limits
from sdr_ops.models import Role, User

from .models import Certainty, RejectionReason


class HandoffForm(forms.Form):
    certainty = forms.ChoiceField(
        label=_("Certainty"),
        choices=Certainty.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A: budget, authority, need and timing all point to a deal. C: worth a "
            "visit, but much is open."
        ),
    )
    to_ae = forms.ModelChoiceField(
        label=_("Sales rep (AE)"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    comment = forms.CharField(
        label=_("Handoff comment"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The customer's real problem, and what the AE should know before the first visit."
        ),
    )
    override_reason = forms.CharField(
        label=_("Override the valve because"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Managers only: hand off to an AE who does not take this certainty now."),
    )

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_ae"].queryset = User.objects.filter(role=Role.AE, is_active=True)
        self.fields["to_ae"].label_from_instance = lambda ae: str(ae)
        if not can_override:
            del self.fields["override_reason"]


class AcceptForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount at creation"), min_value=1, max_digits=14, decimal_places=2
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *RejectionReason.choices])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for \u201cother\u201d and \u201cinsufficient qualification\u201d."),
    )


class CapacityForm(forms.Form):
    normal = forms.IntegerField(
        label=_("Normal capacity (open deals at once)"), min_value=0, max_value=500
    )
    segment = forms.ChoiceField(
        label=_("Segment covered"), required=False, choices=[("", _("Any"))] + list(Segment.choices)
    )


class ReductionForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity during the period"), min_value=0, max_value=500)
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("Until (inclusive, empty: open-ended)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=limits.SHORT)
