"""Pages beside the cadence editor: the team's days off (for its manager) and the compose
form of an e-mail step sent by hand (for the enrollment's SDR)."""

import datetime

import holidays
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sdr_ops import calendar
from sdr_ops.access import role_required, team_for
from sdr_ops.models import Role, TeamDayOff

from . import access
from .domain import compose
from .domain.enrolment import NotOpen


class DayOffForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=gettext_lazy("Label"), max_length=120, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not calendar.FIRST_YEAR <= day.year <= calendar.LAST_YEAR:
            raise ValidationError(_("Give a day between 1900 and 2100."))
        return day


def public_holidays(country: str, years: list[int]) -> list[dict]:
    """The country's public holidays in the years, named in the reader's language, each
    marked when it is a substitute holiday (the `holidays` package's "alternative" days)."""
    if not country or country not in holidays.list_supported_countries():
        return []
    english = holidays.country_holidays(country, years=years, language="en_US")
    supported = getattr(holidays.country_holidays(country), "supported_languages", ())
    language = next(
        (code for code in supported if code.split("_")[0] == (get_language() or "en")[:2]),
        "en_US",
    )
    named = holidays.country_holidays(country, years=years, language=language)
    return [
        {
            "day": day,
            "name": named.get(day, name),
            "substitute": "alternative" in name.lower() or "substitute" in name.lower(),
        }
        for day, name in sorted(english.items())
    ]


@role_required(Role.MANAGER)
def days_off(request: HttpRequest) -> HttpResponse:
    team = team_for(request.user, request.GET.get("team"))
    form = DayOffForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST" and request.POST.get("action") == "remove":
        pk = str(request.POST.get("day_off", ""))
        if pk.isdigit() and len(pk) < 12:
            TeamDayOff.objects.filter(team=team, pk=int(pk)).delete()
        return redirect(request.get_full_path())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                TeamDayOff.objects.create(
                    team=team, day=form.cleaned_data["day"], name=form.cleaned_data["name"]
                )
        except IntegrityError:
            form.add_error("day", _("This day is a day off already."))
        else:
            messages.success(request, _("Day off added."))
            return redirect(request.get_full_path())
    year = team.local_today().year
    return render(
        request,
        "cadences/days_off.html",
        {
            "team": team,
            "form": form,
            "days_off": TeamDayOff.objects.filter(team=team, day__gte=datetime.date(year, 1, 1)),
            "holidays": public_holidays(team.country, [year, year + 1]),
            "years": (year, year + 1),
        },
    )


class ComposeForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 12})
    )


@role_required(Role.SDR)
def compose_step(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = access.enrollment_for(request.user, pk)
    if enrollment.sdr_id != request.user.pk:
        raise Http404  # the mail leaves from the SDR's own mailbox
    try:
        step, subject, text = compose.draft(enrollment)
    except NotOpen as error:
        return render(
            request,
            "cadences/compose.html",
            {"enrollment": enrollment, "closed": " ".join(error.messages)},
            status=409 if request.method == "POST" else 200,
        )
    form = ComposeForm(request.POST or None, initial={"subject": subject, "body": text})
    if request.method == "POST" and form.is_valid():
        try:
            compose.send_manual(
                enrollment,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["body"],
                by=request.user,
            )
        except NotOpen as error:
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("E-mail sent to %(lead)s.") % {"lead": enrollment.lead})
            return redirect("lead-brief", enrollment.lead_id)
    return render(
        request,
        "cadences/compose.html",
        {"enrollment": enrollment, "step": step, "form": form},
        status=400 if form.errors else 200,
    )
