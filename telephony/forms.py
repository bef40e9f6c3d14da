from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import Segment


class LeadFromCallForm(forms.Form):
    company = forms.CharField(label=_("Company"), max_length=200)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices, initial=Segment.SMB)
