from django import forms
from django.utils.translation import gettext_lazy as _


class SettingsForm(forms.Form):
    min_decided = forms.IntegerField(
        label=_("Decided handoffs needed before the score learns"), min_value=20, max_value=100000
    )
    a_from = forms.FloatField(label=_("Certainty A from score"), min_value=0, max_value=1)
    b_from = forms.FloatField(label=_("Certainty B from score"), min_value=0, max_value=1)

    def clean(self):
        data = super().clean()
        if "a_from" in data and "b_from" in data and data["b_from"] > data["a_from"]:
            raise forms.ValidationError(_("The score for B must be at most the score for A."))
        return data
