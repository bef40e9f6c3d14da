"""The calibration view for managers: the model card, predicted against actual by decile over
the last twelve weeks, every version (pin one), and the team's score settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sdr_ops.access import role_required, team_for
from sdr_ops.forms import add_errors
from sdr_ops.models import Role

from . import access, domain, queries, scoring
from .forms import SettingsForm
from .models import ModelVersion

VERSIONS_SHOWN = 20


def _page(team) -> str:
    return f"{reverse('certainty-calibration')}?team={team.slug}"


@role_required(Role.MANAGER)
def calibration(request: HttpRequest) -> HttpResponse:
    team = team_for(request.user, request.GET.get("team"))
    settings = scoring.settings_for(team)
    version = scoring.version_in_use(team, settings)
    form = SettingsForm(
        request.POST or None,
        initial={
            "min_decided": settings.min_decided,
            "a_from": settings.a_from,
            "b_from": settings.b_from,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            domain.update_settings(team, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Certainty settings saved."))
            return redirect(_page(team))
    return render(
        request,
        "certainty/calibration.html",
        {
            "team": team,
            "settings": settings,
            "version": version,
            "card_factors": queries.card_factors(version.params) if version else [],
            "recent": queries.calibration(team, version=version),
            "versions": list(
                ModelVersion.objects.filter(team=team)
                .defer("params")
                .order_by("-number")[:VERSIONS_SHOWN]
            ),
            "form": form,
            "prior_points": [
                (_("confirmed"), scoring.PRIOR_POINTS["confirmed"]),
                (_("asked but not disclosed"), scoring.PRIOR_POINTS["not_disclosed"]),
                (_("not asked"), scoring.PRIOR_POINTS["not_asked"]),
            ],
            "prior_base": scoring.PRIOR_BASE,
        },
    )


@require_POST
@role_required(Role.MANAGER)
def pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Pins the version for its team (or, `unpin`, lifts the team's pin)."""
    version = access.version_for(request.user, pk)
    unpin = request.POST.get("unpin") == "1"
    domain.pin(version.team, None if unpin else version, by=request.user)
    messages.success(
        request,
        _("The pin is lifted: the best version is used.")
        if unpin
        else _("Version %(n)s is pinned.") % {"n": version.number},
    )
    return redirect(_page(version.team))
