import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Weekday


class AvailabilityForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    meeting_minutes = forms.IntegerField(
        label=_("First meeting length (minutes)"), min_value=10, max_value=240
    )
    weekly_limit = forms.IntegerField(
        label=_("First meetings a week at most"),
        min_value=0,
        max_value=200,
        required=False,
        help_text=_("Empty: as many as the working hours hold."),
    )
    caldav_url = forms.URLField(label=_("CalDAV calendar URL"), required=False, max_length=500)
    caldav_username = forms.CharField(label=_("CalDAV user name"), required=False, max_length=150)
    caldav_password = forms.CharField(
        label=_("CalDAV password"),
        required=False,
        max_length=150,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Empty: keep the one saved."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        for day in Weekday:
            self.fields[f"start_{day.value}"] = forms.TimeField(
                label=_("%(day)s from") % {"day": day.label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"end_{day.value}"] = forms.TimeField(
                label=_("%(day)s until") % {"day": day.label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def days(self):
        return [(day, self[f"start_{day.value}"], self[f"end_{day.value}"]) for day in Weekday]

    def hours(self) -> dict:
        data = self.cleaned_data
        return {
            day.value: (data[f"start_{day.value}"], data[f"end_{day.value}"])
            if data.get(f"start_{day.value}") and data.get(f"end_{day.value}")
            else None
            for day in Weekday
        }

    def settings(self) -> dict:
        keys = ["time_zone", "meeting_minutes", "weekly_limit", "caldav_url", "caldav_username"]
        values = {key: self.cleaned_data[key] for key in keys}
        values["caldav_url"] = values["caldav_url"] or ""
        if self.cleaned_data["caldav_password"]:
            values["caldav_password"] = self.cleaned_data["caldav_password"]
        return values
