from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import Segment
from sdr_ops import limits
from sdr_ops.amounts import AmountField
from sdr_ops.calendar import FIRST_YEAR, LAST_YEAR
from sdr_ops.converters import MAX_ID
from sdr_ops.models import Role, User

from .domain.coaching import BODY_LENGTH
from .models import Certainty, CoachingNote, Handoff, Opportunity, RejectionReason


class CurrencyForm(forms.Form):
    """A form whose amount fields read amounts in the given currency (the viewer's team's)."""

    def __init__(self, *args, currency: str = "KRW", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, AmountField):
                field.currency = currency


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
    certainty_reason = forms.CharField(
        label=_("Why you declare a higher certainty than the evidence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when your pick is above the computed certainty."),
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


class AcceptForm(CurrencyForm):
    amount = AmountField(label=_("Amount at creation"), help_text=_("As 1,200,000."))


class AmountForm(CurrencyForm):
    amount = AmountField(label=_("Revised amount"))


class WonForm(CurrencyForm):
    amount_at_close = AmountField(label=_("Won at"))


class CorrectAmountForm(CurrencyForm):
    """The amount at creation corrected: a manager gives the reason (after 24 hours)."""

    amount = AmountField(label=_("Correct amount at creation"))
    reason = forms.CharField(
        label=_("Why it is corrected"),
        required=False,
        max_length=500,
        help_text=_("Required from a manager, once the AE's 24 hours have passed."),
    )


class PlanForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Opportunity.Stage.choices)
    expected_close = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=200)

    def clean_expected_close(self):
        day = self.cleaned_data.get("expected_close")
        if day is not None and not 1900 <= day.year <= 2100:
            raise forms.ValidationError(_("Give a date between the years 1900 and 2100."))
        return day


class RejectForm(CurrencyForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *RejectionReason.choices])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “other” and “insufficient qualification”."),
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


class BoundedIdsField(forms.ModelMultipleChoiceField):
    """Rows ticked by id; an id that is no number a row can have is refused before the
    database sees it (a huge one overflowed the query: a 500)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk)
            if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class CoachingNoteForm(forms.Form):
    """A coaching note or 1:1 record on the coaching page (handoffs.domain.coaching)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CoachingNote.Kind.choices)
    met_on = forms.DateField(
        label=_("Day of the 1:1"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    body = forms.CharField(
        label=_("Note (the SDR reads it too; nobody else does)"),
        max_length=BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    handoffs = BoundedIdsField(
        label=_("Handoffs discussed"),
        queryset=Handoff.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, handoffs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handoffs"].queryset = handoffs
        self.fields["handoffs"].label_from_instance = lambda h: (
            f"{h.lead.account.name} · {h.created_at:%Y-%m-%d}"
        )

    def clean_met_on(self):
        day = self.cleaned_data.get("met_on")
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a day between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


class PraiseForm(forms.Form):
    """What a share in the praise feed carries, as typed. The domain checks it
    (handoffs.domain.reviews): this form keeps the values and shows its errors beside them
    when the share comes back refused."""

    note = forms.CharField(required=False, strip=False)
    excerpt = forms.CharField(required=False, strip=False)


class ReviewForm(PraiseForm):
    """A review on the desk, as typed, with a note field per checklist item of the handoff;
    checked by handoffs.domain.reviews.record_review, which refuses it whole."""

    rating = forms.CharField(required=False)
    feedback = forms.CharField(required=False, strip=False)
    share = forms.BooleanField(required=False)

    def __init__(self, *args, checklist: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for row in checklist:
            self.fields[f"note-{row.get('item')}"] = forms.CharField(required=False, strip=False)

    def item_notes(self) -> dict[str, str]:
        return {
            row.get("item"): self.cleaned_data.get(f"note-{row.get('item')}", "")
            for row in self.checklist
        }

    def rows(self) -> list[tuple[dict, forms.BoundField]]:
        """Each checklist row with its note field, for the template."""
        return [(row, self[f"note-{row.get('item')}"]) for row in self.checklist]
