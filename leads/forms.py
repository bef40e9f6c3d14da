from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Segment, Source, Stage

ANY = [("", _("Any"))]


class LeadFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, company, e-mail, phone"),
            }
        ),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=ANY + Stage.choices)
    segment = forms.ChoiceField(label=_("Segment"), required=False, choices=ANY + Segment.choices)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=ANY + Source.choices)
    owner = forms.TypedChoiceField(
        label=_("Owner"), required=False, coerce=int, empty_value=None, choices=ANY
    )
    last_touch = forms.ChoiceField(
        label=_("Last touch"),
        required=False,
        choices=ANY
        + [
            ("never", _("Never touched")),
            ("today", _("Touched today")),
            ("7d", _("Touched in the last 7 days")),
            ("quiet7", _("Quiet for 7+ days")),
            ("quiet30", _("Quiet for 30+ days")),
        ],
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = ANY + [(u.pk, str(u)) for u in owners]

    def filters(self) -> dict:
        """The valid filters as keyword arguments for queries.filter_leads."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
